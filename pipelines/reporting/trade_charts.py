"""Critical-minerals trade charts: one small multiple per mineral group, each naming its source.

A figure that India publishes as 0.00 (US$ million, two decimals) means "under US$ 5,000": it is
drawn at its ceiling as an open triangle labelled "< US$ 5k", on a logarithmic axis that has no
zero to fall to. Financial years and calendar years get separate panels with their own axis
titles, and the latest complete period of each panel is marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import pandas as pd

from pipelines.reporting.charts import FONT, PALETTE

BELOW = "< US$ 5k a figure (published as 0.00)"
PERIOD_TITLES = {
    "financial_year": "Indian financial year (April–March)",
    "calendar_year": "Calendar year",
    "month": "Month",
    "part_year": "Part of a year",
}
KEY = (
    "Open triangle: published as 0.00, i.e. under US$ 5,000 a figure, not zero. "
    "Square: upper bound (codes that also carry other goods)."
)
PANEL_WIDTH, PANEL_HEIGHT = 300, 170


@dataclass(frozen=True)
class Axis:
    """The value axis: US$ million on a log scale (trade), or a linear percent (shares)."""

    title: str = "US$ million (log scale)"
    scale: str = "log"
    unit: str = "US$ million"

    def y(self) -> alt.Y:
        return alt.Y("y:Q", title=self.title, scale=alt.Scale(type=self.scale))


TRADE_AXIS = Axis()


@dataclass(frozen=True)
class MineralChart:
    """What one mineral group's chart shows, and the values it draws (`drawn`)."""

    mineral: str
    chart: alt.TopLevelMixin
    drawn: pd.DataFrame
    sources: tuple[str, ...]


def period_end(period: str, kind: str) -> date:
    if kind == "financial_year":
        return date(int(period[2:6]) + 1, 3, 31)
    if kind == "month":
        year, month = int(period[:4]), int(period[5:7])
        return date(year + month // 12, month % 12 + 1, 1)
    return date(int(period[:4]), 12, 31)


def drawn_values(values: pd.DataFrame, unit: str = "US$ million") -> pd.DataFrame:
    """Where each value is drawn: at its ceiling when it is below the rounding threshold."""
    frame = values.copy()
    below = frame["below_rounding"].fillna(False).astype(bool)
    frame["below_rounding"] = below
    frame["y"] = frame["value"].where(~below, frame["below_rounding_limit_million"])
    frame["label"] = frame["value"].map(lambda v: f"{v:,.2f} {unit}")
    frame.loc[below, "label"] = frame.loc[below, "below_rounding_limit_million"].map(
        lambda v: f"< US$ {v * 1000:,.0f}k (published as 0.00)"
    )
    frame["mark"] = frame["measure"].where(~below, BELOW)
    return frame


def latest_complete(frame: pd.DataFrame, as_of: date) -> str | None:
    """The newest period of the panel that had ended by `as_of`."""
    ended = [
        p
        for p, k in zip(frame["period"], frame["period_kind"], strict=True)
        if period_end(p, k) < as_of
    ]
    return max(ended) if ended else None


def _layers(frame: pd.DataFrame, x: alt.X, y: alt.Y, inherit: bool = False) -> list[alt.Chart]:
    """Lines and points of the published values, open triangles for those under US$ 5k.

    `inherit` filters one shared dataset instead (a faceted chart needs its data at the top).
    """
    colour = alt.Color(
        "flow_label:N", title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=320)
    )
    shape = alt.Shape(
        "measure:N",
        title=None,
        scale=alt.Scale(domain=["specific", "upper bound"], range=["circle", "square"]),
        legend=alt.Legend(orient="bottom", columns=1),
    )
    tooltip = ["period:N", "flow_label:N", "measure:N", "label:N", "source:N"]
    known, below = frame[~frame["below_rounding"]], frame[frame["below_rounding"]]

    def chart(subset: pd.DataFrame, published: bool) -> alt.Chart:
        if not inherit:
            return alt.Chart(subset)
        test = ~alt.datum.below_rounding if published else alt.datum.below_rounding
        return alt.Chart().transform_filter(test)

    layers = []
    # An empty layer on a log scale breaks Vega's sizing: draw only layers with data.
    if len(known):
        layers.append(
            chart(known, True)
            .mark_line(strokeWidth=1.5)
            .encode(x=x, y=y, color=colour, strokeDash="measure:N", detail="measure:N")
        )
        layers.append(
            chart(known, True)
            .mark_point(filled=True, size=40)
            .encode(x=x, y=y, color=colour, shape=shape, tooltip=tooltip)
        )
    if len(below):
        layers.append(
            chart(below, False)
            .mark_point(shape="triangle-down", filled=False, size=70, strokeWidth=1.5)
            .encode(x=x, y=y, color=colour, tooltip=tooltip)
        )
    return layers


