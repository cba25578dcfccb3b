"""The release workbook: scorecard, evidence with full citations, events and trade, one sheet each.

Written with xlsxwriter, which writes strings as strings: a register name that starts with `=`
stays text, never a formula (strings_to_formulas off), and URLs stay text until a reader clicks.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import xlsxwriter

# Each sheet is one query; columns are whatever the query names, in that order. Queries name
# only columns the tables have held since the first release, plus what they add when present.
SHEETS = {
    "scorecard": "SELECT * FROM scorecard ORDER BY section, commitment_id",
    "evidence": """
        SELECT ev.commitment_id, ev.event_id, e.name AS event, e.start_date,
               e.source_title AS source_title, e.source_url AS source_url,
               e.published_date AS source_published, e.retrieved_date AS source_retrieved
        FROM evidence AS ev JOIN events AS e USING (event_id)
        ORDER BY ev.commitment_id, e.start_date, ev.event_id""",
    "events": "SELECT * FROM events ORDER BY start_date, event_id",
    "trade": "SELECT * FROM minerals_trade",
}


def write_workbook(con: duckdb.DuckDBPyConnection, path: Path, citation: str) -> Path:
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
    )
    bold = workbook.add_format({"bold": True})
    about = workbook.add_worksheet("about")
    about.write(0, 0, "Suggested citation", bold)
    about.write(0, 1, citation)
    about.write(1, 0, "Sheets", bold)
    about.write(1, 1, ", ".join(SHEETS))
    for name, sql in SHEETS.items():
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, columns, bold)
        row_number = 1
        while batch := cursor.fetchmany(10_000):
            for row in batch:
                sheet.write_row(row_number, 0, [_cell(v) for v in row])
                row_number += 1
        sheet.freeze_panes(1, 0)
    workbook.close()
    return path


def _cell(value):
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)  # dates, decimals: as their text, exactly as the exports show them
