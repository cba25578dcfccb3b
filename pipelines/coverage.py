"""README's coverage section, generated from the warehouse so it never drifts from the data."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"
FAMILIES = ("exercises", "port_calls", "rd_projects", "dialogues")

_BY_YEAR = """
SELECT year(start_date) AS year, family, count(*) AS n
FROM events GROUP BY ALL ORDER BY year
"""
_NO_EVIDENCE_EVER = """
SELECT commitment_id, theme FROM scorecard WHERE n_all_time = 0 AND status <> 'not measurable'
ORDER BY section, string_split(commitment_id, '.')[2]::INTEGER
"""


def coverage_markdown(con: duckdb.DuckDBPyConnection) -> str:
    counts: dict[int, dict[str, int]] = {}
    for year, family, n in con.execute(_BY_YEAR).fetchall():
        counts.setdefault(year, {})[family] = n
    lines = [
        "| year | " + " | ".join(FAMILIES) + " | all |",
        "|---|" + "---:|" * (len(FAMILIES) + 1),
    ]
    for year in range(min(counts), max(counts) + 1):
        row = counts.get(year, {})
        cells = [str(row.get(f, 0)) for f in FAMILIES]
        lines.append(f"| {year} | " + " | ".join(cells) + f" | {sum(row.values())} |")
    totals = [sum(counts[y].get(f, 0) for y in counts) for f in FAMILIES]
    lines.append("| **all** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    post = con.execute(
        "SELECT count(*) FROM events WHERE start_date > DATE '2025-08-29'"
    ).fetchone()[0]

    gaps = []
    for family in FAMILIES:
        empty = [
            str(y) for y in range(min(counts), max(counts) + 1) if not counts.get(y, {}).get(family)
        ]
        if empty:
            gaps.append(f"- no {family.replace('_', ' ')} recorded in {', '.join(empty)}")
    never = con.execute(_NO_EVIDENCE_EVER).fetchall()
    if never:
        listed = "; ".join(f"{cid} {theme}" for cid, theme in never)
        gaps.append(f"- commitments with no evidence in any year: {listed}")
    return "\n".join(
        [
            f"{sum(totals)} events, {post} of them after the signing on 2025-08-29.",
            "",
            *lines,
            "",
            "Known gaps (what the registers do not hold yet; absence here is not proof of inactivity):",
            "",
            *gaps,
        ]
    )


def replace_section(readme: Path, body: str) -> bool:
    """Put `body` between the coverage markers; return whether the file changed."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{readme} has no {START} … {END} section")
    updated = pattern.sub(lambda _: f"{START}\n{body}\n{END}", text)
    readme.write_text(updated, encoding="utf-8")
    return updated != text


def readme_section(readme: Path) -> str:
    text = readme.read_text(encoding="utf-8")
    return text[text.index(START) + len(START) : text.index(END)].strip("\n")
