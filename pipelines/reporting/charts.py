"""Indicator charts in one consistent theme, saved as PNG, SVG and self-contained HTML."""

from __future__ import annotations

import html
import json
import re
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
    counts: bool = False  # event counts per year: bars on an integer axis, part periods apart
    commitments: tuple[str, ...] = ()  # more than one: the chart pools them, and says so


MIN_PERIODS_FOR_A_LINE = 3  # fewer points are a table: a line through two points claims a trend
PART_COLOUR = "#2166ac"
UNSEARCHED_COLOUR = "#999999"


def period_start(period: str) -> date:
    """A period's first day: '2024' is calendar 2024, 'FY2024-25' starts on 1 April 2024."""
    if period.startswith("FY"):
        return date(int(period[2:6]), 4, 1)
    return date(int(period[:4]), 1, 1)


def period_end(period: str) -> date:
    """A period's last day: 31 December, or 31 March for an Indian financial year."""
    if period.startswith("FY"):
        return date(int(period[2:6]) + 1, 3, 31)
    return date(int(period[:4]), 12, 31)


def indicator_chart(spec: ChartSpec, values: pd.DataFrame) -> alt.TopLevelMixin:
    """The chart of an indicator: bars of counts, a line of values, or a table when too short."""
    if values["period"].nunique() < MIN_PERIODS_FOR_A_LINE:
        return values_table(spec, values)
    plot = count_bars(spec, values) if spec.counts else value_lines(spec, values)
    return _with_caption(plot, _caption(spec, values))


def count_bars(spec: ChartSpec, values: pd.DataFrame) -> alt.LayerChart:
    """Counts per period as bars on an integer axis with n above each bar. A part period (searched
    to a day inside it) is a hollow dashed bar labelled "part year"; a period nobody searched yet
    gets no bar, only the words "not yet searched"."""
    frame = _with_status(values).assign(
        start=lambda f: pd.to_datetime([period_start(p) for p in f["period"]]),
        end=lambda f: pd.to_datetime([period_end(p) for p in f["period"]]),
        label=lambda f: "n = " + f["n_events"].astype(int).astype(str),
    )
    x = alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    y = alt.Y(
        "value:Q",
        title=f"{spec.unit} (n)",
        axis=alt.Axis(format="d", tickMinStep=1),
        scale=alt.Scale(domainMin=0, nice=True),
    )
    tooltip = ["period:N", "n_events:Q", "period_status:N"]
    complete = frame[frame["period_status"] == "complete"]
    part = frame[frame["period_status"] == "part year"]
    unsearched = frame[frame["period_status"] == "not yet searched"]
    layers = [
        alt.Chart(complete, name="complete")
        .mark_bar(color=PALETTE[0], binSpacing=2)
        .encode(x=x, x2="end:T", y=y, y2=alt.datum(0), tooltip=tooltip),
        alt.Chart(part, name="part_year")
        .mark_bar(
            fill="white", fillOpacity=0, stroke=PART_COLOUR, strokeDash=[4, 3], strokeWidth=1.5
        )
        .encode(x=x, x2="end:T", y=y, y2=alt.datum(0), tooltip=tooltip),
        alt.Chart(frame[frame["period_status"] != "not yet searched"])
        .mark_text(dy=-6, baseline="bottom", fontSize=10, color="#333")
        .encode(x=alt.X("mid:T"), y=y, text="label:N")
        .transform_calculate(mid="(toDate(datum.start) + toDate(datum.end)) / 2"),
        # right-aligned on the period's end, so the label stays inside the plot
        alt.Chart(part.assign(note=part["coverage_through"].map(_part_label)))
        .mark_text(dy=-20, align="right", baseline="bottom", fontSize=10, color=PART_COLOUR)
        .encode(x=alt.X("end:T"), y=y, text="note:N"),
        alt.Chart(unsearched.assign(note="not yet searched"))
        .mark_text(angle=270, align="left", dy=0, fontSize=10, color=UNSEARCHED_COLOUR)
        .encode(x=alt.X("mid:T"), y=alt.datum(0), text="note:N")
        .transform_calculate(mid="(toDate(datum.start) + toDate(datum.end)) / 2"),
    ]
    return alt.layer(*layers, *_signing_layers()).properties(
        title=alt.TitleParams(spec.title, subtitle=[spec.subtitle] if spec.subtitle else []),
        width=640,
        height=300,
    )


