"""One chart asset per measured indicator of the catalogue (data/indicators.yaml)."""

import base64
import logging
from pathlib import Path

from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, MetadataValue, asset

from pipelines import settings
from pipelines.curated.catalogue import CatalogueError, read_entries
from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.warehouse.resources import Warehouse

log = logging.getLogger(__name__)

EVENT_SOURCES = (
    "Tracker event registers: one official release or news report per event (see report)"
)


def charts_dir():
    return settings.build_dir() / "report" / "charts"


def measured_indicators() -> list[dict]:
    """Catalogue entries that get a chart, read once when the Definitions load."""
    try:
        entries = read_entries(settings.DATA_DIR / "indicators.yaml")
    except CatalogueError as error:
        # The Definitions still load (so the UI and the preflight can say what is wrong); the
        # `indicators` asset raises the same error when it runs.
        log.error(str(error))
        return []
    return [e for e in entries if e.get("status", "measured") == "measured" and e.get("id")]


def chart_metadata(title: str, paths: dict[str, Path]) -> dict[str, MetadataValue]:
    """What the Dagster UI shows of a chart: a preview it draws inline, and the chart itself.

    The UI draws markdown inline only under 1,000 characters, so the preview links the PNG where
    `make dev` serves the report; the whole PNG, inlined, sits behind "Show Markdown" and needs no
    server.
    """
    url = f"{settings.report_url()}/charts/{paths['png'].name}"
    png = base64.b64encode(paths["png"].read_bytes()).decode()
    return {
        "preview": MetadataValue.md(f"![{_alt(title)}]({url})"),
        "chart": MetadataValue.md(f"![{_alt(title)}](data:image/png;base64,{png})"),
        "page": MetadataValue.url(f"{settings.report_url()}/charts/{paths['html'].name}"),
        "png": MetadataValue.path(str(paths["png"])),
        "html": MetadataValue.path(str(paths["html"])),
    }


def _alt(title: str) -> str:
    return " ".join(title.replace("[", "(").replace("]", ")").split())[:300]


def _chart_asset(entry: dict) -> AssetsDefinition:
    indicator_id = entry["id"]

    @asset(
        name=f"chart_{indicator_id}",
        owners=OWNERS,
        group_name="reports",
        kinds={"altair"},
        deps=["indicator_values", "indicators"],
        description=f"Chart of indicator {indicator_id}: {entry['title']}.",
    )
    @guarded
    def _chart(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        with warehouse.get_connection() as con:
            values = con.execute(
                "SELECT * EXCLUDE (indicator_id) FROM indicator_values WHERE indicator_id = ? "
                "ORDER BY period, series",
                [indicator_id],
            ).df()
        # Altair is imported here, not at module level: loading the Definitions stays fast.
        from pipelines.reporting.charts import ChartSpec, describe, indicator_chart, save_chart

        if entry.get("chart") == "minerals":
            from pipelines.assets.trade_charts import draw_minerals_charts

            paths = draw_minerals_charts(context, warehouse, entry, charts_dir())
            return MaterializeResult(metadata=chart_metadata(entry["title"], paths))
        sources = entry.get("source_note", EVENT_SOURCES)
        spec = ChartSpec(
            indicator_id,
            entry["title"],
            entry.get("subtitle", ""),
            entry["unit"],
            sources,
            counts=entry["method"] == "ind_evidence_per_year",
            commitments=tuple(entry["commitments"]),
        )
        paths = save_chart(
            indicator_chart(spec, values), charts_dir(), indicator_id,
            title=spec.title, summary=describe(spec, values),
        )  # fmt: skip
        context.log.info(f"{indicator_id}: {len(values)} values charted")
        return MaterializeResult(
            metadata={
                **chart_metadata(entry["title"], paths),
                "values": MetadataValue.int(len(values)),
            }
        )

    return _chart


chart_assets = [_chart_asset(entry) for entry in measured_indicators()]


_EDITIONS = """
SELECT ed.commitment_id, m.name AS mechanism, ed.held_on, ed.held_late
FROM mechanism_editions AS ed JOIN codebook_mechanisms AS m USING (commitment_id, mechanism_id)
WHERE ed.held_on >= DATE '2015-01-01'
ORDER BY ed.commitment_id, ed.held_on
"""
_MECHANISMS = """
SELECT commitment_id, name AS mechanism, next_due, status, window_end
FROM mechanism_status ORDER BY commitment_id, mechanism_id
"""


def timeline_name(commitment_id: str) -> str:
    """The file name (without extension) of a recurring commitment's timeline chart."""
    return f"timeline_{commitment_id.replace('.', '_')}"


@asset(
    owners=OWNERS,
    group_name="reports",
    kinds={"altair"},
    deps=["mechanism_editions", "mechanism_status", "codebook_mechanisms", "commitments"],
)
@guarded
def chart_mechanism_timelines(
    context: AssetExecutionContext, warehouse: Warehouse
) -> MaterializeResult:
    """A timeline of editions (held, expected, overdue) for every recurring commitment."""
    with warehouse.get_connection() as con:
        editions = con.execute(_EDITIONS).df()
        mechanisms = con.execute(_MECHANISMS).df()
        themes = dict(con.execute("SELECT commitment_id, theme FROM commitments").fetchall())
    from pipelines.reporting.charts import describe_timeline, mechanism_timeline, save_chart

    written = []
    for commitment_id, own in mechanisms.groupby("commitment_id"):
        title = f"{commitment_id} · {themes.get(commitment_id, '')}"
        held = editions[editions["commitment_id"] == commitment_id]
        chart = mechanism_timeline(
            title, held, own,
            f"{EVENT_SOURCES}; editions recognised by the codebook (data/codebook.yaml)",
        )  # fmt: skip
        save_chart(
            chart, charts_dir(), timeline_name(commitment_id),
            title=f"Timeline of the mechanisms of {title}", summary=describe_timeline(held, own),
        )  # fmt: skip
        written.append(commitment_id)
    context.log.info(f"timelines for {len(written)} recurring commitments")
    return MaterializeResult(metadata={"timelines": MetadataValue.int(len(written))})
