"""The expectations of a suite that a sample cannot answer, run in DuckDB over every row.

Uniqueness (of a column or a compound key), not-null, row counts and references to another table
(an in-set or not-in-set whose value set is a suite parameter naming a table's column) depend on
the whole table: a duplicate key or an orphan reference can sit on any row. They are read from
the same suite JSON as every other expectation, so each check keeps one definition, and DuckDB
answers them with aggregates that stream the table instead of loading it into Python.

Results take the shape Great Expectations gives the same expectation (element_count,
unexpected_count, unexpected_percent, partial_unexpected_list …), so they are stored, rendered
in Data Docs and reported in Dagster exactly like the expectations it evaluates itself.
"""

from __future__ import annotations

import re

import duckdb

EXAMPLES = 5
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Keyword arguments the SQL forms honour; an expectation with any other (row_condition, strict
# bounds …) stays with Great Expectations rather than being answered approximately.
_COMMON = {"mostly", "result_format", "catch_exceptions", "meta", "notes", "description"}
SUPPORTED = {
    "expect_column_values_to_not_be_null": {"column"},
    "expect_column_values_to_be_unique": {"column"},
    "expect_compound_columns_to_be_unique": {"column_list", "ignore_row_if"},
    "expect_table_row_count_to_be_between": {"min_value", "max_value"},
    "expect_column_values_to_be_in_set": {"column", "value_set"},
    "expect_column_values_to_not_be_in_set": {"column", "value_set"},
}
_MISSING = {
    "all_values_are_missing": " AND ",
    "any_value_is_missing": " OR ",
}


def reference_of(kwargs: dict, parameters: dict) -> tuple[str, str] | None:
    """The (table, column) an expectation's value set names through a suite parameter, if any."""
    value_set = kwargs.get("value_set")
    if not isinstance(value_set, dict) or "$PARAMETER" not in value_set:
        return None
    source = parameters.get(value_set["$PARAMETER"], {})
    if "table" not in source or "column" not in source:
        return None
    return source["table"], source["column"]


def runs_in_sql(kind: str, kwargs: dict, parameters: dict) -> bool:
    """Whether DuckDB answers this expectation over every row (otherwise GE does, on its frame)."""
    allowed = SUPPORTED.get(kind)
    if allowed is None or set(kwargs) - allowed - _COMMON:
        return False
    if "value_set" in SUPPORTED[kind]:
        # A literal value set is a row-wise check; one naming another table is a reference.
        return reference_of(kwargs, parameters) is not None
    if kwargs.get("ignore_row_if", "all_values_are_missing") not in {*_MISSING, "never"}:
        return False
    return all(
        isinstance(kwargs.get(k), (int, float, type(None))) for k in ("min_value", "max_value")
    )


def evaluate(
    con: duckdb.DuckDBPyConnection, table: str, kind: str, kwargs: dict, parameters: dict
) -> tuple[bool, dict]:
    """Run one expectation over all rows of `table`: (success, GE-shaped result)."""
    columns = [kwargs["column"]] if "column" in kwargs else list(kwargs.get("column_list", []))
    reference = reference_of(kwargs, parameters)
    for name in [table, *columns, *(reference or ())]:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"suite {table}: {name!r} is not a plain table or column name")
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    if kind == "expect_table_row_count_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        success = (low is None or rows >= low) and (high is None or rows <= high)
        return success, {"observed_value": rows}
    if kind == "expect_column_values_to_not_be_null":
        result = _not_null(con, table, columns[0], rows)
    elif kind == "expect_column_values_to_be_unique":
        result = _duplicates(con, table, columns, f'"{columns[0]}" IS NOT NULL', rows)
    elif kind == "expect_compound_columns_to_be_unique":
        result = _duplicates(con, table, columns, _kept(columns, kwargs), rows)
    else:
        result = _references(con, table, columns[0], reference, kind, rows)
    return _meets(result, kwargs.get("mostly")), result


def _not_null(con, table: str, column: str, rows: int) -> dict:
    kind = _column_types(con, table).get(column, "")
    # GE's pandas engine counts a float NaN as missing, so the SQL form does too.
    missing = f'"{column}" IS NULL' + (
        f' OR isnan("{column}")' if kind in {"DOUBLE", "FLOAT", "REAL"} else ""
    )
    offending = con.execute(
        f"SELECT count(*) FILTER (WHERE {missing}) FROM {table}"  # noqa: S608
    ).fetchone()[0]
    index = _positions(con, table, missing) if offending else []
    return _column_map(rows, rows, offending, [None] * len(index), [], index)


