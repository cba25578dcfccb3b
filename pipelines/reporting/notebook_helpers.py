"""What the reviewer notebooks share: a read-only warehouse, escaped evidence tables, charts.

Everything shown comes from registers and feeds, so every value is HTML-escaped and only http(s)
URLs become links.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import duckdb
import pandas as pd
from IPython.display import HTML, SVG, display

from pipelines import settings

MAX_ROWS_PER_COMMITMENT = 100  # a reviewer reads the newest; the CSV export holds them all
EVIDENCE_SQL = """
SELECT ev.commitment_id, e.start_date, e.name, e.family, ev.rule_id, e.source_title, e.source_url
FROM evidence AS ev JOIN events AS e USING (event_id)
WHERE list_contains(?, ev.commitment_id)
QUALIFY row_number() OVER (PARTITION BY ev.commitment_id ORDER BY e.start_date DESC, e.event_id) <= ?
ORDER BY ev.commitment_id, e.start_date DESC
"""
EVIDENCE_COUNT_SQL = "SELECT count(*) FROM evidence WHERE list_contains(?, commitment_id)"
# Kind and coverage date first: a status means nothing without the rule of its kind and the day
# up to which the registers behind it were searched.
ASSESSMENT_SQL = """
SELECT commitment_id, kind, coalesce(strftime(coverage_through, '%Y-%m-%d'), 'not yet searched')
       AS coverage_through, theme, status, basis
FROM scorecard WHERE list_contains(?, section)
ORDER BY section, string_split(commitment_id, '.')[2]::INTEGER
"""


def connect() -> duckdb.DuckDBPyConnection:
    """The warehouse the pipeline just wrote, opened read-only."""
    return duckdb.connect(
        str(settings.warehouse_path()), read_only=True, config=settings.duckdb_config()
    )


def safe_link(url: str | None, text: str | None = None) -> str:
    """An escaped link for http(s) URLs; anything else (javascript:, data:) is shown as text."""
    label = html.escape(text or url or "")
    if url and url.lower().startswith(("https://", "http://")):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{label}</a>'
    return label


def table(
    frame: pd.DataFrame, link_column: str | None = None, text_column: str | None = None
) -> HTML:
    """An HTML table whose every cell is escaped; `link_column` becomes a source link."""
    columns = [c for c in frame.columns if c not in {link_column}]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = _text(record[column])
            if link_column and column == text_column:
                cells.append(f"<td>{safe_link(record[link_column], value)}</td>")
            else:
                cells.append(f"<td>{html.escape(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return HTML(
        f'<table class="evidence"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _text(value) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return str(value)


def assessment(con: duckdb.DuckDBPyConnection, sections: list[int]) -> HTML:
    """The scorecard rows of the given sections: kind and coverage date, then status and basis."""
    return table(con.execute(ASSESSMENT_SQL, [sections]).df())


def evidence(con: duckdb.DuckDBPyConnection, commitments: list[str]) -> HTML:
    """The evidence events of the given commitments, newest first, linked to their sources."""
    frame = con.execute(EVIDENCE_SQL, [commitments, MAX_ROWS_PER_COMMITMENT]).df()
    total = con.execute(EVIDENCE_COUNT_SQL, [commitments]).fetchone()[0]
    note = ""
    if total > len(frame):
        note = (f"<p>{total:,} evidence rows; shown: the newest {MAX_ROWS_PER_COMMITMENT} of each "
                "commitment. All of them are in the report's exports/evidence.csv.</p>")  # fmt: skip
    return HTML(note + table(frame, link_column="source_url", text_column="source_title").data)


def show_chart(indicator_id: str) -> None:
    """The chart the pipeline saved for an indicator, inline as SVG (no scripts, works offline)."""
    path = Path(os.environ.get("TRACKER_CHARTS_DIR", settings.build_dir() / "report" / "charts"))
    display(SVG(filename=str(path / f"{indicator_id}.svg")))
