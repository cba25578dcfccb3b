"""Validate warehouse tables with their Great Expectations suites (expectations/gx/expectations).

Each suite is the one definition of its table's checks. The expectations that depend on the
whole table (uniqueness, compound keys, not-null, row counts, references to another table) run
as SQL in DuckDB over every row (pipelines/warehouse/full_row_checks.py). Great Expectations has no DuckDB
dialect, so the row-wise rest is read from DuckDB into a DataFrame, only the columns they name,
and validated through a pandas data source; past `settings.validation_sample_rows()` rows on a
repeatable sample, which each result says. A view is computed once into a temporary table
that every check reads. References are suite parameters whose source the
suite's `meta.parameters` names as {"table": ..., "column": ...}; a date horizon is
{"today_plus_days": N} or {"date": "YYYY-MM-DD"}.

great_expectations is imported here only (`import_great_expectations`), when a check runs:
loading the Definitions stays fast.
"""

from __future__ import annotations

import copy
import html
import importlib.util
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import settings
from pipelines.warehouse import full_row_checks
from pipelines.warehouse.sql_parse import is_view

SUITES_DIR = settings.EXPECTATIONS_DIR / "gx" / "expectations"
DATASOURCE = "warehouse"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_COLUMN_KWARGS = ("column", "column_A", "column_B")
SAMPLE_SIZE = 5
_deferring = threading.Lock()


def import_great_expectations():
    """great_expectations, with scipy.stats loaded only if something uses it.

    Importing great_expectations imports every core expectation and metric, and three of them
    (KL divergence, the two KS tests) import scipy.stats at module level: about 40 % of the
    import, ~1.5 s of a warm run. No suite here uses them, so scipy.stats is registered with the
    standard library's LazyLoader first: it loads at its first attribute access, if one comes.
    """
    with _deferring:
        if "scipy.stats" not in sys.modules:
            spec = importlib.util.find_spec("scipy.stats")
            spec.loader = importlib.util.LazyLoader(spec.loader)
            stats = importlib.util.module_from_spec(spec)
            sys.modules["scipy.stats"] = stats
            spec.loader.exec_module(stats)
            sys.modules["scipy"].stats = stats
    import great_expectations

    return great_expectations


@dataclass
class SuiteResult:
    table: str
    success: bool
    evaluated: int
    successful: int
    failures: list[dict] = field(default_factory=list)
    rows: int = 0
    rows_validated: int = 0
    full_row_checks: int = 0
    sampled_checks: int = 0

    @property
    def success_rate(self) -> float:
        return 100.0 * self.successful / self.evaluated if self.evaluated else 100.0

    @property
    def sampled(self) -> bool:
        """Whether the row-wise expectations saw a sample rather than every row."""
        return self.sampled_checks > 0 and self.rows_validated < self.rows


def suite_names() -> list[str]:
    return sorted(path.stem for path in SUITES_DIR.glob("*.json"))


def suite_columns(suite: dict) -> list[str]:
    """The columns a suite's expectations name, in first-seen order."""
    columns: list[str] = []
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        named = [kwargs[key] for key in _COLUMN_KWARGS if key in kwargs]
        named += kwargs.get("column_list", [])
        columns += [column for column in named if column not in columns]
    return columns


def read_suite(table: str) -> dict:
    return json.loads((SUITES_DIR / f"{table}.json").read_text(encoding="utf-8"))


def runtime_dir() -> Path:
    return settings.build_dir() / "great_expectations"


def split_suite(suite: dict) -> tuple[list[dict], list[dict]]:
    """(expectations DuckDB runs over every row, row-wise ones Great Expectations runs)."""
    declared = suite.get("meta", {}).get("parameters", {})
    full, row_wise = [], []
    for expectation in suite["expectations"]:
        in_sql = full_row_checks.runs_in_sql(expectation["type"], expectation["kwargs"], declared)
        (full if in_sql else row_wise).append(expectation)
    return full, row_wise


