"""The static HTML report: scorecard, a page per commitment, charts, notebooks, method, sources.

Everything is rendered with autoescaping on (register and feed text is untrusted) and only
http(s) URLs become links. The report works from the file system: no CDN, no server.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from pipelines import settings
from pipelines.inputs import load_yaml
from pipelines.reporting.coverage import complete_through, tier_shares
from pipelines.reporting.dates import at_precision, machine_date
from pipelines.reporting.narrative import narrative


def _without_nul(value):
    """NUL has no place in a page (browsers show or drop it unpredictably): every value loses it."""
    return value.replace("\x00", "") if isinstance(value, str) else value


_ENV = Environment(
    loader=PackageLoader("pipelines.reporting", "templates"),
    autoescape=select_autoescape(["html"]),
    finalize=_without_nul,
)


def link(url: str | None, text: str | None = None) -> Markup:
    """A link for http(s) URLs only; anything else is shown as escaped text."""
    label = escape(text or url or "")
    if url and str(url).lower().startswith(("https://", "http://")):
        return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, label)
    return Markup(label)


_ENV.filters["link"] = link


def event_date(value, precision: str | None = "day") -> Markup:
    """A date as precise as its source: <time datetime="2015-10">Oct 2015</time>."""
    if value is None:
        return Markup("–")
    return Markup('<time datetime="{}">{}</time>').format(
        machine_date(value, precision), at_precision(value, precision)
    )


def original_title(title: str | None) -> Markup:
    """A source's own title; one in Japanese or Devanagari is marked so that its fonts (and, for
    Japanese, its glyph forms) apply and a test can find it."""
    if not title:
        return Markup("")
    if any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in title):
        return Markup('<span class="original-title" lang="ja">{}</span>').format(title)
    if any("\u0900" <= ch <= "\u097f" for ch in title):
        return Markup('<span class="original-title">{}</span>').format(title)
    return escape(title)


_ENV.filters["event_date"] = event_date
_ENV.filters["original_title"] = original_title

MAX_EVENTS_PER_PAGE = 500  # beyond this a page is a download; exports/evidence.csv holds all
_EVIDENCE = f"""
SELECT ev.commitment_id, e.start_date, e.date_precision, e.name, e.family, ev.rule_id, e.source_url,
       e.source_title, e.source_title_en, e.notes,
       array_to_string(ev.rule_ids, ', ') AS rules, array_to_string(ev.matched_terms, '; ') AS matched,
       ev.basis, ev.confidence, ev.review_status, ev.review_reason,
       e.source_tier,
       CASE WHEN e.start_date >= p.signing_date THEN 'since signing'
            WHEN e.start_date >= p.baseline_start THEN 'before signing' ELSE 'earlier' END AS window
FROM evidence AS ev JOIN events AS e USING (event_id), run_parameters AS p
QUALIFY row_number() OVER (PARTITION BY ev.commitment_id ORDER BY e.start_date DESC, e.event_id)
    <= {MAX_EVENTS_PER_PAGE}
ORDER BY ev.commitment_id, e.start_date DESC, e.event_id
"""  # noqa: S608 (a constant, no input)
# What the two governments said: passages are listed under each commitment they were mapped to;
# they are not events, so they do not count towards a commitment's status.
_STATEMENTS = """
SELECT commitment_id, document_date, document_title, issuer, passage, source_url, source_title,
       source_title_en
FROM statements, unnest(commitment_ids) AS t(commitment_id)
ORDER BY commitment_id, document_date DESC, statement_id
"""
_MECHANISMS = """
SELECT m.commitment_id, m.mechanism_id, m.name, m.status, m.last_held, m.last_name, m.last_source_url,
       m.next_due, m.cadence_months, c.cadence_basis, c.cadence_note, m.grace_days,
       m.editions_since_signing, m.held_late_since_signing
