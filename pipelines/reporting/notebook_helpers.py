"""What the reviewer notebooks share: a read-only warehouse, escaped evidence tables, charts.

Everything shown comes from registers and feeds, so every value is HTML-escaped and only http(s)
URLs become links.
"""

from __future__ import annotations

import base64
import html
import os
import re
from pathlib import Path

import duckdb
import pandas as pd
from IPython.display import HTML, display

from pipelines import settings
from pipelines.reporting.dates import at_precision

MAX_ROWS_PER_COMMITMENT = 100  # a reviewer reads the newest; the CSV export holds them all
EVIDENCE_SQL = """
SELECT ev.commitment_id, e.start_date, e.date_precision, e.name, e.family, ev.rule_id,
       e.source_title || coalesce(' (English: ' || e.source_title_en || ')', '') AS source_title,
       e.source_url
FROM evidence AS ev JOIN events AS e USING (event_id)
WHERE list_contains(?, ev.commitment_id)
QUALIFY row_number() OVER (PARTITION BY ev.commitment_id ORDER BY e.start_date DESC, e.event_id) <= ?
ORDER BY ev.commitment_id, e.start_date DESC, e.event_id
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


# What a reviewer reads above a column instead of the warehouse's name for it.
LABELS = {
    "commitment_id": "Commitment", "start_date": "Date", "end_date": "End", "name": "Event",
    "family": "Register", "rule_id": "Rule", "source_title": "Source", "source": "Source",
    "coverage_through": "Coverage through", "n_baseline": "Events in baseline",
    "n_post": "Events since signing", "p_value": "p-value", "rate_ratio": "Rate ratio",
    "ratio_low": "Interval, low", "ratio_high": "Interval, high", "port_calls": "Port calls",
    "previous_status": "Previous status", "previous_codebook_version": "Previous codebook",
    "codebook_version": "Codebook", "source_kind": "Source of the rows", "limiting_series": "Limiting series",
    "complete_through": "Complete through", "hs_code": "HS code", "hs_match": "HS match",
    "period_kind": "Period kind", "below_rounding": "Under US$ 5,000",
    "specific_usd_million": "Specific codes, US$ million",
    "upper_bound_usd_million": "Upper bound, US$ million",
    "figures_under_5k": "Figures under US$ 5,000", "japan_share_percent": "Japan's share, %",
    "japan_usd_million": "To Japan, US$ million", "world_usd_million": "To the world, US$ million",
    "signing_window": "Window", "mean_usd_billion": "Mean, US$ billion",
    "before_signing": "Before signing", "since_signing": "Since signing",
}  # fmt: skip


def label(column: str) -> str:
    """A column's reader-facing name: from LABELS, else its words ("as_of" -> "As of")."""
    if column in LABELS:
        return LABELS[column]
    words = str(column).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def connect() -> duckdb.DuckDBPyConnection:
    """The warehouse the pipeline just wrote, opened read-only."""
    con = duckdb.connect(str(settings.warehouse_path()), read_only=True)
    settings.apply_duckdb_config(con)
    return con


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
    columns = [c for c in frame.columns if c not in {link_column, "date_precision"}]
    head = "".join(f'<th scope="col">{html.escape(label(c))}</th>' for c in columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = _text(record[column])
            if column in {"start_date", "end_date"} and "date_precision" in record and value:
                value = at_precision(record[column], record["date_precision"])
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
    """The chart the pipeline saved for an indicator, as an SVG image (no scripts, works offline)
    whose alt text is the chart's title and one-line summary, which also appears under it."""
    path = Path(os.environ.get("TRACKER_CHARTS_DIR", settings.build_dir() / "report" / "charts"))
    svg = (path / f"{indicator_id}.svg").read_text(encoding="utf-8")
    title, summary = (_svg_text(svg, tag) for tag in ("title", "desc"))
    alt = html.escape(f"{title}. {summary}" if summary else title or indicator_id, quote=True)
    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    figure = (f'<figure class="chart"><img src="data:image/svg+xml;base64,{source}" alt="{alt}">'
              f"<figcaption>{html.escape(summary)}</figcaption></figure>")  # fmt: skip
    # The SVG stays beside the HTML for front ends that do not render HTML outputs.
    display({"text/html": figure, "image/svg+xml": svg}, raw=True)


def _svg_text(svg: str, tag: str) -> str:
    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", svg, flags=re.DOTALL)
    return html.unescape(found.group(1)) if found else ""
