"""Validate warehouse tables with their Great Expectations suites (expectations/gx/expectations).

Great Expectations has no DuckDB dialect, so each table is read from DuckDB into a DataFrame,
selecting only the columns its suite names, and validated through a pandas data source. Values
that a suite compares against other tables (referential integrity) are suite parameters whose
source the suite's `meta.parameters` names as {"table": ..., "column": ...}; a date horizon is
{"today_plus_days": N} or {"date": "YYYY-MM-DD"}.

great_expectations is imported here only, when a check runs: loading the Definitions stays fast.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import settings

SUITES_DIR = settings.EXPECTATIONS_DIR / "gx" / "expectations"
DATASOURCE = "warehouse"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_COLUMN_KWARGS = ("column", "column_A", "column_B")
SAMPLE_SIZE = 5
SAMPLE_ROWS = 1_000_000


@dataclass
class SuiteResult:
    table: str
    success: bool
    evaluated: int
    successful: int
    failures: list[dict] = field(default_factory=list)
    rows: int = 0
    rows_validated: int = 0

    @property
    def success_rate(self) -> float:
        return 100.0 * self.successful / self.evaluated if self.evaluated else 100.0


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


def validate_table(con: duckdb.DuckDBPyConnection, table: str) -> SuiteResult:
    """Run the suite named after `table` on the table's current rows."""
    suite_json = read_suite(table)
    columns = suite_columns(suite_json)
    for name in [table, *columns]:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"suite {table}: {name!r} is not a plain table or column name")
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())  # noqa: S608
    # Dates go to GE as timestamps, the type its between-expectations compare with parameters.
    select = (
        ", ".join(
            f'CAST("{c}" AS TIMESTAMP) AS "{c}"' if types.get(c) == "DATE" else f'"{c}"'
            for c in columns
        )
        or "1 AS _row"
    )
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    # Past SAMPLE_ROWS a suite sees a fixed, repeatable sample, so that validation stays within
    # memory at ten million rows; the check says so. Row-count bounds see the sample's size.
    sample = (
        f" USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (7)" if rows > SAMPLE_ROWS else ""
    )
    frame = con.execute(f"SELECT {select} FROM {table}{sample}").df()  # noqa: S608
    parameters = _suite_parameters(con, suite_json)

    import great_expectations as gx

    context = _context()
    batch_definition = _batch_definition(context, table)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=table, data=batch_definition, suite=context.suites.get(table))
    )
    result = definition.run(
        batch_parameters={"dataframe": frame}, expectation_parameters=parameters
    )
    failures = [
        {
            "expectation": outcome.expectation_config.type,
            "column": outcome.expectation_config.kwargs.get("column"),
            "unexpected_count": outcome.result.get("unexpected_count"),
            "observed_value": _plain(outcome.result.get("observed_value")),
            "unexpected_sample": [
                _plain(v)
                for v in (outcome.result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
            ],
        }
        for outcome in result.results
        if not outcome.success
    ]
    stats = result.statistics
    return SuiteResult(
        table,
        bool(result.success),
        int(stats["evaluated_expectations"]),
        int(stats["successful_expectations"]),
        failures,
        rows=int(rows),
        rows_validated=len(frame),
    )


def build_data_docs() -> Path:
    """Render Data Docs for every suite and its latest validation result into build/."""
    _prune_old_results()
    _escape_observed_values()
    _context().build_data_docs()
    return runtime_dir() / "data_docs" / "index.html"


def _prune_old_results() -> None:
    """Keep only each suite's newest result: the docs show the current state, and rendering
    every result ever stored would make each run slower than the last."""
    store = runtime_dir() / "validations"
    for suite in (p for p in store.glob("*") if p.is_dir()):
        runs = sorted((p for p in suite.glob("*/*") if p.is_dir()), key=lambda p: p.name)
        for old in runs[:-1]:
            shutil.rmtree(old)


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


def _suite_parameters(con: duckdb.DuckDBPyConnection, suite_json: dict) -> dict[str, list]:
    parameters = {}
    for name, source in suite_json.get("meta", {}).get("parameters", {}).items():
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
    import great_expectations as gx

    os.environ["TRACKER_GX_RUNTIME_DIR"] = runtime
    return gx.get_context(mode="file", project_root_dir=str(settings.EXPECTATIONS_DIR))


def _context():
    return _context_for(str(runtime_dir().resolve()))


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


def _plain(value):
    """JSON-friendly form of a value GE reports (numpy scalars, timestamps)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    return str(value)
