"""CSV exports of the report's tables, safe to open in a spreadsheet.

A cell that starts with =, +, -, @, tab or carriage return is a formula to Excel or LibreOffice
(`=HYPERLINK(...)` from a register name would run when opened); such text cells get a leading
apostrophe, which spreadsheets show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EXPORTS = {
    "scorecard": "SELECT commitment_id, section, theme, status, n_baseline, n_post, baseline_rate_per_year, "
    "post_rate_per_year, p_value, trend FROM scorecard",
    "evidence": "SELECT ev.commitment_id, ev.event_id, ev.rule_id, ev.weight, e.start_date, e.name, e.source_url "
    "FROM evidence AS ev JOIN events AS e USING (event_id) ORDER BY ev.commitment_id, e.start_date",
    "events": "SELECT event_id, family, name, start_date, end_date, host, source_url, source_title FROM events",
    "minerals_trade": "SELECT year, period, reporter, partner, flow, mineral, value, unit, value_usd, source, "
    "source_url FROM minerals_trade",
}


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_exports(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, sql in EXPORTS.items():
        cursor = con.execute(sql)
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([d[0] for d in cursor.description])
            writer.writerows([neutralise(v) for v in row] for row in cursor.fetchall())
        written.append(path)
    return written