def value_lines(spec: ChartSpec, values: pd.DataFrame) -> alt.LayerChart:
    """Values per period and series as lines; a value flagged doubtful is a hollow point."""
    frame = values.assign(start=pd.to_datetime([period_start(p) for p in values["period"]]))
    if "doubtful" not in frame:
        frame = frame.assign(doubtful=False)
    frame["doubtful"] = frame["doubtful"].fillna(False).astype(bool)
    x = alt.X("start:T", title="Period start", axis=alt.Axis(format="%Y", tickCount="year"))
    single_series = frame["series"].nunique() <= 1
    colour = alt.Color("series:N", legend=None if single_series else alt.Legend())
    tooltip = ["period:N", "series:N", alt.Tooltip("value:Q", title=spec.unit), "n_events:Q"]
    lines = (
        alt.Chart(frame[~frame["doubtful"]])
        .mark_line(point=True, strokeWidth=2)
        .encode(x=x, y=alt.Y("value:Q", title=spec.unit), color=colour, tooltip=tooltip)
    )
    doubtful = (
        alt.Chart(frame[frame["doubtful"]], name="doubtful")
        .mark_point(filled=False, size=80, strokeDash=[2, 2])
        .encode(x=x, y="value:Q", color=colour, tooltip=[*tooltip, "doubtful:N"])
    )
    return alt.layer(lines, doubtful, *_signing_layers()).properties(
        title=alt.TitleParams(spec.title, subtitle=[spec.subtitle] if spec.subtitle else []),
        width=640,
        height=300,
    )


