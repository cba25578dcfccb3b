"""Writing Python-built tables into the warehouse, atomically and idempotently."""

from __future__ import annotations

import duckdb
import pandas as pd


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Replace `table` (a trusted identifier) with the rows of `frame` in one statement."""
    con.register("_incoming", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _incoming")  # noqa: S608
    finally:
        con.unregister("_incoming")