def validate_table(con: duckdb.DuckDBPyConnection, table: str) -> SuiteResult:
    """Run the suite named after `table` on the table's current rows.

    Uniqueness, not-null, row counts and references run in DuckDB over every row; the row-wise
    rest (value sets, ranges, patterns) in Great Expectations, on a repeatable sample once the
    table outgrows `settings.validation_sample_rows()`. Both land in one validation result, each
    expectation noting what it saw, so Data Docs and the Dagster check read as before.
    """
    suite_json = read_suite(table)
    full, row_wise = split_suite(suite_json)
    columns = suite_columns({"expectations": row_wise})
    for name in [table, *columns]:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"suite {table}: {name!r} is not a plain table or column name")
    with _rows_of(con, table) as source:
        rows = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]  # noqa: S608
        frame = _row_wise_frame(con, source, columns, rows, bool(row_wise))
        declared = suite_json.get("meta", {}).get("parameters", {})
        in_sql = {
            e["id"]: full_row_checks.evaluate(con, source, e["type"], e["kwargs"], declared)
            for e in full
        }
    sampled = len(frame) < rows
    parameters = _suite_parameters(con, suite_json, _parameter_names(row_wise))

    gx = import_great_expectations()
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.validator.v1_validator import Validator
    from great_expectations.validator.validator import calc_validation_statistics

    context = _context()
    suite = context.suites.get(table)
    batch_definition = _batch_definition(context, table)
    definition = _validation_definition(context, table, batch_definition, suite)
    validator = Validator(batch_definition, batch_parameters={"dataframe": frame})
    row_ids = {e["id"] for e in row_wise}
    originals = [e for e in suite.expectations if e.id in row_ids]
    # GE takes copies (without ids) into a second suite; they get the original's id back so that
    # each outcome finds its place in the suite.
    row_suite = gx.ExpectationSuite(name=table, expectations=[copy.copy(e) for e in originals])
    for duplicate, original in zip(row_suite.expectations, originals, strict=True):
        duplicate.id = original.id
    checked = validator.validate_expectation_suite(row_suite, parameters)
    by_id = {outcome.expectation_config.id: outcome for outcome in checked.results}
    seen_rows = (
        f"Row-wise: a repeatable sample of {len(frame):,} of {rows:,} rows."
        if sampled
        else f"Row-wise: all {rows:,} rows."
    )
    outcomes = []
    for expectation in suite.expectations:
        if expectation.id in in_sql:
            success, found = in_sql[expectation.id]
            if "unexpected_count" in found:  # Data Docs shows this as the observed value
                found["observed_value"] = (
                    f"{found['unexpected_count']:,} unexpected of {rows:,} rows (every row, DuckDB)"
                )
            config = expectation.configuration
            config.notes = _with_note(config.notes, f"Checked in DuckDB on all {rows:,} rows.")
            outcomes.append(
                ExpectationValidationResult(
                    success=success,
                    expectation_config=config,
                    result=found,
                    meta={"checked": "all_rows", "rows_checked": rows, "engine": "duckdb"},
                    exception_info={"raised_exception": False, "exception_message": None,
                                    "exception_traceback": None},
                )
            )  # fmt: skip
            continue
        outcome = by_id[expectation.id]
        if sampled and "observed_value" not in outcome.result:
            share = outcome.result.get("unexpected_percent") or 0.0
            outcome.result["observed_value"] = (
                f"{share:.3g}% unexpected in a sample of {len(frame):,} of {rows:,} rows"
            )
        outcome.expectation_config.notes = _with_note(outcome.expectation_config.notes, seen_rows)
        outcome.meta = {
            **(outcome.meta or {}),
            "checked": "sample" if sampled else "all_rows",
            "rows_checked": len(frame),
            "engine": "great_expectations",
        }
        outcomes.append(outcome)
    statistics = calc_validation_statistics(outcomes)
    result = ExpectationSuiteValidationResult(
        results=outcomes,
        success=statistics.success,
        suite_name=table,
        statistics={
            "evaluated_expectations": statistics.evaluated_expectations,
            "successful_expectations": statistics.successful_expectations,
            "unsuccessful_expectations": statistics.unsuccessful_expectations,
            "success_percent": statistics.success_percent,
        },
        meta={
            **checked.meta,
            # Data Docs lists the batch markers on every result page: what each part saw.
            "batch_markers": {
                **checked.meta.get("batch_markers", {}),
                "full_row_checks": f"{len(full)} expectations on all {rows:,} rows, in DuckDB",
                "row_wise_checks": f"{len(row_wise)} expectations; {seen_rows[10:]}",
            },
            "rows": rows,
            "row_wise_rows_checked": len(frame),
            "sampled": sampled,
            "full_row_expectations": len(full),
            "row_wise_expectations": len(row_wise),
        },
        batch_id=checked.batch_id,
    )
    _store(context, definition, result)
    failures = [
        {
            "expectation": outcome.expectation_config.type,
            "column": outcome.expectation_config.kwargs.get("column")
            or outcome.expectation_config.kwargs.get("column_list"),
            "checked": outcome.meta.get("checked"),
            "rows_checked": outcome.meta.get("rows_checked"),
            "unexpected_count": outcome.result.get("unexpected_count"),
            "observed_value": full_row_checks.plain(outcome.result.get("observed_value")),
            "unexpected_sample": [
                full_row_checks.plain(v)
                for v in (outcome.result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
            ],
        }
        for outcome in outcomes
        if not outcome.success
    ]
    return SuiteResult(
        table,
        bool(statistics.success),
        int(statistics.evaluated_expectations),
        int(statistics.successful_expectations),
        failures,
        rows=int(rows),
        rows_validated=len(frame) if row_wise else int(rows),
        full_row_checks=len(full),
        sampled_checks=len(row_wise) if sampled else 0,
    )


@contextmanager
def _rows_of(con: duckdb.DuckDBPyConnection, table: str) -> Iterator[str]:
    """What to read `table`'s rows from: the table itself, or for a view its rows computed once
    into a temporary table, which every check then reads (each check's query would otherwise
    compute the view again: a dozen times the rules' work for evidence_rule_matches)."""
    if not is_view(con, table):
        yield table
        return
    rows = f"{table}_rows_validated"  # the name was checked against _IDENTIFIER by the caller
    con.execute(f"CREATE OR REPLACE TEMP TABLE {rows} AS SELECT * FROM {table}")  # noqa: S608
    try:
        yield rows
    finally:
        con.execute(f"DROP TABLE IF EXISTS temp.{rows}")


def _row_wise_frame(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: int, needed: bool
) -> pd.DataFrame:
    """The columns the row-wise expectations read: every row, or a repeatable sample past the
    threshold, so that validation stays within memory at ten million rows."""
    if not needed:
        return pd.DataFrame({"_row": pd.Series([], dtype="int64")})
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())  # noqa: S608
    # Dates go to GE as timestamps, the type its between-expectations compare with parameters.
    select = (
        ", ".join(
            f'CAST("{c}" AS TIMESTAMP) AS "{c}"' if types.get(c) == "DATE" else f'"{c}"'
            for c in columns
        )
        or "1 AS _row"
    )
    limit = settings.validation_sample_rows()
    sample = f" USING SAMPLE reservoir({limit} ROWS) REPEATABLE (7)" if rows > limit else ""
    return con.execute(f"SELECT {select} FROM {table}{sample}").df()  # noqa: S608


