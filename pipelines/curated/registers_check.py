"""Check register files the way the pipeline does, without running it: for analysts and tests.

The files are read by the same reader and validated by the same staging SQL
(sql/staging/stg_register_rows.sql, sql/staging/stg_statement_rows.sql) in an in-memory DuckDB,
so what this reports is what a run would quarantine.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import settings
from pipelines.curated.declaration import parse_commitments, read_themes
from pipelines.curated.registers import FAMILY_COLUMNS, read_register, register_columns
from pipelines.warehouse.tables import replace_table

_PROBLEMS = """
SELECT source_file, line_no, event_id, p.column AS column_name, p.reason
FROM stg_register_rows, unnest(problems) AS t(p)
ORDER BY source_file, line_no, column_name
"""
_STATEMENT_PROBLEMS = """
SELECT source_file, line_no, statement_id, p.column AS column_name, p.reason
FROM stg_statement_rows, unnest(problems) AS t(p)
ORDER BY source_file, line_no, column_name
"""


def check_registers(files: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that would load, problems that would be quarantined) for {family: file}."""
    con = duckdb.connect()
    try:
        for family in FAMILY_COLUMNS:
            if family in files:
                frame = read_register(files[family], family, display_name=str(files[family])).frame
            else:
                frame = pd.DataFrame(
                    columns=[
                        "source_file",
                        "line_no",
                        *register_columns(family),
                        "load_error",
                        "raw_record",
                    ]
                )
            replace_table(con, f"raw_{family}", frame.astype({"line_no": "int64"}))
        # accepted press-feed candidates: none here, but the staging SQL reads the table
        family_fields = [c for fields in FAMILY_COLUMNS.values() for c in fields]
        columns = [
            "family",
            "source_file",
            "line_no",
            *register_columns("exercises"),
            *family_fields,
        ]
        accepted = pd.DataFrame(columns=list(dict.fromkeys([*columns, "load_error", "raw_record"])))
        replace_table(con, "raw_accepted_candidates", accepted.astype(str))
        for table, file in (
            ("participant_codes", "reference/participants.csv"),
            ("vocabularies", "reference/vocabularies.csv"),
        ):
            replace_table(
                con,
                table,
                pd.read_csv(settings.DATA_DIR / file, dtype="string", keep_default_na=False),
            )
        sql = (settings.SQL_DIR / "staging" / "stg_register_rows.sql").read_text(encoding="utf-8")
        con.execute(f"CREATE TABLE stg_register_rows AS {sql}")
        loaded = con.execute("SELECT * FROM stg_register_rows WHERE len(problems) = 0").df()
        problems = con.execute(_PROBLEMS).df()
        return loaded, problems
    finally:
        con.close()


def check_statements(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that would load, problems that would be quarantined) for a statements register."""
    con = duckdb.connect()
    try:
        frame = read_register(path, "statements", display_name=str(path)).frame
        replace_table(con, "raw_statements", frame)
        replace_table(
            con,
            "vocabularies",
            pd.read_csv(
                settings.DATA_DIR / "reference" / "vocabularies.csv",
                dtype="string",
                keep_default_na=False,
            ),
        )
        parsed = parse_commitments(
            settings.DECLARATION_FILE.read_text(encoding="utf-8"),
            read_themes(settings.THEMES_FILE),
        )
        replace_table(con, "commitments", pd.DataFrame([asdict(c) for c in parsed]))
        sql = (settings.SQL_DIR / "staging" / "stg_statement_rows.sql").read_text(encoding="utf-8")
        con.execute(f"CREATE TABLE stg_statement_rows AS {sql}")
        loaded = con.execute("SELECT * FROM stg_statement_rows WHERE len(problems) = 0").df()
        return loaded, con.execute(_STATEMENT_PROBLEMS).df()
    finally:
        con.close()