def _positions(con, table: str, condition: str) -> list[int]:
    """Where the first rows meeting `condition` sit among the rows as read: the index GE's pandas
    frame gives them. Counted, not a rowid: a view has none."""
    found = con.execute(
        f"""SELECT position FROM (
            SELECT row_number() OVER () - 1 AS position, {condition} AS hit FROM {table}
        ) WHERE hit ORDER BY position LIMIT {EXAMPLES}"""  # noqa: S608
    ).fetchall()
    return [row[0] for row in found]


def _duplicates(con, table: str, columns: list[str], kept: str, rows: int) -> dict:
    """Rows whose key occurs more than once, counted as GE counts them (every copy)."""
    key = ", ".join(f'"{c}"' for c in columns)
    considered, offending = con.execute(
        f"""SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE n > 1), 0)
        FROM (SELECT count(*) AS n FROM {table} WHERE {kept} GROUP BY {key})"""  # noqa: S608
    ).fetchone()
    examples = con.execute(
        f"""SELECT {key}, count(*) AS n FROM {table} WHERE {kept} GROUP BY {key}
        HAVING count(*) > 1 ORDER BY n DESC, {key} LIMIT {EXAMPLES}"""  # noqa: S608
    ).fetchall()
    values = [_key_value(columns, row[:-1]) for row in examples]
    counts = [{"value": v, "count": row[-1]} for v, row in zip(values, examples, strict=True)]
    return _column_map(rows, int(considered), int(offending), values, counts, [])


def _references(con, table: str, column: str, reference, kind: str, rows: int) -> dict:
    """Values (not null) absent from the referenced column, or for a not-in-set, present in it."""
    ref_table, ref_column = reference
    quantifier = "NOT EXISTS" if kind == "expect_column_values_to_be_in_set" else "EXISTS"
    offending_rows = f"""FROM {table} AS t WHERE t."{column}" IS NOT NULL AND {quantifier} (
        SELECT 1 FROM {ref_table} AS r WHERE r."{ref_column}" = t."{column}")"""  # noqa: S608
    considered, offending = con.execute(
        f"""SELECT count("{column}"),
        (SELECT count(*) {offending_rows}) FROM {table}"""  # noqa: S608
    ).fetchone()
    examples = con.execute(
        f'SELECT t."{column}", count(*) AS n {offending_rows} '
        f'GROUP BY t."{column}" ORDER BY n DESC, t."{column}" LIMIT {EXAMPLES}'
    ).fetchall()
    values = [plain(row[0]) for row in examples]
    counts = [{"value": v, "count": row[1]} for v, row in zip(values, examples, strict=True)]
    return _column_map(rows, int(considered), int(offending), values, counts, [])


def _column_map(
    rows: int, considered: int, offending: int, values: list, counts: list, index: list
) -> dict:
    result = {
        "element_count": rows,
        "missing_count": rows - considered,
        "missing_percent": _percent(rows - considered, rows),
        "unexpected_count": offending,
        "unexpected_percent": _percent(offending, considered),
        "unexpected_percent_total": _percent(offending, rows),
        "unexpected_percent_nonmissing": _percent(offending, considered),
        "partial_unexpected_list": values,
        "partial_unexpected_counts": counts,
    }
    if index:
        result["partial_unexpected_index_list"] = index
    return result


def _meets(result: dict, mostly: float | None) -> bool:
    if mostly is None:
        return result["unexpected_count"] == 0
    return 100.0 - result["unexpected_percent"] >= 100.0 * mostly


def _kept(columns: list[str], kwargs: dict) -> str:
    mode = kwargs.get("ignore_row_if", "all_values_are_missing")
    if mode == "never":
        return "true"
    missing = _MISSING[mode].join(f'"{c}" IS NULL' for c in columns)
    return f"NOT ({missing})"


def _key_value(columns: list[str], values: tuple):
    if len(columns) == 1:
        return plain(values[0])
    return {c: plain(v) for c, v in zip(columns, values, strict=True)}


def _column_types(con, table: str) -> dict[str, str]:
    return dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())  # noqa: S608


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def plain(value):
    """JSON-friendly form of a reported value (numpy scalars, timestamps, decimals)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    return str(value)