FROM mechanism_status AS m JOIN codebook_mechanisms AS c USING (commitment_id, mechanism_id)
ORDER BY m.commitment_id, m.mechanism_id
"""
_RUNGS = """
SELECT r.commitment_id, r.rung, r.stage, r.evidence, r.rung <= coalesce(s.rung, 0) AS reached
FROM codebook_rungs AS r LEFT JOIN milestone_stages AS s USING (commitment_id)
ORDER BY r.commitment_id, r.rung
"""
_CODEBOOK = """
SELECT cb.*, cm.theme, cv.coverage_through
FROM codebook AS cb JOIN commitments AS cm USING (commitment_id)
JOIN commitment_coverage AS cv USING (commitment_id)
ORDER BY cm.section, string_split(cb.commitment_id, '.')[2]::INTEGER
"""
KINDS = ("recurring", "milestone", "activity", "statement", "not measurable")
_REGISTER_SOURCES = """
SELECT family AS source, count(*) AS records, max(retrieved_date) AS retrieved, max(published_date) AS published
FROM events GROUP BY family ORDER BY family
"""
_TRADE = """
SELECT source, count(*) AS n, min(year) || '–' || max(year) AS years FROM minerals_trade
GROUP BY source ORDER BY n DESC, source
"""
_RULES = """
SELECT rule_id, commitment_id, rationale,
       concat_ws('; ', 'family ' || nullif(family, ''), 'type ' || nullif(exercise_type, ''),
                 'mechanism ' || nullif(mechanism, ''), 'stage ' || nullif(stage, ''),
                 'service ' || nullif(service, ''), 'host ' || nullif(host, ''),
                 'multilateral ' || nullif(multilateral, ''), 'Japan any of ' || nullif(japan_any, ''),
                 'India any of ' || nullif(india_any, ''), 'from ' || nullif(valid_from, ''),
                 'keywords /' || nullif(keywords, '') || '/ in ' || coalesce(nullif(keyword_fields, ''), 'name'),
                 'not /' || nullif(exclude_keywords, '') || '/ in ' || coalesce(nullif(exclude_fields, ''), 'name'))
           AS conditions
