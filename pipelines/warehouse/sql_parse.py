"""SQL as DuckDB reads it, without Dagster: the tables a SELECT reads (from DuckDB's own parse
tree, no binding), which a SQL model's asset depends on, and whether a name is a view. Both decide
a view's content version (pipelines/orchestration/up_to_date.py)."""

import json

import duckdb


def tables_read(sql: str, source: str = "SQL") -> set[str]:
    """Base tables named anywhere in `sql` (CTE names left out). `source` names it in errors."""
    row = duckdb.execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchone()
    tree = json.loads(row[0])
    if tree.get("error"):
        raise ValueError(f"{source}: {tree.get('error_message', 'cannot be parsed')}")
    tables, ctes = set(), set()
    _collect_names(tree, tables, ctes)
    return tables - ctes


def _collect_names(node, tables: set[str], ctes: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            tables.add(node["table_name"])
        for entry in (node.get("cte_map") or {}).get("map", []):
            ctes.add(entry["key"])
        for value in node.values():
            _collect_names(value, tables, ctes)
    elif isinstance(node, list):
        for value in node:
            _collect_names(value, tables, ctes)


def is_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether `name` is a view (not a table) in the warehouse's main schema."""
    [(found,)] = con.execute(
        "SELECT count(*) > 0 FROM duckdb_views() WHERE view_name = ? AND schema_name = 'main' "
        "AND database_name = current_database() AND NOT internal",
        [name],
    ).fetchall()
    return found
