"""The Comtrade assets end to end against a local server: snapshots, manifest, failure, secrets."""

import hashlib

import duckdb
import pytest
from dagster import AssetSelection, DagsterInstance, materialize

from pipelines.warehouse.resources import Warehouse
from tests.comtrade_server import answer_from_query
from tests.helpers import materialize_selection

KEY = "comtrade-test-key-81d2e7"
PATH = "/data/v1/get/C/A/HS"
# The live press feeds are another source with tests of their own: leave them out here.
DOWNSTREAM = AssetSelection.assets(
    "minerals_trade", "quarantine"
).upstream() - AssetSelection.assets("comtrade_snapshots", "feed_snapshots")


@pytest.fixture
def live(tmp_path, httpserver, monkeypatch):
    monkeypatch.setenv("TRACKER_LIVE", "1")
    monkeypatch.setenv("TRACKER_SNAPSHOTS_DIR", str(tmp_path / "snapshots"))
    monkeypatch.setenv("TRACKER_COMTRADE_BASE_URL", httpserver.url_for(PATH))
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    database = tmp_path / "warehouse.duckdb"
    materialize_selection(AssetSelection.assets("critical_minerals"), database)
    return tmp_path, database


def _fetch_year(database, year: str, instance=None):
    from pipelines.definitions import defs

    return materialize(
        list(defs.assets),
        selection=AssetSelection.assets("comtrade_snapshots"),
        partition_key=year,
        instance=instance or DagsterInstance.ephemeral(),
        resources={"warehouse": Warehouse(database=str(database))},
        raise_on_error=False,
    )


def test_a_live_fetch_is_snapshotted_and_loaded_with_its_source(live, httpserver):
    tmp_path, database = live
    httpserver.expect_request(
        PATH, headers={"Ocp-Apim-Subscription-Key": KEY}
    ).respond_with_handler(answer_from_query)
    assert _fetch_year(database, "2023").success
    folder = tmp_path / "snapshots" / "comtrade"
    manifest = (folder / "manifest.csv").read_text()
    lines = manifest.splitlines()[1:]
    assert len(lines) >= 2  # Japan and India as reporters
    for line in lines:
        file = line.split(",")[-1]
        assert hashlib.sha256((folder / file).read_bytes()).hexdigest() in line
    materialize_selection(DOWNSTREAM, database)
    with duckdb.connect(str(database), read_only=True) as con:
        comtrade = con.execute(
            "SELECT count(*), count(DISTINCT snapshot_id), min(year), max(year) FROM minerals_trade "
            "WHERE origin = 'comtrade'"
        ).fetchone()
        unsourced = con.execute(
            "SELECT count(*) FROM minerals_trade WHERE source IS NULL"
        ).fetchone()[0]
    assert comtrade[0] > 0 and comtrade[1] == len(lines) and comtrade[2:] == (2023, 2023)
    assert unsourced == 0


def test_a_failed_fetch_leaves_the_previous_snapshot_and_tables_untouched(live, httpserver):
    tmp_path, database = live
    httpserver.expect_ordered_request(PATH).respond_with_handler(answer_from_query)
    httpserver.expect_ordered_request(PATH).respond_with_handler(answer_from_query)
    assert _fetch_year(database, "2022").success
    materialize_selection(DOWNSTREAM, database)
    folder = tmp_path / "snapshots" / "comtrade"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with duckdb.connect(str(database), read_only=True) as con:
        rows_before = con.execute("SELECT count(*) FROM raw_comtrade").fetchone()[0]

    httpserver.clear()
    httpserver.expect_ordered_request(PATH).respond_with_handler(answer_from_query)
    httpserver.expect_request(PATH).respond_with_data('{"data": [', content_type="application/json")
    assert not _fetch_year(database, "2022").success  # second reporter's answer is truncated
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    materialize_selection(DOWNSTREAM, database)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_comtrade").fetchone()[0] == rows_before


def test_the_key_appears_in_no_snapshot_manifest_or_log(live, httpserver):
    tmp_path, database = live
    httpserver.expect_request(PATH).respond_with_handler(answer_from_query)
    instance = DagsterInstance.ephemeral()
    result = _fetch_year(database, "2021", instance)
    assert result.success
    for path in (tmp_path / "snapshots").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    logs = [str(record) for record in instance.all_logs(result.run_id)]
    assert logs and not any(KEY in line for line in logs)


def test_a_recorded_comtrade_response_stages_beside_the_eidb_figures_without_mixing(
    tmp_path, monkeypatch
):
    import shutil

    from pipelines import settings
    from pipelines.sources.snapshots import Captured, SnapshotStore
    from tests.comtrade_server import comtrade_row, envelope

    snapshots = tmp_path / "snapshots"
    shutil.copytree(settings.DATA_DIR / "snapshots" / "eidb", snapshots / "eidb")
    monkeypatch.setenv("TRACKER_SNAPSHOTS_DIR", str(snapshots))
    monkeypatch.delenv("TRACKER_LIVE", raising=False)
    # Lithium hydroxide (282520), calendar 2023: Japan's imports from India and India's exports to
    # Japan, 40% apart, and India's exports to the World.
    japan = [comtrade_row(392, 699, "M", "282520", 2023, 1_400_000.0)]
    india = [
        comtrade_row(699, 392, "X", "282520", 2023, 1_000_000.0),
        comtrade_row(699, 0, "X", "282520", 2023, 9_000_000.0),
    ]
    store = SnapshotStore(snapshots / "comtrade", "test licence")
    url = "https://comtradeapi.un.org/data/v1/get/C/A/HS?period=2023"
    store.save_fetch("2023", [Captured(url, envelope(japan), 1), Captured(url, envelope(india), 2)])
    database = tmp_path / "warehouse.duckdb"
    selection = AssetSelection.assets(
        "ind_minerals_mirror_gap", "ind_minerals_trade_value", "quarantine"
    ).upstream() - AssetSelection.assets("comtrade_snapshots", "feed_snapshots")
    materialize_selection(selection, database)
    with duckdb.connect(str(database), read_only=True) as con:
        origins = {
            origin: sorted(kinds)
            for origin, kinds in con.execute(
                "SELECT origin, list(DISTINCT reporter || '/' || period_kind) "
                "FROM minerals_trade GROUP BY origin"
            ).fetchall()
        }
        eidb_rows = con.execute("SELECT count(*) FROM minerals_trade WHERE origin = 'eidb'")
        eidb_rows = eidb_rows.fetchone()[0]
        gaps = con.execute(
            "SELECT period, period_kind, origin, exporter, importer, value, large "
            "FROM ind_minerals_mirror_gap WHERE mineral = 'lithium'"
        ).fetchall()
        mixed_series = con.execute(
            "SELECT count(*) FROM (SELECT series FROM ind_minerals_trade_value GROUP BY series "
            "HAVING count(DISTINCT origin) > 1 OR count(DISTINCT period_kind) > 1)"
        ).fetchone()[0]
        quarantined = con.execute("SELECT count(*) FROM quarantine WHERE source_kind = 'trade'")
        quarantined = quarantined.fetchone()[0]
    assert origins["comtrade"] == ["IND/calendar_year", "JPN/calendar_year"]
    assert origins["eidb"] == ["IND/financial_year"]
    assert eidb_rows == 418
    # The EIDB's financial-year exports never meet Comtrade's calendar-year imports.
    assert gaps == [("2023", "calendar_year", "comtrade", "IND", "JPN", 40.0, True)]
    assert mixed_series == 0
    assert quarantined == 0
