"""India's Export Import Data Bank figures: the bundled source, its load, its series and charts."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipelines import settings
from pipelines.assets.trade_charts import slug
from pipelines.sources.eidb import EidbError, read_eidb

EIDB = settings.snapshots_dir() / "eidb"
SOURCE = "DGCI&S / Department of Commerce, Export Import Data Bank (tradestat.commerce.gov.in)"


def _bundled() -> pd.DataFrame:
    """Every figure of the bundled files, read independently of the loader."""
    frames = []
    for name, code in [
        ("eidb_india_exports_to_japan_hs8.csv", "hs8"),
        ("eidb_india_japan_hs4_two_way.csv", "hs_code"),
    ]:
        frame = pd.read_csv(EIDB / name, dtype=str, keep_default_na=False)
        frames.append(
            pd.DataFrame(
                {
                    "snapshot_id": [f"{name}:{n}" for n in range(2, len(frame) + 2)],
                    "reporter": frame["reporter"],
                    "partner": frame["partner"],
                    "flow": frame["flow"],
                    "hs_code": frame[code],
                    "period": frame["financial_year"],
                    "value_usd_million": frame["value_usd_million"],
                    "quantity_kg": frame.get("quantity_kg", pd.Series([""] * len(frame))),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "eidb"
    shutil.copytree(EIDB, folder)
    return folder


def _edit_manifest(folder: Path, column: str, old: str, new: str) -> None:
    manifest = pd.read_csv(folder / "manifest.csv", dtype=str, keep_default_na=False)
    manifest[column] = manifest[column].replace(old, new)
    manifest.to_csv(folder / "manifest.csv", index=False)


def test_the_loader_reads_every_bundled_figure():
    frame = read_eidb(EIDB)
    assert len(frame) == len(_bundled()) == 418
    assert set(frame["layout"]) == {"hs8_exports", "hs4_two_way"}


@pytest.mark.parametrize("name", ["../outside.csv", "/etc/passwd", "sub/../../outside.csv"])
def test_a_manifest_file_outside_its_folder_is_refused(tmp_path, name):
    folder = _copy(tmp_path)
    (tmp_path / "outside.csv").write_text("reporter,partner,flow\n")
    _edit_manifest(folder, "file", "eidb_india_japan_hs4_two_way.csv", name)
    with pytest.raises(EidbError, match="not inside"):
        read_eidb(folder)


def test_a_changed_file_or_row_count_is_refused(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "eidb_india_japan_hs4_two_way.csv"
    path.write_text(path.read_text().replace(",0.05\n", ",0.06\n", 1))
    with pytest.raises(EidbError, match="sha256"):
        read_eidb(folder)
    folder = _copy(tmp_path / "again")
    _edit_manifest(folder, "row_count", "86", "87")
    with pytest.raises(EidbError, match="86 rows, manifest says 87"):
        read_eidb(folder)


def test_minerals_trade_holds_the_eidb_series(warehouse):
    rows, years, sourced = warehouse.execute(
        "SELECT count(*), count(DISTINCT period) FILTER (WHERE period_kind = 'financial_year'), "
        "count(*) FILTER (WHERE source = ?) FROM minerals_trade WHERE origin = 'eidb'",
        [SOURCE],
    ).fetchone()
    groups = warehouse.execute(
        "SELECT count(DISTINCT mineral) FROM trade_by_mineral WHERE origin = 'eidb'"
    ).fetchone()[0]
    unsourced = warehouse.execute(
        "SELECT count(*) FROM minerals_trade WHERE coalesce(source, '') = ''"
    ).fetchone()[0]
    assert rows >= 300 and sourced == rows
    assert years >= 8
    assert groups >= 10
    assert unsourced == 0


def test_every_eidb_figure_in_the_warehouse_equals_the_bundled_file(warehouse):
    stored = warehouse.execute(
        "SELECT replace(snapshot_id, 'data/snapshots/eidb/', '') AS snapshot_id, reporter, "
        "partner, flow, hs_code, period, value_usd, quantity, below_rounding "
        "FROM minerals_trade WHERE origin = 'eidb'"
    ).df()
    merged = _bundled().merge(stored, on="snapshot_id", how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    for column in ["reporter", "partner", "flow", "hs_code", "period"]:
        assert (merged[f"{column}_x"] == merged[f"{column}_y"]).all(), column
    published = merged["value_usd_million"].astype(float)
    assert ((merged["value_usd"] / 1e6).round(2) == published).all()
    assert (merged["below_rounding"] == (published == 0)).all()
    quantity = pd.to_numeric(merged["quantity_kg"].replace("", None))
    assert ((quantity == merged["quantity"]) | (quantity.isna() & merged["quantity"].isna())).all()


def test_codes_carrying_several_minerals_count_only_as_an_upper_bound(warehouse):
    pgm = warehouse.execute(
        "SELECT DISTINCT carries FROM trade_by_mineral WHERE hs_code = '2843'"
    ).fetchall()
    assert pgm == [("mixed",)]  # HS 2843 also holds silver and gold compounds
    # A mineral's `specific` value adds its specific codes only, recomputed here from the figures.
    mismatched = warehouse.execute(
        """WITH expected AS (
               SELECT mineral, origin, period,
                      reporter || CASE flow WHEN 'export' THEN ' exports to ' ELSE ' imports from ' END
                          || partner AS flow_label,
                      round(sum(value_usd) / 1e6, 2) AS value
               FROM trade_by_mineral WHERE used AND carries = 'specific' AND partner <> 'WLD'
               GROUP BY ALL)
           SELECT count(*) FILTER (WHERE v.value IS DISTINCT FROM e.value), count(*)
           FROM (SELECT * FROM ind_minerals_trade_value WHERE measure = 'specific') AS v
           FULL JOIN expected AS e USING (mineral, origin, period, flow_label)"""
    ).fetchone()
    assert mismatched[0] == 0 and mismatched[1] > 0
    unmatched = warehouse.execute(
        "SELECT hs_match FROM trade_codes WHERE hs_code = '81092000'"
    ).fetchone()[0]
    assert "no HS 2022 6-digit code 810920" in unmatched


def test_a_chart_per_mineral_group_names_its_source(built, warehouse):
    minerals = [
        r[0]
        for r in warehouse.execute(
            "SELECT DISTINCT mineral FROM ind_minerals_trade_value ORDER BY 1"
        ).fetchall()
    ]
    charts = built / "report" / "charts"
    assert len(minerals) >= 10
    for mineral in minerals:
        svg = (charts / f"minerals_trade_value--{slug(mineral)}.svg").read_text(encoding="utf-8")
        assert "Source: " in svg and "Export Import Data Bank" in svg, mineral
        assert "latest complete" in svg, mineral


def test_no_value_below_the_rounding_threshold_is_drawn_as_zero(built, warehouse):
    drawn = json.loads(
        (built / "report" / "charts" / "minerals_trade_value.drawn.json").read_text()
    )
    below = warehouse.execute(
        "SELECT mineral, period, flow_label, measure FROM ind_minerals_trade_value "
        "WHERE below_rounding"
    ).fetchall()
    assert below  # the bundled figures have many 0.00
    points = {
        (m, v["period"], v["flow_label"], v["measure"]): v
        for m, chart in drawn.items()
        for v in chart["values"]
    }
    for key in below:
        point = points[key]
        assert point["y"] > 0 and point["mark"].startswith("< US$ 5k"), key
    assert all(v["y"] > 0 for v in points.values())


def test_the_doubtful_register_figure_stays_out_of_year_on_year_changes(warehouse):
    series = dict(warehouse.execute("SELECT period, series FROM ind_bilateral_trade").fetchall())
    assert "doubtful" in series["FY2022-23"]
    changes = {r[0] for r in warehouse.execute("SELECT period FROM ind_trade_yoy").fetchall()}
    assert not changes & {"FY2022-23", "FY2023-24"}
    assert "FY2021-22" in changes


def test_nothing_in_the_eidb_series_is_after_fy2024_25(warehouse):
    latest = warehouse.execute(
        "SELECT max(period) FROM minerals_trade WHERE origin = 'eidb'"
    ).fetchone()[0]
    assert latest == "FY2024-25"


def test_the_two_extractions_agree_where_they_overlap():
    # HS 2825 exports to Japan: the 8-digit lines of one extraction add up to the 4-digit figure of
    # the other within a cent of a million each year (each line is rounded to two decimals).
    figures = _bundled().assign(value=lambda f: f["value_usd_million"].astype(float))
    exports = figures[(figures["flow"] == "export") & figures["hs_code"].str.startswith("2825")]
    lines = exports[exports["hs_code"].str.len() == 8].groupby("period")["value"].sum()
    heading = exports[exports["hs_code"] == "2825"].set_index("period")["value"]
    assert len(heading) == 8
    assert ((lines.reindex(heading.index).fillna(0) - heading).abs() <= 0.011).all()
