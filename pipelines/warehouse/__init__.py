"""The DuckDB warehouse: SQL models, Python-written tables, suites and their checks."""
