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
PANEL_WIDTH, PANEL_HEIGHT = 300, 170


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


def drawn_values(values: pd.DataFrame) -> pd.DataFrame:
    """Where each value is drawn: at its ceiling when it is below the rounding threshold."""
    frame = values.copy()
    below = frame["below_rounding"].fillna(False).astype(bool)
    frame["below_rounding"] = below
    frame["y"] = frame["value"].where(~below, frame["below_rounding_limit_million"])
    frame["label"] = frame["value"].map(lambda v: f"US$ {v:,.2f} million")
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


def _panel(frame: pd.DataFrame, kind: str, as_of: date) -> alt.LayerChart:
    x = alt.X("period:O", title=PERIOD_TITLES.get(kind, kind), axis=alt.Axis(labelAngle=-45))
    y = alt.Y("y:Q", title="US$ million (log scale)", scale=alt.Scale(type="log"))
    colour = alt.Color("flow_measure:N", title=None)
    tooltip = ["period:N", "flow_label:N", "measure:N", "label:N", "source:N"]
    frame = frame.assign(flow_measure=frame["flow_label"] + ", " + frame["measure"])
    # Lines join published values only; an empty layer on a log scale breaks Vega's sizing.
    known = frame[~frame["below_rounding"]]
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=40)
        .encode(
            x=x,
            y=y,
            color=colour,
            shape=alt.Shape(
                "mark:N",
                title=None,
                scale=alt.Scale(
                    domain=["specific", "upper bound", BELOW],
                    range=["circle", "square", "triangle-down"],
                ),
            ),
            fill=alt.condition(alt.datum.below_rounding, alt.value("white"), colour),
            tooltip=tooltip,
        )
    )
    layers = [points]
    if len(known):
        lines = alt.Chart(known).mark_line(strokeWidth=1.5)
        layers.insert(0, lines.encode(x=x, y=y, color=colour, detail="flow_measure:N"))
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


def mineral_chart(mineral: str, values: pd.DataFrame, title: str, as_of: date) -> MineralChart:
    """One mineral group: a panel per period kind, the sources named underneath."""
    frame = drawn_values(values[values["mineral"] == mineral])
    panels = [
        _panel(frame[frame["period_kind"] == kind], kind, as_of)
        for kind in sorted(frame["period_kind"].unique())
    ]
    sources = tuple(sorted(frame["source"].unique()))
    footer = (
        alt.Chart(pd.DataFrame({"text": ["Source: " + "; ".join(sources)]}))
        .mark_text(align="left", baseline="top", color="#555", fontSize=10)
        .encode(text="text:N", x=alt.value(0), y=alt.value(0))
        .properties(width=PANEL_WIDTH, height=16)
    )
    chart = alt.vconcat(
        alt.hconcat(*panels).properties(title=alt.TitleParams(f"{title}: {mineral}")), footer
    )
    return MineralChart(mineral, chart, frame, sources)


def minerals_overview(charts: list[MineralChart], title: str, subtitle: str) -> alt.VConcatChart:
    """The small multiples side by side, two to a row, each keeping its own source line."""
    rows = [
        alt.hconcat(*(c.chart for c in charts[i : i + 2])) for i in range(0, len(charts), 2)
    ] or [alt.Chart(pd.DataFrame({"t": ["No figures yet"]})).mark_text().encode(text="t:N")]
    return (
        alt.vconcat(*rows)
        .properties(title=alt.TitleParams(title, subtitle=[subtitle] if subtitle else []))
        .configure(font=FONT)
        .configure_range(category=PALETTE)
        .configure_legend(orient="bottom", title=None)
    )