FROM evidence_rules ORDER BY commitment_id, rule_id
"""


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    notebooks: list[dict],
    chart_ids: set[str],
    extra_sources: list[dict],
    failures: list[dict],
) -> list[Path]:
    """Write every page into `out_dir` (charts, notebooks and data_docs are already there)."""
    params = _records(con, "SELECT * FROM run_parameters")[0]
    scorecard = _records(
        con,
        "SELECT s.*, c.text, c.section_text FROM scorecard s JOIN commitments c USING (commitment_id, section, theme)",
    )
    indicators = _records(con, "SELECT * FROM indicators ORDER BY indicator_id")
    by_commitment: dict[str, list[dict]] = {}
    for event in _records(con, _EVIDENCE):
        by_commitment.setdefault(event["commitment_id"], []).append(event)
    statements_by_commitment: dict[str, list[dict]] = {}
    for statement in _records(con, _STATEMENTS):
        statements_by_commitment.setdefault(statement["commitment_id"], []).append(statement)
    common = {"params": params}
    written = []

    def render(template: str, path: Path, root: str, **context) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            _ENV.get_template(template).render(root=root, **common, **context), encoding="utf-8"
        )
        written.append(path)

    kind_counts = [(k, sum(r["kind"] == k for r in scorecard)) for k in KINDS]
    coverage = _records(con, "SELECT * FROM register_coverage ORDER BY register")
    mechanisms, rungs = _grouped(con, _MECHANISMS), _grouped(con, _RUNGS)
    render(
        "index.html", out_dir / "index.html", "",
        scorecard=scorecard, kind_counts=kind_counts, coverage=coverage,
        changes=_records(con, "SELECT * FROM scorecard_changes"),
        n_charts=len(chart_ids), notebooks=notebooks,
        n_events=con.execute("SELECT count(*) FROM events").fetchone()[0],
        n_quarantined=con.execute("SELECT count(*) FROM quarantine").fetchone()[0],
    )  # fmt: skip
    previous = _previous_release()
    for row in scorecard:
        row["narrative"] = narrative(
            row, by_commitment.get(row["commitment_id"], []),
            statements_by_commitment.get(row["commitment_id"], []),
            previous["statuses"].get(row["commitment_id"]), previous["release_id"],
        )  # fmt: skip
    render("summary.html", out_dir / "summary.html", "", scorecard=scorecard, previous=previous)
    for row in scorecard:
        render(
            "commitment.html", out_dir / "commitments" / f"{row['commitment_id']}.html", "../",
            c=row, events=by_commitment.get(row["commitment_id"], []), shown_limit=MAX_EVENTS_PER_PAGE,
            statements=statements_by_commitment.get(row["commitment_id"], []),
            mechanisms=mechanisms.get(row["commitment_id"], []), rungs=rungs.get(row["commitment_id"], []),
            timeline=_inline_svg(out_dir / "charts" / f"timeline_{row['commitment_id'].replace('.', '_')}.svg"),
            indicators=[
                i for i in indicators if row["commitment_id"] in i["commitments"] and i["status"] == "measured"
            ],
        )  # fmt: skip
    charts = [i for i in indicators if i["indicator_id"] in chart_ids]
    # vl-convert writes the SVGs from our own specs and escapes their text: safe to inline.
    svgs = {c["indicator_id"]: Markup((out_dir / "charts" / f"{c['indicator_id']}.svg").read_text(encoding="utf-8"))
            for c in charts}  # fmt: skip
    summaries = {key: chart_summary(svg) for key, svg in svgs.items()}
    render(
        "charts.html", out_dir / "charts.html", "", charts=charts, svgs=svgs, summaries=summaries
    )
    render("notebooks.html", out_dir / "notebooks" / "index.html", "../", notebooks=notebooks)
    render(
        "method.html", out_dir / "method.html", "",
        rules=_records(con, _RULES), manual=_records(con, "SELECT * FROM manual_links"), indicators=indicators,
        codebook=_records(con, _CODEBOOK), mechanisms=_records(con, _MECHANISMS), coverage=coverage,
        changelog=_changelog(),
        mapping_eval=_records(con, "SELECT * FROM mapping_evaluation ORDER BY split, section = 'all' DESC, section"),
    )  # fmt: skip
    sources = [
        {
            **s,
            "source": f"register: {s['source']}",
            "note": "curated events, each with the page read",
        }
        for s in _records(con, _REGISTER_SOURCES)
    ] + extra_sources
    for source in sources:
        retrieved = source.get("retrieved")
        source["age_days"] = (params["as_of"] - _as_date(retrieved)).days if retrieved else None
    render(
        "sources.html",
        out_dir / "sources.html",
        "",
        sources=sources,
        coverage=complete_through(con),
        tiers=tier_shares(con),
        trade=_records(con, _TRADE),
        failures=failures,
    )
    (out_dir / "style.css").write_text(
        _ENV.loader.get_source(_ENV, "style.css")[0], encoding="utf-8"
    )
    (out_dir / "tables.js").write_text(
        _ENV.loader.get_source(_ENV, "tables.js")[0], encoding="utf-8"
    )
    fonts = out_dir / "fonts"
    fonts.mkdir(exist_ok=True)
    for font in sorted((Path(__file__).parent / "templates" / "fonts").iterdir()):
        shutil.copyfile(font, fonts / font.name)  # the subsets and their licence travel together
    return written


def swap_in(staging: Path, target: Path) -> None:
    """Make `staging` the folder at `target`, in two renames: a reader (or a killed run) sees the
    old report or the new one, never pages of both. A leftover from a killed swap is removed."""
    previous = target.with_name(f".{target.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if target.exists():
        os.replace(target, previous)
    os.replace(staging, target)
    if previous.exists():
        shutil.rmtree(previous)


def _grouped(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in _records(con, sql):
        grouped.setdefault(record["commitment_id"], []).append(record)
    return grouped


def chart_summary(svg: str) -> str:
    """The one-line summary a chart's SVG carries in its <desc> (see charts.label_svg)."""
    found = re.search(r"<desc\b[^>]*>(.*?)</desc>", svg, flags=re.DOTALL)
    return html.unescape(found.group(1)) if found else ""


def _inline_svg(path: Path) -> Markup | None:
    # vl-convert writes the SVGs from our own specs and escapes their text: safe to inline.
    return Markup(path.read_text(encoding="utf-8")) if path.exists() else None


def _changelog() -> list[dict]:
    """The codebook's dated changelog, newest first, as the method page shows it."""
    document = load_yaml(settings.DATA_DIR / "codebook.yaml", "data/codebook.yaml")
    return sorted(document.get("changelog") or [], key=lambda e: str(e.get("date")), reverse=True)


def copy_tree(source: Path, target: Path) -> None:
    """Replace `target` with a copy of `source` (for Data Docs, so the report is self-contained)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _previous_release() -> dict:
    """The newest published release's statuses, for "since the last release" in the narratives."""
    import csv

    from pipelines.releases.freeze import latest_release, releases_dir

    release = latest_release(releases_dir()) if releases_dir().is_dir() else None
    if release is None:
        return {"release_id": None, "statuses": {}}
    path = release.folder / "report" / "exports" / "scorecard.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        statuses = {r["commitment_id"]: r["status"] for r in csv.DictReader(handle)}
    return {"release_id": release.release_id, "statuses": statuses}
