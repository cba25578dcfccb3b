"""Uniqueness, not-null and references are checked on every row, whatever the sample size.

A duplicate key or an orphan reference placed beyond the rows a sample would see is still caught,
reported through the suite's result (Dagster check, stored validation result, Data Docs) with its
count and examples, and the same checks pass on clean data.
"""

import json
import re
import shutil

import duckdb
import pytest
from dagster import AssetSelection, DagsterInstance, materialize

from pipelines.warehouse import full_row_checks
from pipelines.warehouse.resources import Warehouse

REFERENCE = {"ids": {"table": "parents", "column": "id"}}
UNIQUE = "expect_column_values_to_be_unique"
COMPOUND = "expect_compound_columns_to_be_unique"
NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"


@pytest.fixture
def con():
    with duckdb.connect() as con:
        con.execute("CREATE TABLE parents AS SELECT 'P' || i AS id FROM range(1000) AS t(i)")
        con.execute(
            "CREATE TABLE children AS SELECT i AS child_id, 'P' || (i % 1000) AS parent_id, "
            "i // 10 AS batch, i % 10 AS line FROM range(100000) AS t(i)"
        )
        yield con


def run(con, kind: str, kwargs: dict) -> tuple[bool, dict]:
    assert full_row_checks.runs_in_sql(kind, kwargs, REFERENCE)
    return full_row_checks.evaluate(con, "children", kind, kwargs, REFERENCE)


def test_clean_rows_pass_every_set_check(con):
    assert run(con, UNIQUE, {"column": "child_id"})[0]
    assert run(con, COMPOUND, {"column_list": ["batch", "line"]})[0]
    assert run(con, NOT_NULL, {"column": "parent_id"})[0]
    success, result = run(con, IN_SET, {"column": "parent_id", "value_set": {"$PARAMETER": "ids"}})
    assert success
    assert result["element_count"] == 100_000
    assert result["unexpected_count"] == 0


def test_a_duplicate_on_the_last_row_is_counted_with_its_value(con):
    con.execute("INSERT INTO children VALUES (12345, 'P1', 9999, 9)")
    success, result = run(con, UNIQUE, {"column": "child_id"})
    assert not success
    assert result["unexpected_count"] == 2  # both copies, as Great Expectations counts them
    assert result["partial_unexpected_counts"] == [{"value": 12345, "count": 2}]
    success, result = run(con, COMPOUND, {"column_list": ["batch", "line"]})
    assert not success
    assert result["partial_unexpected_list"] == [{"batch": 9999, "line": 9}]


def test_an_orphan_reference_and_a_null_on_the_last_rows_are_caught(con):
    con.execute(
        "INSERT INTO children VALUES (100000, 'P-GONE', 10000, 0), (100001, NULL, 10000, 1)"
    )
    success, result = run(con, IN_SET, {"column": "parent_id", "value_set": {"$PARAMETER": "ids"}})
    assert not success
    assert result["unexpected_count"] == 1
    assert result["partial_unexpected_list"] == ["P-GONE"]
    assert result["missing_count"] == 1  # a null is not an orphan; not-null says so
    success, result = run(con, NOT_NULL, {"column": "parent_id"})
    assert not success
    assert result["unexpected_count"] == 1
    assert result["partial_unexpected_index_list"] == [100001]


def test_literal_value_sets_and_unknown_arguments_stay_row_wise():
    assert not full_row_checks.runs_in_sql(IN_SET, {"column": "x", "value_set": ["a"]}, {})
    assert not full_row_checks.runs_in_sql(
        UNIQUE, {"column": "x", "row_condition": "y > 1", "condition_parser": "pandas"}, {}
    )
    assert not full_row_checks.runs_in_sql(
        "expect_column_values_to_match_regex", {"column": "x"}, {}
    )


