"""The static report at build/report/index.html, built from the warehouse and the other outputs."""

import json
import shutil

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from filelock import FileLock

from pipelines import settings
from pipelines.assets.charts import chart_assets, chart_mechanism_timelines
from pipelines.assets.eidb import eidb_folder
from pipelines.assets.feeds import feeds_folder
from pipelines.assets.notebooks import notebooks
from pipelines.assets.trade import comtrade_store
from pipelines.orchestration.up_to_date import guarded
from pipelines.reporting.exports import write_exports
from pipelines.reporting.notebooks import discover_notebooks
from pipelines.reporting.report import build_report, copy_tree, swap_in
from pipelines.settings import OWNERS
from pipelines.sources.eidb import read_manifest
from pipelines.sources.feeds import SOURCES as FEED_SOURCES
from pipelines.sources.feeds import feed_store
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.validation import runtime_dir


def report_dir():
    return settings.build_dir() / "report"


def _snapshot_sources() -> list[dict]:
    rows = comtrade_store().newest()
    return [
        {
            "source": "UN Comtrade snapshots",
            "records": sum(int(r["row_count"]) for r in rows),
            "retrieved": max((r["retrieved_at"] for r in rows), default=None),
            "published": None,
            "note": f"{len(rows)} response(s) in data/snapshots/comtrade; none bundled means the "
            "published figures stand in until a live fetch",
        },
        *_eidb_sources(),
    ] + [
        {
            "source": f"press feed: {name}",
            "records": len(store.newest()),
            "retrieved": max((r["retrieved_at"] for r in store.manifest()), default=None),
            "published": None,
            "note": "release pages and index of the newest fetch (bundled: a reconstruction of real items)",
        }
        for name, store in (
            (name, feed_store(feeds_folder(), source)) for name, source in FEED_SOURCES.items()
        )
    ]


def _eidb_sources() -> list[dict]:
    manifest = read_manifest(eidb_folder()) if eidb_folder().exists() else []
    return [
        {
            "source": "India's Export Import Data Bank (DGCI&S)",
            "records": sum(int(r["row_count"]) for r in manifest),
            "retrieved": None,
            "published": None,
            "note": "India's exports to Japan by 8-digit code and two-way trade for six codes, "
            "FY2017-18 to FY2024-25, in data/snapshots/eidb (see its manifest)",
        }
    ]


def _recent_failures(limit: int = 20) -> list[dict]:
    path = settings.run_failures_file()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
    return [json.loads(line) for line in reversed(lines) if line.strip()]


@asset(
    owners=OWNERS, group_name="reports",
    kinds={"html"},
    deps=[
        "scorecard", "scorecard_changes", "evidence", "events", "indicators", "indicator_values",
        "minerals_trade", "quarantine", "statements", "evidence_rules", "manual_links",
        "mapping_evaluation", "data_docs",
        "register_coverage", "event_sources",
        *(a.key for a in chart_assets), chart_mechanism_timelines.key, *notebooks.keys,
        "mechanism_status", "milestone_stages", "codebook",
    ],
)  # fmt: skip
@guarded
def report(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """Scorecard, a page per commitment, charts, notebooks, method, sources and Data Docs."""
    # Built in a staging folder beside the report, then swapped in whole: a run killed during
    # this step leaves the previous report as it was. Two runs' report steps take turns: the
    # warehouse lock is not held between steps of the report group, and both would build in
    # the same staging folder.
    final = report_dir()
    final.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(final.with_name(f".{final.name}.lock")):
        return _build(context, warehouse, final)


def _build(context: AssetExecutionContext, warehouse: Warehouse, final) -> MaterializeResult:
    out = final.with_name(f".{final.name}.staging")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for written_earlier in ("charts", "notebooks"):  # by the chart and notebook assets
        if (final / written_earlier).is_dir():
            shutil.copytree(final / written_earlier, out / written_earlier)
    copy_tree(runtime_dir() / "data_docs", out / "data_docs")
    pages_of_notebooks = [
        {"name": n.name, "title": n.title} for n in discover_notebooks(settings.NOTEBOOKS_DIR)
    ]
    chart_ids = {a.key.path[-1].removeprefix("chart_") for a in chart_assets}
    with warehouse.get_connection() as con:
        pages = build_report(
            con, out, pages_of_notebooks, chart_ids, _snapshot_sources(), _recent_failures()
        )
        exports = write_exports(con, out / "exports")
    swap_in(out, final)
    out = final
    context.log.info(f"report: {len(pages)} pages in {out}")
    return MaterializeResult(
        metadata={
            "index": MetadataValue.path(str(out / "index.html")),
            "pages": MetadataValue.int(len(pages)),
            "exports": MetadataValue.int(len(exports)),
        }
    )
