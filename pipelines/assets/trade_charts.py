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

from pipelines.resources import Warehouse

VALUES_SQL = """
SELECT period, period_kind, mineral, flow_label, measure, value, below_rounding,
       below_rounding_limit_million, source
FROM {table} WHERE indicator_id = ? ORDER BY mineral, period
"""


def slug(mineral: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", mineral.lower()).strip("-")


def draw_minerals_charts(
    context: AssetExecutionContext, warehouse: Warehouse, entry: dict, folder: Path
) -> dict[str, Path]:
    import vl_convert

    from pipelines.reporting.charts import save_chart
    from pipelines.reporting.trade_charts import mineral_chart, minerals_overview

    # The same day the run compares to (TRACKER_AS_OF), so that a past report is reproduced.
    as_of = date.fromisoformat(os.environ.get("TRACKER_AS_OF") or date.today().isoformat())
    table = entry["method"]  # a SQL model name, checked against sql/marts when the catalogue loads
    with warehouse.get_connection() as con:
        values = con.execute(VALUES_SQL.format(table=table), [entry["id"]]).df()
    charts = [
        mineral_chart(mineral, values, entry["title"], as_of)
        for mineral in sorted(values["mineral"].unique())
    ]
    drawn = {}
    folder.mkdir(parents=True, exist_ok=True)
    for item in charts:
        name = f"{entry['id']}--{slug(item.mineral)}"
        # One SVG each: the overview carries the PNG and the offline HTML.
        (folder / f"{name}.svg").write_text(
            vl_convert.vegalite_to_svg(item.chart.to_dict()), encoding="utf-8"
        )
        drawn[item.mineral] = {
            "files": f"{name}.svg",
            "sources": list(item.sources),
            "values": json.loads(item.drawn.to_json(orient="records")),
        }
    (folder / f"{entry['id']}.drawn.json").write_text(json.dumps(drawn, indent=1), encoding="utf-8")
    sources = sorted(values["source"].unique())
    overview = minerals_overview(values, entry["title"], entry.get("subtitle", ""), sources, as_of)
    context.log.info(f"{entry['id']}: {len(charts)} mineral group(s), {len(values)} values")
    return save_chart(overview, folder, entry["id"])
