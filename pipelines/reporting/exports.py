"""CSV exports of the report's tables, safe to open in a spreadsheet.

A cell that starts with =, +, -, @, tab or carriage return is a formula to Excel or LibreOffice
(`=HYPERLINK(...)` from a register name would run when opened); such text cells get a leading
apostrophe, which spreadsheets show as plain text. Numbers stay numbers. DuckDB writes the files
itself (COPY), so ten million trade rows stream to disk instead of passing through Python.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EXPORTS = {
    "scorecard": "SELECT commitment_id, section, theme, kind, coverage_through, status, basis, "
    "window_start, window_end, codebook_version, last_edition, next_due, stage, stage_event_name, "
    "stage_reached_on, n_baseline, n_post, rate_ratio, ratio_low, ratio_high, n_statements "
    "FROM scorecard",
    "evidence": "SELECT ev.commitment_id, ev.event_id, array_to_string(ev.rule_ids, '; ') AS rules, "
    "array_to_string(ev.matched_terms, '; ') AS matched_terms, ev.basis, ev.confidence, "
    "ev.review_status, ev.review_reason, e.start_date, e.date_precision, e.name, e.source_url "
    "FROM evidence AS ev JOIN events AS e USING (event_id) "
    "ORDER BY ev.commitment_id, e.start_date, ev.event_id",
    "events": "SELECT event_id, family, name, start_date, end_date, date_precision, host, source_url, "
    "source_title, source_title_en, notes FROM events",
    "minerals_trade": "SELECT year, period, reporter, partner, flow, mineral, value, unit, value_usd, "
    "source, source_url FROM minerals_trade",
}


def write_exports(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, sql in EXPORTS.items():
        columns = con.execute(f"DESCRIBE {sql}").fetchall()  # noqa: S608 (constant queries)
        cells = ", ".join(_safe_cell(column, kind) for column, kind, *_ in columns)
        path = folder / f"{name}.csv"
        # The path goes to DuckDB as an argument, never inside SQL: a build folder under
        # "o'brien" is a path like any other. Written beside the target, then renamed.
        temporary = path.with_name(f".{path.name}.partial")
        con.sql(f"SELECT {cells} FROM ({sql})").write_csv(str(temporary), header=True, sep=",")  # noqa: S608
        os.replace(temporary, path)
        written.append(path)
    return written


def _safe_cell(column: str, kind: str) -> str:
    quoted = f'"{column}"'
    if kind != "VARCHAR":
        return quoted
    prefixes = "".join(p for p in FORMULA_PREFIXES if p not in ("\t", "\r")) + "\t\r"
    text = f"replace({quoted}, chr(0), '')"  # NUL: many CSV readers stop or misread at it
    return (
        f"CASE WHEN left({text}, 1) IN ({', '.join(_sql_string(p) for p in prefixes)}) "
        f"THEN '''' || {text} ELSE {text} END AS {quoted}"
    )


def _sql_string(character: str) -> str:
    return {"\t": "chr(9)", "\r": "chr(13)"}.get(character, f"'{character}'")
