"""Indicator charts in one consistent theme, saved as PNG, SVG and self-contained HTML."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd

from pipelines.settings import SIGNING_DATE

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
SIGNING_COLOUR = "#b2182b"
PALETTE = ["#2166ac", "#4d9221", "#e08214", "#762a83", "#35978f", "#8c510a", "#c51b7d", "#5e3c99"]


@alt.theme.register("tracker", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 640, "continuousHeight": 300},
            "title": {
                "anchor": "start",
                "fontSize": 16,
                "subtitleFontSize": 12,
                "subtitleColor": "#555",
            },
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6"},
            "range": {"category": PALETTE},
            "legend": {"orient": "bottom", "title": None},
        }
    }


class ScriptSafeJSONEncoder(json.JSONEncoder):
    """JSON that can sit inside an HTML <script> element.

    The page inlines the chart's spec, whose titles come from the catalogue: `</script>` or
    `<!--` in a title would end the script or change how the browser parses it. Escaping `<`, `>`
    and `&` as \\u escapes keeps the same JSON value (they only occur inside strings); with
    ensure_ascii, U+2028/2029, which end a line in older JavaScript, are escaped as well.
    """

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = True
        super().__init__(*args, **kwargs)

    def encode(self, o) -> str:
        text = super().encode(o)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class ChartSpec:
    indicator_id: str
    title: str
    subtitle: str
    unit: str
    sources: str


def period_start(period: str) -> date:
    """A period's first day: '2024' is calendar 2024, 'FY2024-25' starts on 1 April 2024."""
    if period.startswith("FY"):
        return date(int(period[2:6]), 4, 1)
    return date(int(period[:4]), 1, 1)


def indicator_chart(spec: ChartSpec, values: pd.DataFrame) -> alt.VConcatChart:
    """Line chart of an indicator's values per period and series, with the signing date marked."""
    frame = values.assign(start=pd.to_datetime([period_start(p) for p in values["period"]]))
    x = alt.X("start:T", title="Period start", axis=alt.Axis(format="%Y", tickCount="year"))
    single_series = frame["series"].nunique() <= 1
    lines = (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=spec.unit),
            color=alt.Color("series:N", legend=None if single_series else alt.Legend()),
            tooltip=["period:N", "series:N", alt.Tooltip("value:Q", title=spec.unit), "n_events:Q"],
        )
    )
    signing = pd.DataFrame(
        {"start": pd.to_datetime([SIGNING_DATE]), "label": ["Declaration signed, 29 Aug 2025"]}
    )
    rule = alt.Chart(signing).mark_rule(color=SIGNING_COLOUR, strokeDash=[5, 3]).encode(x="start:T")
    label = (
        alt.Chart(signing)
        .mark_text(align="right", dx=-4, dy=-130, color=SIGNING_COLOUR, fontSize=11)
        .encode(x="start:T", text="label:N")
    )
    plot = (lines + rule + label).properties(
        title=alt.TitleParams(spec.title, subtitle=[spec.subtitle] if spec.subtitle else []),
        width=640,
        height=300,
    )
    footer = (
        alt.Chart(pd.DataFrame({"text": [f"Source: {spec.sources}"]}))
        .mark_text(align="left", baseline="top", color="#555", fontSize=10, lineBreak="\n")
        .encode(text="text:N", x=alt.value(0), y=alt.value(0))
        .properties(width=640, height=28)
    )
    return alt.vconcat(plot, footer, spacing=4).configure_concat(spacing=4)


def save_chart(chart: alt.TopLevelMixin, folder: Path, name: str) -> dict[str, Path]:
    """SVG and PNG through vl-convert (the PNG drawn from the SVG, so Vega runs once), and HTML
    with Vega inlined so that it opens offline."""
    import vl_convert

    folder.mkdir(parents=True, exist_ok=True)
    paths = {ext: folder / f"{name}.{ext}" for ext in ("png", "svg", "html")}
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    paths["svg"].write_text(svg, encoding="utf-8")
    paths["png"].write_bytes(vl_convert.svg_to_png(svg))
    chart.save(paths["html"], inline=True, json_kwds={"cls": ScriptSafeJSONEncoder})
    # Browsers ask for /favicon.ico otherwise, a 404 in the console of a page served locally.
    page = paths["html"].read_text(encoding="utf-8")
    paths["html"].write_text(
        page.replace("<head>", '<head>\n<link rel="icon" href="data:,">', 1), encoding="utf-8"
    )
    return paths
