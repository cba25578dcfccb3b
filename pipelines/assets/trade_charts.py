"""Draw the per-mineral small multiples of a trade indicator, from its mart, into the charts folder.

Besides the overview (`<indicator>.png/svg/html`), each mineral group gets its own files
(`<indicator>--<mineral>.*`) and a JSON record of the values drawn, so that what a chart shows can
be checked against the warehouse.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

from dagster import AssetExecutionContext

from pipelines.warehouse.resources import Warehouse

VALUES_SQL = """
SELECT period, period_kind, mineral, flow_label, measure, value, below_rounding,
       below_rounding_limit_million, source
FROM {table} WHERE indicator_id = ? ORDER BY mineral, period
"""
# Shares have no rounding flag and one flow; their source is the EIDB's, the only one they use.
SHARE_SQL = """
SELECT period, period_kind, mineral, 'Japan''s share of India''s exports' AS flow_label, measure,
       value, false AS below_rounding, NULL::DOUBLE AS below_rounding_limit_million,
       'DGCI&S / Department of Commerce, Export Import Data Bank (tradestat.commerce.gov.in)'
           AS source
FROM {table} WHERE indicator_id = ? ORDER BY mineral, period
"""


def slug(mineral: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", mineral.lower()).strip("-")


def draw_minerals_charts(
    context: AssetExecutionContext, warehouse: Warehouse, entry: dict, folder: Path
) -> dict[str, Path]:
    import vl_convert

    from pipelines.reporting.charts import describe_series, label_svg, save_chart
    from pipelines.reporting.trade_charts import TRADE_AXIS, Axis, mineral_chart, minerals_overview

    # The same day the run compares to (TRACKER_AS_OF), so that a past report is reproduced.
    as_of = date.fromisoformat(os.environ.get("TRACKER_AS_OF") or date.today().isoformat())
    table = entry["method"]  # a SQL model name, checked against sql/marts when the catalogue loads
    with warehouse.get_connection() as con:
        share = entry["unit"] == "percent"
        query = SHARE_SQL if share else VALUES_SQL
        values = con.execute(query.format(table=table), [entry["id"]]).df()
    axis = Axis("percent", "linear", "percent") if share else TRADE_AXIS
    charts = [
        mineral_chart(mineral, values, entry["title"], as_of, axis)
        for mineral in sorted(values["mineral"].unique())
    ]
    drawn = {}
    folder.mkdir(parents=True, exist_ok=True)
    for item in charts:
        name = f"{entry['id']}--{slug(item.mineral)}"
        # One SVG each: the overview carries the PNG and the offline HTML.
        svg = vl_convert.vegalite_to_svg(item.chart.to_dict())
        summary = describe_series(entry["unit"], item.drawn, "mineral")
        (folder / f"{name}.svg").write_text(
            label_svg(svg, f"{entry['title']}: {item.mineral}", summary, name), encoding="utf-8"
        )
        drawn[item.mineral] = {
            "files": f"{name}.svg",
            "sources": list(item.sources),
            "values": json.loads(item.drawn.to_json(orient="records")),
        }
    (folder / f"{entry['id']}.drawn.json").write_text(json.dumps(drawn, indent=1), encoding="utf-8")
    sources = sorted(values["source"].unique())
    subtitle = entry.get("subtitle", "")
    overview = minerals_overview(values, entry["title"], subtitle, sources, as_of, axis)
    context.log.info(f"{entry['id']}: {len(charts)} mineral group(s), {len(values)} values")
    summary = describe_series(entry["unit"], values, "mineral")
    return save_chart(overview, folder, entry["id"], title=entry["title"], summary=summary)