def _store(context, definition, result) -> None:
    """Store the result as ValidationDefinition.run would, for Data Docs to render."""
    from datetime import UTC, datetime

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run_id = RunIdentifier(run_time=datetime.now(UTC))
    result.meta.update({
        "validation_id": definition.id, "checkpoint_id": None, "run_id": run_id,
        "validation_time": run_id.run_time, "batch_parameters": {"dataframe": "<DATAFRAME>"},
    })  # fmt: skip
    suite_id = ExpectationSuiteIdentifier(name=result.suite_name)
    context.validation_results_store.store_validation_results(
        suite_validation_result=result,
        suite_validation_result_identifier=ValidationResultIdentifier(
            batch_identifier=result.batch_id, expectation_suite_identifier=suite_id, run_id=run_id
        ),
        expectation_suite_identifier=suite_id,
    )


def _with_note(notes, note: str):
    if not notes:
        return note
    return [*([notes] if isinstance(notes, str) else notes), note]


def _parameter_names(expectations: list[dict]) -> set[str]:
    return set(re.findall(r'"\$PARAMETER": "([^"]+)"', json.dumps(expectations)))


def build_data_docs() -> Path:
    """Render Data Docs for every suite and its latest validation result into build/.

    A site built by the same suites and code gets only the pages of results it lacks (those
    validated since) and a new index, which lists every suite; anything else renders it all.
    Either way the site holds the same pages for the same stored results."""
    from pipelines.reporting.offline_docs import make_offline

    site = runtime_dir() / "data_docs"
    for gone in _prune_old_results():
        shutil.rmtree(site / "validations" / gone, ignore_errors=True)
    _escape_observed_values()
    context = _context()
    built_with, stamp = _site_version(), runtime_dir() / "data_docs.built_with"
    current = stamp.read_text(encoding="utf-8") if stamp.exists() else None
    stamp.unlink(missing_ok=True)  # a build that stops half-way is not one to add pages to
    pages: list[Path] = []
    if current == built_with and (site / "index.html").exists():
        keys = {"/".join(k.to_tuple()): k for k in context.validation_results_store.list_keys()}
        missing = [k for path, k in sorted(keys.items())
                   if not (site / "validations" / f"{path}.html").exists()]  # fmt: skip
        # With none missing the newest is rendered again: an empty list would render them all.
        chosen = missing or [max(keys.values(), key=lambda k: k.run_id.run_time)]
        context.build_data_docs(resource_identifiers=chosen)
        pages = [site / "index.html",
                 *(site / "validations" / f"{'/'.join(k.to_tuple())}.html" for k in chosen)]  # fmt: skip
    if pages and all(page.exists() for page in pages):
        make_offline(site, pages)
    else:
        # Not built by these suites and code, or the partial render left a page out: all of it.
        context.build_data_docs()
        make_offline(site)
    stamp.write_text(built_with, encoding="utf-8")
    return site / "index.html"


