"""The mechanism that turns sql/<layer>/<table>.sql files into assets."""

import duckdb
import pytest
from dagster import AssetKey

from pipelines.warehouse.sql_models import discover_models, sql_model_assets


def _write(root, layer, name, sql):
    (root / layer).mkdir(parents=True, exist_ok=True)
    (root / layer / f"{name}.sql").write_text(sql)


def test_dependencies_come_from_the_tables_a_model_reads(tmp_path):
    _write(tmp_path, "staging", "stg_a", "-- Typed rows of a.\nSELECT * FROM raw_a")
    _write(tmp_path, "marts", "mart_b", "WITH x AS (SELECT * FROM stg_a) SELECT count(*) FROM x")
    assets = {a.key.path[-1]: a for a in sql_model_assets(tmp_path, upstream_tables={"raw_a"})}
    assert set(assets) == {"stg_a", "mart_b"}
    assert set(assets["mart_b"].asset_deps[AssetKey("mart_b")]) == {AssetKey("stg_a")}
    assert assets["stg_a"].descriptions_by_key[AssetKey("stg_a")] == "Typed rows of a."
    assert assets["mart_b"].group_names_by_key[AssetKey("mart_b")] == "marts"


def test_a_model_reading_an_unknown_table_fails_at_load(tmp_path):
    _write(tmp_path, "marts", "orphan", "SELECT * FROM no_such_table")
    with pytest.raises(
        ValueError, match=r"reads table\(s\) \['no_such_table'\] that no asset produces"
    ):
        sql_model_assets(tmp_path, upstream_tables=set())


def test_model_files_must_be_named_like_tables(tmp_path):
    _write(tmp_path, "staging", "Bad-Name", "SELECT 1")
    with pytest.raises(ValueError, match="named like tables"):
        discover_models(tmp_path)


def test_a_model_marked_as_a_view_is_stored_as_one_and_can_change_kind(tmp_path):
    _write(tmp_path, "staging", "stg_a", "-- Rows of a.\nSELECT 1 AS n UNION ALL SELECT 2")
    _write(
        tmp_path,
        "mapping",
        "kept",
        "-- materialized: view\n-- Rows kept.\nSELECT * FROM stg_a WHERE n > 1",
    )
    models = {m.name: m for m in discover_models(tmp_path)}
    assert models["kept"].materialized == "view" and models["stg_a"].materialized == "table"
    assert models["kept"].description == "Rows kept."

    def kind(con) -> str:
        return con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'kept'"
        ).fetchone()[0]

    con = duckdb.connect()
    models["stg_a"].build(con)
    con.execute("CREATE TABLE kept AS SELECT 0 AS n")  # a build from when it was a table
    models["kept"].build(con)
    assert kind(con) == "VIEW"
    con.execute("INSERT INTO stg_a VALUES (3)")
    assert con.execute("SELECT list(n ORDER BY n) FROM kept").fetchone()[0] == [2, 3]
    models["kept"].build(con)  # a view replaces a view
    (tmp_path / "mapping" / "kept.sql").write_text("SELECT * FROM stg_a WHERE n > 2")
    table = {m.name: m for m in discover_models(tmp_path)}["kept"]
    table.build(con)  # and back to a table
    assert kind(con) == "BASE TABLE"
    assert con.execute("SELECT list(n) FROM kept").fetchone()[0] == [3]


def test_an_unknown_materialization_fails_at_load(tmp_path):
    _write(tmp_path, "marts", "odd", "-- materialized: cache\nSELECT 1")
    with pytest.raises(ValueError, match="materialized must be one of"):
        discover_models(tmp_path)
