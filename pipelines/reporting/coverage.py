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
# An event rests only on an aggregator when its cited page is one and no further source
# (event_sources) is official or named news.
_TIER_SHARES = """
WITH flagged AS (
    SELECT
        e.source_tier AS tier,
        e.source_tier = 'aggregator' AND NOT EXISTS (
            SELECT 1 FROM event_sources AS s
            WHERE s.event_id = e.event_id AND s.source_tier IN ('official', 'news')) AS only_aggregator
    FROM events AS e
)
SELECT tier, count(*) AS n, count(*) FILTER (WHERE only_aggregator) AS n_only
FROM flagged
GROUP BY tier
ORDER BY array_position(['official', 'news', 'aggregator', 'unclassified'], tier)
"""
_COMPLETE_THROUGH = """
SELECT register, complete_through, n_series, limiting_series
FROM register_coverage ORDER BY register
"""
_NO_EVIDENCE_EVER = """
SELECT commitment_id, theme FROM scorecard WHERE n_all_time = 0 AND status <> 'not measurable'
ORDER BY section, string_split(commitment_id, '.')[2]::INTEGER
"""


def tier_shares(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Events per source tier (share of all events), and how many rest only on an aggregator."""
    rows = con.execute(_TIER_SHARES).fetchall()
    total = sum(n for _, n, _ in rows)
    return [
        {"tier": tier, "n": n, "share": 100.0 * n / total, "n_only": n_only}
        for tier, n, n_only in rows
    ]


def complete_through(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each register's complete-through date from the search log, with its limiting series."""
    cursor = con.execute(_COMPLETE_THROUGH)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _sources_markdown(con: duckdb.DuckDBPyConnection) -> list[str]:
    shares = tier_shares(con)
    total = sum(r["n"] for r in shares)
    only = sum(r["n_only"] for r in shares)
    lines = [
        "Share of events by the tier of the page each cites (`data/reference/source_tiers.csv`):",
        "",
        "| source tier | events | share |",
        "|---|---:|---:|",
        *(f"| {r['tier']} | {r['n']} | {r['share']:.1f}% |" for r in shares),
        "",
        f"Events resting only on an aggregator (no official or news source in"
        f" `event_sources.csv` either): {only} of {total} ({100.0 * only / total:.1f}%).",
        "",
        "Complete through (from `data/registers/search_log.csv`; before this day an absent event"
        " was searched for and not found):",
        "",
        "| register | complete through | series searched | limiting series |",
        "|---|---|---:|---|",
    ]
    for r in complete_through(con):
        day = r["complete_through"].isoformat() if r["complete_through"] else "not yet searched"
        lines.append(
            f"| {r['register']} | {day} | {r['n_series']} | {r['limiting_series'] or '–'} |"
        )
    return lines


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
            *_sources_markdown(con),
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