def values_table(spec: ChartSpec, values: pd.DataFrame) -> alt.VConcatChart:
    """Too few periods for a line: the values as a table, with the same title and caption."""
    rows = []
    for number, record in enumerate(values.sort_values(["period", "series"]).to_dict("records")):
        for column, text in (
            ("period", record["period"]),
            ("series", record["series"]),
            (spec.unit, f"{record['value']:,.2f}".rstrip("0").rstrip(".")),
            ("n", "" if pd.isna(record.get("n_events")) else str(int(record["n_events"]))),
        ):
            rows.append({"row": number, "column": column, "text": str(text)})
    order = ["period", "series", spec.unit, "n"]
    table = (
        alt.Chart(pd.DataFrame(rows), name="values_table")
        .mark_text(align="left", fontSize=12)
        .encode(
            x=alt.X("column:N", sort=order, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
            y=alt.Y("row:O", axis=None),
            text="text:N",
        )
        .properties(
            title=alt.TitleParams(
                spec.title,
                subtitle=[*([spec.subtitle] if spec.subtitle else []),
                          "Fewer than three periods: shown as a table, not a line"],
            ),
            width=640,
            height=24 * max(len(values), 1),
        )
    )  # fmt: skip
    return _with_caption(table, _caption(spec, values))


def mechanism_timeline(
    title: str, editions: pd.DataFrame, mechanisms: pd.DataFrame, sources: str
) -> alt.VConcatChart:
    """Editions of a commitment's recurring mechanisms on a time line: held (late ones marked),
    the next edition expected, or overdue; the days after coverage shaded as not yet searched.

    `editions`: mechanism (name), held_on, held_late. `mechanisms`: mechanism, next_due, status,
    window_end (coverage_through).
    """
    held = editions.assign(
        when=pd.to_datetime(editions["held_on"]),
        held_on=lambda f: f["when"].dt.strftime("%Y-%m-%d"),
        what=editions["held_late"].map({True: "held late", False: "held"}),
    )
    due = mechanisms.dropna(subset=["next_due"]).assign(
        when=lambda f: pd.to_datetime(f["next_due"]),
        next_due=lambda f: f["when"].dt.strftime("%Y-%m-%d"),
        window_end=lambda f: pd.to_datetime(f["window_end"]).dt.strftime("%Y-%m-%d"),
        what=lambda f: f["status"].map(lambda s: "overdue" if s == "overdue" else "expected"),
    )
    domain = ["held", "held late", "expected", "overdue"]
    colours = [PALETTE[0], PALETTE[2], "#777777", SIGNING_COLOUR]
    colour = alt.Color("what:N", scale=alt.Scale(domain=domain, range=colours), title=None)
    shape = alt.Shape(
        "what:N", scale=alt.Scale(domain=domain, range=["circle", "circle", "diamond", "cross"])
    )
    y = alt.Y("mechanism:N", title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("when:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    points = (
        alt.Chart(held, name="editions")
        .mark_point(filled=True, size=90, opacity=1)
        .encode(x=x, y=y, color=colour, shape=shape, tooltip=["mechanism:N", "held_on:N", "what:N"])
    )
    expected = (
        alt.Chart(due, name="next_due")
        .mark_point(filled=False, size=120, strokeWidth=2)
        .encode(
            x=x, y=y, color=colour, shape=shape, tooltip=["mechanism:N", "next_due:N", "what:N"]
        )
    )
    layers = [points, expected, *_signing_layers()]
    window_end = mechanisms["window_end"].dropna()
    if len(window_end):
        end = pd.to_datetime(window_end.min())
        last = max(end, pd.to_datetime(due["when"]).max() if len(due) else end)
        shade = pd.DataFrame(
            {
                "start": [end],
                "end": [last + pd.Timedelta(days=60)],
                "note": [f"not yet searched (after {end.date()})"],
            }
        )
        layers.insert(
            0,
            alt.Chart(shade, name="not_yet_searched")
            .mark_rect(color="#eeeeee")
            .encode(x="start:T", x2="end:T"),
        )
        layers.append(alt.Chart(shade).mark_text(align="left", baseline="top", dx=4, dy=4,
                                                 color=UNSEARCHED_COLOUR, fontSize=10)
                      .encode(x="start:T", y=alt.value(0), text="note:N"))  # fmt: skip
    plot = alt.layer(*layers).properties(
        title=alt.TitleParams(
            title, subtitle=["Editions held, and the next one expected or overdue"]
        ),
        width=640,
        height=max(60, 40 * mechanisms["mechanism"].nunique()),
    )
    return _with_caption(plot, f"Source: {sources}")


def _with_status(values: pd.DataFrame) -> pd.DataFrame:
    frame = values.copy()
    if "period_status" not in frame:
        frame["period_status"] = "complete"
    if "coverage_through" not in frame:
        frame["coverage_through"] = None
    frame["period_status"] = frame["period_status"].fillna("complete")
    # dates as ISO text: Vega-Lite specs are JSON
    frame["coverage_through"] = [
        None if pd.isna(v) else pd.Timestamp(v).date().isoformat()
        for v in frame["coverage_through"]
    ]
    return frame


def _part_label(coverage_through) -> str:
    if coverage_through is None or pd.isna(coverage_through):
        return "part year"
    return f"part year (to {pd.Timestamp(coverage_through).date()})"


def _caption(spec: ChartSpec, values: pd.DataFrame) -> str:
    lines = [f"Source: {spec.sources}"]
    if len(spec.commitments) > 1:
        lines.append(
            f"Pools commitments {', '.join(spec.commitments)}: an event evidencing several counts once."
        )
    if spec.counts:
        frame = _with_status(values)
        coverage = frame["coverage_through"].dropna()
        if len(coverage):
            lines.append(
                f"Registers searched through {pd.Timestamp(coverage.min()).date()}: a hollow dashed bar is "
                "a part year; later periods are not yet searched."
            )
        else:
            lines.append(
                "The registers behind this chart have not been searched systematically yet."
            )
    return "\n".join(lines)


def _signing_layers() -> list[alt.Chart]:
    signing = pd.DataFrame(
        {"start": pd.to_datetime([SIGNING_DATE]), "label": ["Declaration signed, 29 Aug 2025"]}
    )
    rule = alt.Chart(signing).mark_rule(color=SIGNING_COLOUR, strokeDash=[5, 3]).encode(x="start:T")
    label = (
        alt.Chart(signing)
        .mark_text(align="right", baseline="top", dx=-4, color=SIGNING_COLOUR, fontSize=11)
        .encode(x="start:T", y=alt.value(2), text="label:N")
    )
    return [rule, label]


def _with_caption(plot: alt.TopLevelMixin, caption: str) -> alt.VConcatChart:
    footer = (
        alt.Chart(pd.DataFrame({"text": [caption]}))
        .mark_text(align="left", baseline="top", color="#555", fontSize=10, lineBreak="\n")
        .encode(text="text:N", x=alt.value(0), y=alt.value(0))
        .properties(width=640, height=14 * (caption.count("\n") + 2))
    )
    return alt.vconcat(plot, footer, spacing=4).configure_concat(spacing=4)


def describe(spec: ChartSpec, values: pd.DataFrame) -> str:
    """One line that says what the chart shows, for its alt text: the span, the total or the
    latest value, the peak, and what is not complete."""
    if values.empty:
        return "No values yet."
    periods = sorted(values["period"].astype(str).unique())
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    if spec.counts:
        frame = _with_status(values)
        counted = frame[frame["period_status"] != "not yet searched"]
        totals = counted.groupby("period")["value"].sum()
        unit = spec.unit if "per year" in spec.unit else f"{spec.unit} per year"
        unit = unit[:1].upper() + unit[1:]
        if totals.empty:
            return f"{unit}, {span}: no year searched yet."
        peak = totals.idxmax()
        text = (f"{unit}, {span}: {_number(totals.sum())} in all, "
                f"most in {peak} ({_number(totals[peak])})")  # fmt: skip
        part = frame.loc[frame["period_status"] == "part year", "period"].astype(str)
        if len(part):
            text += f"; {', '.join(sorted(part.unique()))} searched only in part"
        return text + "."
    latest = values[values["period"].astype(str) == periods[-1]]
    parts = [
        f"{row['series']} {_number(row['value'])}" if row.get("series") else _number(row["value"])
        for row in latest.to_dict("records")
    ]
    return f"{spec.unit} by period, {span}; latest ({periods[-1]}): {', '.join(parts[:4])}."


def describe_timeline(editions: pd.DataFrame, mechanisms: pd.DataFrame) -> str:
    """One line for a mechanism timeline: editions drawn, the last, and what is due next."""
    held = (
        pd.to_datetime(editions["held_on"])
        if len(editions)
        else pd.Series([], dtype="datetime64[ns]")
    )
    text = (f"{len(editions)} edition(s) of {mechanisms['mechanism'].nunique()} mechanism(s)"
            + (f" from {held.min():%Y} to {held.max():%d %b %Y}" if len(held) else ""))  # fmt: skip
    due = [f"{row['mechanism']}: next due {pd.Timestamp(row['next_due']):%d %b %Y} ({row['status']})"
           for row in mechanisms.dropna(subset=["next_due"]).to_dict("records")]  # fmt: skip
    return text + ("; " + "; ".join(due) if due else "") + "."


def describe_series(unit: str, values: pd.DataFrame, group: str) -> str:
    """One line for a chart of values by `group` (e.g. mineral) and period."""
    if values.empty:
        return "No values yet."
    periods = sorted(values["period"].astype(str).unique())
    groups = sorted(values[group].astype(str).unique()) if group in values else []
    which = groups[0] if len(groups) == 1 else f"{len(groups)} {group} groups"
    return (f"{unit} for {which}, {periods[0]} to {periods[-1]}; "
            f"{len(values)} values, each with its source.")  # fmt: skip


def _number(value) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if pd.notna(value) else "no value"


def label_svg(svg: str, title: str, summary: str, name: str = "chart") -> str:
    """The SVG as one image for assistive technology: role img, a <title> and a <desc> (their ids
    from the file's name, unique on a page that inlines several charts)."""
    ids = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "chart"
    root = re.match(r"<svg\b[^>]*>", svg)
    if root is None:
        raise ValueError("not an SVG document")
    opening = root.group(0)[:-1] + (
        f' role="img" aria-labelledby="{ids}-title {ids}-desc">'
        f'<title id="{ids}-title">{html.escape(title)}</title>'
        f'<desc id="{ids}-desc">{html.escape(summary)}</desc>'
    )
    return opening + _UNNAMED_ROLE.sub(_drop_role, svg[root.end() :])


# Vega gives mark containers a graphics role but no name: an image part without a name, which a
# screen reader announces as an empty graphic. Such elements lose the role; named marks keep it.
_UNNAMED_ROLE = re.compile(r'<[a-z]+\b[^>]*\brole="(?:img|graphics-[a-z]+)"[^>]*>')


def _drop_role(tag: re.Match) -> str:
    text = tag.group(0)
    if "aria-label=" in text:
        return text
    return re.sub(r'\s(?:role|aria-roledescription)="[^"]*"', "", text)


def label_html(page: str, title: str, summary: str) -> str:
    """The interactive chart's page: a language, a <title>, and the chart labelled as an image."""
    page = page.replace("<html>", '<html lang="en">', 1).replace(
        "<head>", f'<head>\n<title>{html.escape(title)}</title>\n<link rel="icon" href="data:,">', 1
    )
    label = html.escape(f"{title}. {summary}", quote=True)
    return re.sub(
        r'<div\b([^>]*\bid="vis"[^>]*)>',
        lambda m: f'<div{m.group(1)} role="img" aria-label="{label}">',
        page,
        count=1,
    )


def save_chart(
    chart: alt.TopLevelMixin, folder: Path, name: str, title: str = "", summary: str = ""
) -> dict[str, Path]:
    """SVG and PNG through vl-convert (the PNG drawn from the SVG, so Vega runs once), and HTML
    with Vega inlined so that it opens offline. The SVG and the HTML carry the chart's title and
    a one-line summary as their text alternative."""
    import vl_convert

    folder.mkdir(parents=True, exist_ok=True)
    paths = {ext: folder / f"{name}.{ext}" for ext in ("png", "svg", "html")}
    title = title or name
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    paths["png"].write_bytes(vl_convert.svg_to_png(svg))
    paths["svg"].write_text(label_svg(svg, title, summary, name), encoding="utf-8")
    # Drawn on a canvas under one label (the SVG file is the accessible copy); no export menu,
    # whose unlabelled toggle a screen reader cannot name and whose files are saved beside it.
    chart.save(
        paths["html"], inline=True, json_kwds={"cls": ScriptSafeJSONEncoder},
        embed_options={"actions": False, "renderer": "canvas"},
    )  # fmt: skip
    # Browsers ask for /favicon.ico otherwise, a 404 in the console of a page served locally.
    page = paths["html"].read_text(encoding="utf-8")
    paths["html"].write_text(label_html(page, title, summary), encoding="utf-8")
    return paths