@pytest.fixture
def small_sample(built, tmp_path, monkeypatch):
    """A copy of the built warehouse, validated with a 20-row sample threshold."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(built / "warehouse.duckdb", database)
    monkeypatch.setenv("TRACKER_VALIDATION_SAMPLE_ROWS", "20")
    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path))
    return database


def test_clean_tables_pass_and_say_their_row_wise_checks_were_sampled(small_sample):
    from pipelines.warehouse.validation import validate_table

    with duckdb.connect(str(small_sample)) as con:
        for table in ("events", "evidence_links"):
            result = validate_table(con, table)
            assert result.success, result.failures
            assert result.sampled
            assert result.rows_validated == 20 < result.rows
            assert result.full_row_checks > 0


def test_a_duplicate_beyond_the_sample_fails_the_suite(small_sample):
    from pipelines.warehouse.validation import _row_wise_frame, validate_table

    with duckdb.connect(str(small_sample)) as con:
        (first,) = con.execute("SELECT min(event_id) FROM events").fetchone()
        con.execute("INSERT INTO events SELECT * FROM events WHERE event_id = ?", [first])
        rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
        sample = _row_wise_frame(con, "events", ["event_id"], rows, True)
        assert (sample["event_id"] == first).sum() < 2  # a sample alone would not see it
        result = validate_table(con, "events")
    assert not result.success
    (failure,) = [f for f in result.failures if f["expectation"] == UNIQUE]
    assert failure["checked"] == "all_rows"
    assert failure["rows_checked"] == rows
    assert failure["unexpected_count"] == 2
    assert failure["unexpected_sample"] == [first]


def test_an_orphan_beyond_the_sample_shows_in_dagster_and_data_docs(small_sample, tmp_path):
    from pipelines.definitions import defs
    from pipelines.warehouse.validation import build_data_docs

    with duckdb.connect(str(small_sample)) as con:
        con.execute(
            "INSERT INTO evidence_links SELECT * REPLACE ('EX-1999-NO-SUCH-EVENT' AS event_id) "
            "FROM evidence_links ORDER BY commitment_id DESC LIMIT 1"
        )
    result = materialize(
        [*defs.assets, *defs.asset_checks],
        selection=AssetSelection.checks_for_assets("evidence_links"),
        instance=DagsterInstance.ephemeral(),
        resources={"warehouse": Warehouse(database=str(small_sample))},
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["sampled"].value is True
    assert evaluation.metadata["rows_validated"].value == 20
    (failure,) = evaluation.metadata["failing_expectations"].value
    assert failure["expectation"] == IN_SET
    assert failure["column"] == "event_id"
    assert failure["checked"] == "all_rows"
    assert failure["unexpected_count"] == 1
    assert failure["unexpected_sample"] == ["EX-1999-NO-SUCH-EVENT"]

    stored = next(
        (tmp_path / "great_expectations" / "validations" / "evidence_links").rglob("*.json")
    )
    outcomes = json.loads(stored.read_text(encoding="utf-8"))["results"]
    failed = [o for o in outcomes if not o["success"]]
    assert [o["expectation_config"]["kwargs"]["column"] for o in failed] == ["event_id"]
    assert {o["meta"]["checked"] for o in outcomes} == {"all_rows", "sample"}
    build_data_docs()
    pages = tmp_path / "great_expectations" / "data_docs" / "validations" / "evidence_links"
    page = next(pages.rglob("*.html")).read_text(encoding="utf-8")
    assert "EX-1999-NO-SUCH-EVENT" in page
    rows = json.loads(stored.read_text(encoding="utf-8"))["meta"]["rows"]
    assert re.search(
        rf"1 unexpected values found\. ≈[0-9.]+% of (?:{rows}|{rows:,}) total rows", page
    )
    # the batch markers on the page say what each part of the suite saw
    assert f"expectations on all {rows:,} rows, in DuckDB" in page
    assert f"a repeatable sample of 20 of {rows:,} rows" in page


def test_a_view_is_validated_on_every_row_and_its_failure_found(small_sample):
    """evidence_rule_matches is a view: its suite reads its rows computed once, and a match to an
    event missing from `events` fails the suite like a bad row of a table."""
    from pipelines.warehouse.validation import validate_table

    with duckdb.connect(str(small_sample)) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = 'evidence_rule_matches'"
        ).fetchone() == (1,)
        rows = con.execute("SELECT count(*) FROM evidence_rule_matches").fetchone()[0]
        clean = validate_table(con, "evidence_rule_matches")
        assert clean.success, clean.failures
        assert clean.rows == rows
        # an event the rules match leaves `events`, the reference of the view's event ids
        (event,) = con.execute("SELECT min(event_id) FROM evidence_rule_matches").fetchone()
        con.execute("DELETE FROM events WHERE event_id = ?", [event])
        broken = validate_table(con, "evidence_rule_matches")
        left = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()
    assert not broken.success
    assert any(f["column"] == "event_id" and f["checked"] == "all_rows" for f in broken.failures)
    assert left == (0,)  # the rows computed for the checks are dropped after them