def _site_version() -> str:
    """What every page of the site depends on besides the results: suites, configuration and
    the code and library that render them."""
    from importlib.metadata import version

    from pipelines.orchestration.up_to_date import package_version, tree_version

    parts = [
        tree_version(settings.EXPECTATIONS_DIR),
        package_version(),
        version("great_expectations"),
    ]
    return json.dumps(parts)


def _prune_old_results() -> list[Path]:
    """Keep only each suite's newest result: the docs show the current state, and rendering
    every result ever stored would make each run slower than the last. Returns the removed
    results' folders, relative to the store."""
    store = runtime_dir() / "validations"
    removed = []
    for suite in (p for p in store.glob("*") if p.is_dir()):
        runs = sorted((p for p in suite.glob("*/*") if p.is_dir()), key=lambda p: p.name)
        for old in runs[:-1]:
            shutil.rmtree(old)
            removed.append(old.relative_to(store))
    return removed


ESCAPED_MARK = "tracker_values_escaped"


def _escape_observed_values() -> None:
    """Make the data values in stored results inert text before Data Docs renders them.

    Great Expectations pastes unexpected values into its pages as markup: a feed link holding
    `<img onerror=...>` would run there. Values observed in the data (never the suites, which are
    ours) are HTML-escaped once, NUL bytes dropped, and the file marked so a rebuild does not
    escape them twice.
    """
    for path in (runtime_dir() / "validations").rglob("*.json"):
        stored = json.loads(path.read_text(encoding="utf-8"))
        meta = stored.setdefault("meta", {})
        if meta.get(ESCAPED_MARK):
            continue
        for outcome in stored.get("results", []):
            if isinstance(outcome.get("result"), dict):
                outcome["result"] = _inert(outcome["result"])
        meta[ESCAPED_MARK] = True
        temporary = path.with_name(f".{path.name}.partial")
        temporary.write_text(json.dumps(stored), encoding="utf-8")
        os.replace(temporary, path)


def _inert(value):
    if isinstance(value, str):
        return html.escape(value.replace("\x00", ""), quote=True)
    if isinstance(value, list):
        return [_inert(v) for v in value]
    if isinstance(value, dict):
        return {k: _inert(v) for k, v in value.items()}
    return value


def _suite_parameters(
    con: duckdb.DuckDBPyConnection, suite_json: dict, needed: set[str]
) -> dict[str, list]:
    """Values of the parameters that the row-wise expectations use (references run in SQL)."""
    parameters = {}
    for name, source in suite_json.get("meta", {}).get("parameters", {}).items():
        if name not in needed:
            continue
        if "today_plus_days" in source:
            parameters[name] = pd.Timestamp(
                date.today() + timedelta(days=int(source["today_plus_days"]))
            )
            continue
        if "date" in source:
            parameters[name] = pd.Timestamp(source["date"])
            continue
        table, column = source["table"], source["column"]
        if not (_IDENTIFIER.match(table) and _IDENTIFIER.match(column)):
            raise ValueError(f"suite parameter {name}: {table}.{column} is not a plain identifier")
        parameters[name] = [
            row[0]
            for row in con.execute(f'SELECT DISTINCT "{column}" FROM {table}').fetchall()  # noqa: S608
        ]
    return parameters


@cache
def _context_for(runtime: str):
    gx = import_great_expectations()

    os.environ["TRACKER_GX_RUNTIME_DIR"] = runtime
    return gx.get_context(mode="file", project_root_dir=str(settings.EXPECTATIONS_DIR))


def _context():
    return _context_for(str(runtime_dir().resolve()))


def _validation_definition(context, table: str, batch_definition, suite):
    """The table's validation definition (in the run-time folder), added the first time.

    GE's `add_or_update` would also write the suite back into expectations/ and the data source
    into great_expectations.yml at every validation, unchanged: files that other runs, in other
    build folders, are reading at the same time, and a reader that opens one mid-write finds no
    suite. Here the project's files are only read.
    """
    from great_expectations import ValidationDefinition
    from great_expectations.exceptions import DataContextError

    definitions, store = context.validation_definitions, context.validation_definition_store
    try:
        stored = definitions.get(table)
        if stored.suite.id == suite.id:
            return stored
    except (DataContextError, ValueError):  # none yet, or it names a suite no longer there
        pass
    key = store.get_key(name=table, id=None)
    if store.has_key(key=key):  # a suite replaced by one with another id since it was stored
        store.remove_key(key=key)
    return definitions.add(ValidationDefinition(name=table, data=batch_definition, suite=suite))


def _batch_definition(context, table: str):
    try:
        source = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(DATASOURCE)
    try:
        asset = source.get_asset(table)
    except LookupError:
        asset = source.add_dataframe_asset(table)
    try:
        return asset.get_batch_definition("whole_table")
    except (KeyError, ValueError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole_table")
