"""Great Expectations suites run as blocking asset checks: bad data never reaches what depends on it."""

import shutil
import subprocess
import sys

import duckdb
import pytest
from dagster import AssetSelection, DagsterInstance, materialize

from pipelines import settings
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.validation import suite_names, validate_table
from tests.helpers import folder_digest


def test_every_warehouse_table_has_a_suite_and_a_passing_check(warehouse):
    from pipelines.definitions import table_assets

    tables = {key.path[-1] for a in table_assets for key in a.keys}
    in_warehouse = {
        # tables and views (a model may be stored as either)
        row[0]
        for row in warehouse.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert tables <= in_warehouse
    assert tables == set(suite_names())


CORRUPTIONS = [
    pytest.param(
        "events", "INSERT INTO events SELECT * FROM events LIMIT 1",
        "expect_column_values_to_be_unique", "scorecard", id="duplicate-event-id",
    ),
    pytest.param(
        # evidence is a view of evidence_links: the orphan enters there and reaches both
        "evidence", "INSERT INTO evidence_links BY NAME SELECT '1.1' AS commitment_id, "
        "'EX-1999-NO-SUCH-EVENT' AS event_id, 'manual' AS rule_id, ['manual'] AS matched_rules, "
        "'an analyst link' AS basis, 'medium' AS confidence, 'unreviewed' AS review_status, "
        "DATE '2024-01-01' AS start_date, 'https://example.org' AS source_url",
        "expect_column_values_to_be_in_set", "scorecard", id="orphan-evidence-row",
    ),
    pytest.param(
        "indicator_values", "UPDATE indicator_values SET n_events = -3 WHERE period = '2024'",
        "expect_column_values_to_be_between", "data_docs", id="negative-value",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("table", "corruption", "expectation", "downstream"), CORRUPTIONS)
def test_a_corrupt_table_fails_its_check_and_blocks_downstream(
    built, tmp_path, table, corruption, expectation, downstream
):
    from pipelines.definitions import defs

    database = tmp_path / "warehouse.duckdb"
    shutil.copy(built / "warehouse.duckdb", database)
    with duckdb.connect(str(database)) as con:
        con.execute(corruption)
    selection = AssetSelection.checks_for_assets(table) | (
        AssetSelection.assets(table).downstream() - AssetSelection.assets(table)
    )
    result = materialize(
        [*defs.assets, *defs.asset_checks],
        selection=selection,
        instance=DagsterInstance.ephemeral(),
        resources={"warehouse": Warehouse(database=str(database))},
        raise_on_error=False,
    )
    assert not result.success
    (evaluation,) = [
        e for e in result.get_asset_check_evaluations() if e.asset_key.path[-1] == table
    ]
    assert not evaluation.passed
    failing = evaluation.metadata["failing_expectations"].value
    assert expectation in [f["expectation"] for f in failing]
    assert evaluation.metadata["success_rate_percent"].value < 100
    with duckdb.connect(str(database), read_only=True) as con:
        (rows,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    # The UI shows these: the table's real size and how many rows the suite saw.
    assert evaluation.metadata["rows"].value == rows > 0
    assert evaluation.metadata["rows_validated"].value == rows
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert downstream not in materialized


def test_data_docs_are_built(built):
    assert (built / "great_expectations" / "data_docs" / "index.html").is_file()


def test_runs_leave_the_expectations_folder_unchanged(built, expectations_before):
    assert folder_digest(settings.EXPECTATIONS_DIR) == expectations_before


def test_a_validation_only_reads_the_project_suites(warehouse, tmp_path, monkeypatch):
    # Runs in other build folders read these files at the same time: none may be rewritten.
    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path))  # a run-time folder of its own

    def stamps() -> dict:
        return {
            p: p.stat().st_mtime_ns for p in settings.EXPECTATIONS_DIR.rglob("*") if p.is_file()
        }

    before = stamps()
    for _ in range(2):  # the first validation adds its definition, the second finds it
        for table in ("events", "commitments"):
            result = validate_table(warehouse, table)
            assert result.success and result.evaluated > 0, result.failures
    assert (tmp_path / "great_expectations" / "validation_definitions").is_dir()
    assert stamps() == before


def test_great_expectations_loads_without_running_scipy_stats():
    # A fresh interpreter: this one may have loaded scipy.stats already.
    probe = (
        "import importlib.util, sys\n"
        "from pipelines.warehouse.validation import import_great_expectations\n"
        "gx = import_great_expectations()\n"
        "stats = sys.modules['scipy.stats']\n"
        "print(object.__getattribute__(stats, '__class__') is importlib.util._LazyModule)\n"
        "print(round(float(stats.entropy([0.5, 0.5], base=2)), 6))\n"
        "print(callable(gx.get_context))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        cwd=settings.PROJECT_ROOT,
    )  # fmt: skip
    # Not executed by the import, and whole at its first use.
    assert done.stdout.split() == ["True", "1.0", "True"]