def _panel(frame: pd.DataFrame, kind: str, as_of: date, axis: Axis) -> alt.LayerChart:
    x = alt.X("period:O", title=PERIOD_TITLES.get(kind, kind), axis=alt.Axis(labelAngle=-45))
    y = axis.y()
    layers = _layers(frame, x, y)
    latest = latest_complete(frame, as_of)
    if latest is not None:
        marker = pd.DataFrame({"period": [latest], "text": [f"latest complete: {latest}"]})
        layers.append(
            alt.Chart(marker).mark_rule(color="#555", strokeDash=[3, 3]).encode(x="period:O")
        )
        layers.append(
            alt.Chart(marker)
            .mark_text(align="right", dx=-3, dy=-PANEL_HEIGHT / 2 + 8, fontSize=10, color="#555")
            .encode(x="period:O", text="text:N")
        )
    return alt.layer(*layers).properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)


def mineral_chart(
    mineral: str, values: pd.DataFrame, title: str, as_of: date, axis: Axis = TRADE_AXIS
) -> MineralChart:
    """One mineral group: a panel per period kind, the sources named underneath."""
    frame = drawn_values(values[values["mineral"] == mineral], axis.unit)
    panels = [
        _panel(frame[frame["period_kind"] == kind], kind, as_of, axis)
        for kind in sorted(frame["period_kind"].unique())
    ]
    sources = tuple(sorted(frame["source"].unique()))
    footer = (
        alt.Chart(pd.DataFrame({"text": [f"Source: {'; '.join(sources)}\n{KEY}"]}))
        .mark_text(align="left", baseline="top", color="#555", fontSize=10, lineBreak="\n")
        .encode(text="text:N", x=alt.value(0), y=alt.value(0))
        .properties(width=PANEL_WIDTH, height=30)
    )
    chart = alt.vconcat(
        alt.hconcat(*panels).properties(title=alt.TitleParams(f"{title}: {mineral}")), footer
    )
    return MineralChart(mineral, chart, frame, sources)


def minerals_overview(
    values: pd.DataFrame,
    title: str,
    subtitle: str,
    sources: list[str],
    as_of: date,
    axis: Axis = TRADE_AXIS,
) -> alt.VConcatChart:
    """The financial-year series of every mineral group as small multiples, one facet each.

    Calendar-year figures (Comtrade, OEC) stay in each mineral group's own chart: one axis never
    holds both kinds of year.
    """
    frame = drawn_values(values[values["period_kind"] == "financial_year"], axis.unit)
    x = alt.X("period:O", title=PERIOD_TITLES["financial_year"], axis=alt.Axis(labelAngle=-45))
    y = axis.y()
    latest = latest_complete(frame, as_of) if len(frame) else None
    layers = _layers(frame, x, y, inherit=True) or [alt.Chart().mark_point()]
    if latest is not None:
        layers.append(
            alt.Chart()
            .transform_filter(alt.datum.period == latest)
            .mark_rule(color="#555", strokeDash=[3, 3])
            .encode(x="period:O")
        )
    grid = (
        alt.layer(*layers)
        .properties(width=220, height=120)
        .facet(facet=alt.Facet("mineral:N", title=None), columns=4, data=frame)
        .resolve_scale(y="independent")
    )
    mark = f"Dotted vertical line: latest complete year ({latest}). " if latest else ""
    footer = (
        alt.Chart(pd.DataFrame({"text": [f"Source: {'; '.join(sources)}\n{mark}{KEY}"]}))
        .mark_text(align="left", baseline="top", color="#555", fontSize=10, lineBreak="\n")
        .encode(text="text:N", x=alt.value(0), y=alt.value(0))
        .properties(width=900, height=30)
    )
    return (
        alt.vconcat(grid, footer)
        .properties(title=alt.TitleParams(title, subtitle=[subtitle] if subtitle else []))
        .configure(font=FONT)
        .configure_range(category=PALETTE)
    )
