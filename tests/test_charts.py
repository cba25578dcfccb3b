"""Charts cannot mislead: part periods apart, integer counts with n, sources named, short series as
tables, doubtful values marked, and timelines of editions. Checked on the Vega-Lite specs."""

import json
import re
from datetime import date

import pandas as pd

from pipelines.reporting.charts import ChartSpec, indicator_chart, mechanism_timeline

SPEC = ChartSpec(
    "port_calls", "Port calls", "", "port calls per year", "Event registers", counts=True,
    commitments=("2.1", "2.3"),
)  # fmt: skip


def _counts(*rows: tuple[str, int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"period": p, "series": "events", "value": float(n), "n_events": n,
             "period_status": s, "coverage_through": pd.Timestamp("2026-03-31")}
            for p, n, s in rows
        ]
    )  # fmt: skip


def _layers(chart) -> dict[str, dict]:
    spec = chart.to_dict()
    plot = spec["vconcat"][0]
    # Altair suffixes a layer's name with its position ("part_year_0")
    names = [
        re.sub(r"_\d+$", "", layer.get("name", f"#{i}")) for i, layer in enumerate(plot["layer"])
    ]
    return dict(zip(names, plot["layer"], strict=True)), spec


def _data(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def test_a_part_year_is_a_hollow_dashed_bar_labelled_and_the_unsearched_has_no_bar():
    values = _counts(("2023", 3, "complete"), ("2024", 5, "complete"), ("2025", 2, "complete"),
                     ("2026", 1, "part year"))  # fmt: skip
    layers, spec = _layers(indicator_chart(SPEC, values))
    complete, part = layers["complete"], layers["part_year"]
    assert [r["period"] for r in _data(spec, complete)] == ["2023", "2024", "2025"]
    assert [r["period"] for r in _data(spec, part)] == ["2026"]
    assert part["mark"]["fillOpacity"] == 0 and part["mark"]["strokeDash"]
    assert "fillOpacity" not in complete["mark"]
    texts = json.dumps(spec)
    assert "part year (to 2026-03-31)" in texts


def test_counts_sit_on_an_integer_axis_with_n_shown():
    values = _counts(("2023", 3, "complete"), ("2024", 5, "complete"), ("2025", 2, "complete"))
    layers, spec = _layers(indicator_chart(SPEC, values))
    axis = layers["complete"]["encoding"]["y"]["axis"]
    assert axis["format"] == "d" and axis["tickMinStep"] == 1
    labels = [r["label"] for layer in layers.values() if "data" in layer
              for r in _data(spec, layer) if "label" in r]  # fmt: skip
    assert {"n = 3", "n = 5", "n = 2"} <= set(labels)


def test_every_chart_names_its_sources_and_the_commitments_it_pools():
    values = _counts(("2023", 3, "complete"), ("2024", 5, "complete"), ("2025", 2, "complete"))
    spec = indicator_chart(SPEC, values).to_dict()
    caption = spec["datasets"][spec["vconcat"][1]["data"]["name"]][0]["text"]
    assert "Source: Event registers" in caption
    assert "Pools commitments 2.1, 2.3" in caption
    assert "searched through 2026-03-31" in caption


def test_fewer_than_three_periods_are_a_table_not_a_line():
    chart = indicator_chart(SPEC, _counts(("2025", 2, "complete"), ("2026", 1, "part year")))
    spec = chart.to_dict()
    table = spec["vconcat"][0]
    assert table["mark"]["type"] == "text"
    assert '"type": "line"' not in json.dumps(spec)
    assert "not a line" in json.dumps(table["title"])


def test_a_doubtful_value_is_drawn_apart():
    values = pd.DataFrame(
        {"period": ["2022", "2023", "2024"], "series": ["exports"] * 3, "value": [1.0, 2.0, 9.0],
         "n_events": [None] * 3, "doubtful": [False, False, True]}
    )  # fmt: skip
    spec = ChartSpec("trade", "Trade", "", "USD million", "Published figures")
    layers, full = _layers(indicator_chart(spec, values))
    assert [r["period"] for r in _data(full, layers["doubtful"])] == ["2024"]
    assert layers["doubtful"]["mark"]["filled"] is False


def test_a_timeline_shows_editions_held_late_and_overdue():
    editions = pd.DataFrame({"mechanism": ["NSA"] * 2, "held_on": [date(2019, 11, 25), date(2025, 10, 1)],
                             "held_late": [False, True]})  # fmt: skip
    mechanisms = pd.DataFrame({"mechanism": ["NSA"], "next_due": [date(2026, 8, 29)],
                               "status": ["overdue"], "window_end": [date(2026, 12, 2)]})  # fmt: skip
    layers, spec = _layers(mechanism_timeline("6.1", editions, mechanisms, "registers"))
    assert [r["what"] for r in _data(spec, layers["editions"])] == ["held", "held late"]
    assert [r["what"] for r in _data(spec, layers["next_due"])] == ["overdue"]
    assert "not yet searched (after 2026-12-02)" in json.dumps(spec)
