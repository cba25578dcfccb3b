"""A short paragraph per commitment, written from the data by templates (no language model).

A reader needs a few sentences before the numbers: what the commitment asks, what kind of
commitment the codebook takes it to be and where it stands, what happened since signing and since
the last release, what is expected next, how much the evidence has been checked, and up to which
day anyone looked. Every clause comes from a column; nothing is said that the data do not hold.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from pipelines.reporting.dates import at_precision

KIND_PHRASES = {
    "recurring": "a recurring mechanism, judged on whether it meets on schedule",
    "milestone": "a milestone to reach, judged by the highest rung of its ladder",
    "activity": "a level of activity, judged against the three years before signing",
    "statement": "a position both governments state together",
    "not measurable": "not measurable from public records",
}


def narrative(
    row: dict,
    evidence: list[dict],
    statements: list[dict],
    previous_status: str | None,
    previous_release: str | None,
) -> str:
    """The paragraph for one scorecard row and the evidence listed on its page."""
    sentences = [
        f"Commitment {row['commitment_id']} ({row['theme']}) is {KIND_PHRASES.get(row['kind'], row['kind'])}; "
        f"its status is “{row['status']}”."
    ]
    if row.get("basis"):
        sentences.append(_sentence(row["basis"]))
    since = [e for e in evidence if e.get("window") == "since signing"]
    signed = _day(row.get("signing_date"))
    if row["kind"] == "statement":
        joint = [
            s
            for s in statements
            if s.get("issuer") == "joint" and _after(s.get("document_date"), signed)
        ]
        sentences.append(
            f"Since signing, {len(joint)} passage(s) of documents both governments issued speak to it"
            f" ({len(statements)} passage(s) of any date are listed below)."
        )
    elif row["kind"] != "not measurable":
        latest = max(since, key=lambda e: str(e.get("start_date")), default=None)
        if latest:
            sentences.append(
                f"Since signing, {len(since)} event(s) are recorded as evidence, the latest "
                f"“{latest['name']}” ({at_precision(latest['start_date'], latest.get('date_precision'))})."
            )
        else:
            sentences.append("No event since signing is recorded as evidence.")
    if previous_release:
        if previous_status is None:
            sentences.append(f"Release {previous_release} did not assess it.")
        elif previous_status == row["status"]:
            sentences.append(f"The status is unchanged since release {previous_release}.")
        else:
            sentences.append(
                f"In release {previous_release} it was “{previous_status}”; see the release notes for why it moved."
            )
    if row["kind"] == "recurring" and row.get("next_due"):
        sentences.append(f"The next edition is due by {row['next_due']}.")
    sentences.append(_confidence(evidence))
    coverage = row.get("coverage_through")
    if coverage:
        sentences.append(
            f"The registers it draws on were searched systematically through {coverage}."
        )
    else:
        sentences.append(
            "Its registers have not yet been searched systematically, so no window is drawn."
        )
    return " ".join(sentences)


def _confidence(evidence: list[dict]) -> str:
    if not evidence:
        return "No evidence is listed, so there is nothing to review."
    reviewed = sum(1 for e in evidence if e.get("review_status") in {"confirmed", "rejected"})
    tiers = Counter(e.get("source_tier") or "unclassified" for e in evidence)
    tier_text = ", ".join(f"{n} {tier}" for tier, n in tiers.most_common())
    return (
        f"Of the {len(evidence)} evidence link(s) listed, {reviewed} were reviewed by an analyst; "
        f"their sources are {tier_text}."
    )


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _day(value) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _after(value, day: date | None) -> bool:
    return day is not None and value is not None and _day(value) >= day
