"""Within one run a table's version is hashed once, and any write to it is seen by the next step.

Each step records the versions of the tables it read and wrote (`up_to_date`); a step reading a
table that an earlier step of the same run wrote or read takes the version already computed. A
version remembered after its table changed would make a changed input look unchanged, so these
tests change tables behind the guarded steps' backs: an unguarded step, another process.
"""

import json
import subprocess
import sys

import duckdb
import pytest
from dagster import AssetExecutionContext, DagsterInstance, asset, materialize

from pipelines.orchestration import up_to_date
from pipelines.warehouse.resources import Warehouse, written_elsewhere


def _table(warehouse: Warehouse, name: str, sql: str) -> None:
    with warehouse.get_connection() as con:
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")


@asset
@up_to_date.guarded
def first(context: AssetExecutionContext, warehouse: Warehouse) -> None:
    _table(warehouse, "first", "SELECT range AS x FROM range(1000)")


@asset(deps=[first])
def meddler(context: AssetExecutionContext, warehouse: Warehouse) -> None:
    """Not guarded: it rewrites a table it does not own, and tells no one."""
    _table(warehouse, "first", "SELECT range AS x FROM range(5)")
    _table(warehouse, "meddler", "SELECT 1 AS y")


@asset(deps=[first])
@up_to_date.guarded
def second(context: AssetExecutionContext, warehouse: Warehouse) -> None:
    _table(warehouse, "second", "SELECT sum(x) AS total FROM first")


@asset(deps=[first, meddler])
@up_to_date.guarded
def third(context: AssetExecutionContext, warehouse: Warehouse) -> None:
    _table(warehouse, "third", "SELECT count(*) AS n FROM first")


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Warehouse:
    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path))
    return Warehouse(database=str(tmp_path / "warehouse.duckdb"))


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The tables whose every row is hashed, in order."""
    tables, table_version = [], up_to_date.table_version

    def counting(con, table, *args, **kwargs):
        tables.append(table)
        return table_version(con, table, *args, **kwargs)

    monkeypatch.setattr(up_to_date, "table_version", counting)
    return tables


def _run(assets, warehouse: Warehouse) -> dict[str, dict]:
    result = materialize(
        assets, instance=DagsterInstance.ephemeral(), resources={"warehouse": warehouse}
    )
    assert result.success
    return json.loads(up_to_date.store_path().read_text(encoding="utf-8"))


def _version(warehouse: Warehouse, table: str) -> str:
    with duckdb.connect(warehouse.database, read_only=True) as con:
        return up_to_date.table_version(con, table)


def test_a_table_written_in_the_run_is_hashed_once_for_the_step_that_reads_it(warehouse, hashed):
    records = _run([first, second], warehouse)
    # first's output, computed when it was written, is second's input; the old outputs of a
    # forced run decide nothing and are not hashed
    assert hashed == ["first", "second"]
    assert records["second"]["inputs"]["first"] == records["first"]["output"]
    assert records["first"]["output"] == _version(warehouse, "first")


def test_a_table_rewritten_by_a_step_that_is_not_guarded_is_hashed_again(warehouse, hashed):
    records = _run([first, meddler, third], warehouse)
    assert hashed == ["first", "first", "meddler", "third"]
    assert records["third"]["inputs"]["first"] == _version(warehouse, "first")
    assert records["third"]["inputs"]["first"] != records["first"]["output"]


def test_a_write_by_another_process_is_seen_at_the_next_connection(warehouse):
    _table(warehouse, "t", "SELECT 1 AS x")
    with warehouse.get_connection():
        assert not written_elsewhere(warehouse.database)
    other = f"import duckdb; duckdb.connect({warehouse.database!r}).execute('CREATE TABLE u AS SELECT 2')"
    subprocess.run([sys.executable, "-c", other], check=True)
    with warehouse.get_connection():
        assert written_elsewhere(warehouse.database)
    with warehouse.get_connection():  # this process's own connection now saw it last
        assert not written_elsewhere(warehouse.database)


def test_the_versions_of_a_run_are_forgotten_when_the_warehouse_was_written_elsewhere(warehouse):
    _table(warehouse, "t", "SELECT 1 AS x")
    with warehouse.get_connection():
        known = up_to_date._tables_of_run("run", warehouse.database)
        known["out:t"] = "a version"
    with warehouse.get_connection():
        assert up_to_date._tables_of_run("run", warehouse.database) == {"out:t": "a version"}
        assert up_to_date._tables_of_run("another run", warehouse.database) == {}
    with warehouse.get_connection():
        up_to_date._tables_of_run("run", warehouse.database)["out:t"] = "a version"
    other = f"import duckdb; duckdb.connect({warehouse.database!r}).execute('CREATE TABLE u AS SELECT 2')"
    subprocess.run([sys.executable, "-c", other], check=True)
    with warehouse.get_connection():
        assert up_to_date._tables_of_run("run", warehouse.database) == {}


def test_a_view_of_a_model_is_versioned_by_its_definition_and_inputs_without_computing_it(
    tmp_path, monkeypatch
):
    sql = tmp_path / "sql" / "mapping"
    sql.mkdir(parents=True)
    # computing this view raises: its version must come from what it is made of
    view = "-- materialized: view\nSELECT n, error('the view was computed') AS e FROM base"
    (sql / "guarded_view.sql").write_text(view, encoding="utf-8")
    monkeypatch.setattr(up_to_date.settings, "SQL_DIR", tmp_path / "sql")
    con = duckdb.connect()
    con.execute("CREATE TABLE base AS SELECT 1 AS n")
    con.execute(f"CREATE VIEW guarded_view AS {view}")
    with pytest.raises(duckdb.Error, match="the view was computed"):
        con.execute("SELECT * FROM guarded_view").fetchall()

    before = up_to_date.table_version(con, "guarded_view")
    assert before == up_to_date.table_version(con, "guarded_view")
    con.execute("INSERT INTO base VALUES (2)")  # its input's rows changed
    after_input = up_to_date.table_version(con, "guarded_view")
    (sql / "guarded_view.sql").write_text(f"{view} WHERE n > 1", encoding="utf-8")  # its model
    con.execute(f"CREATE OR REPLACE VIEW guarded_view AS {view} WHERE n > 1")
    after_model = up_to_date.table_version(con, "guarded_view")
    assert len({before, after_input, after_model}) == 3
    # a view no model file describes is hashed row by row, as a table is
    con.execute("CREATE VIEW other_view AS SELECT n FROM base")
    assert up_to_date.table_version(con, "other_view") == up_to_date.table_version(con, "base")
