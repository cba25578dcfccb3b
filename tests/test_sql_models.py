"""The mechanism that turns sql/<layer>/<table>.sql files into assets."""

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
