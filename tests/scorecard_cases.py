"""A small warehouse of constructed cases on which the real scorecard models run."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from pipelines import settings

SIGNING = date(2025, 8, 29)
MODELS = (
    "commitment_coverage",
    "mechanism_editions",
    "mechanism_status",
    "milestone_stages",
    "activity_rates",
    "scorecard",
)


class Cases:
    """Build the input tables row by row, then `run()` the scorecard models in order."""

    def __init__(self, as_of: date = date(2026, 12, 1)) -> None:
        self.con = duckdb.connect()
        c = self.con
        c.execute(
            "CREATE TABLE run_parameters AS SELECT DATE '2025-08-29' AS signing_date, "
            "DATE '2025-08-30' AS summit_end, ?::DATE AS as_of, DATE '2022-08-29' AS baseline_start, "
            "DATE '2025-08-28' AS baseline_end, 0.9 AS interval_level, 5 AS min_events",
            [as_of],
        )
        c.execute(
            "CREATE TABLE commitments (commitment_id VARCHAR, section INTEGER, theme VARCHAR)"
        )
        c.execute(
            "CREATE TABLE codebook (commitment_id VARCHAR, kind VARCHAR, reading VARCHAR, "
            "counts VARCHAR, does_not_count VARCHAR, registers VARCHAR[], counts_from VARCHAR, "
            "reason VARCHAR, codebook_version VARCHAR)"
        )
        c.execute(
            "CREATE TABLE codebook_mechanisms (commitment_id VARCHAR, mechanism_id VARCHAR, "
            "name VARCHAR, register VARCHAR, match_values VARCHAR[], name_pattern VARCHAR, "
            "cadence_months INTEGER, cadence_basis VARCHAR, cadence_note VARCHAR, grace_days INTEGER)"
        )
        c.execute(
            "CREATE TABLE codebook_rungs (commitment_id VARCHAR, rung INTEGER, stage VARCHAR, "
            "evidence VARCHAR, declaration BOOLEAN, registers VARCHAR[], match_values VARCHAR[], "
            "not_values VARCHAR[], name_pattern VARCHAR, min_events INTEGER, counts_from VARCHAR)"
        )
        c.execute(
            "CREATE TABLE events (family VARCHAR, event_id VARCHAR, name VARCHAR, start_date DATE, "
            "source_url VARCHAR, exercise_type VARCHAR, mechanism VARCHAR, stage VARCHAR, "
            "service VARCHAR)"
        )
        c.execute(
            "CREATE TABLE evidence (commitment_id VARCHAR, event_id VARCHAR, start_date DATE)"
        )
        c.execute("CREATE TABLE register_coverage (register VARCHAR, complete_through DATE)")
        c.execute(
            "CREATE TABLE statements (statement_id VARCHAR, document_title VARCHAR, "
            "document_date DATE, issuer VARCHAR, document_type VARCHAR, source_url VARCHAR, "
            "passage VARCHAR, commitment_ids VARCHAR[])"
        )
        c.execute(
            "CREATE TABLE indicators (indicator_id VARCHAR, commitments VARCHAR[], status VARCHAR)"
        )
        self._events = 0

    def coverage(self, register: str, complete_through: date) -> Cases:
        self.con.execute(
            "INSERT INTO register_coverage VALUES (?, ?)", [register, complete_through]
        )
        return self

    def commitment(
        self, commitment_id: str, kind: str, registers: list[str], counts_from: str = "signing"
    ) -> Cases:
        self.con.execute("INSERT INTO commitments VALUES (?, 1, 'theme')", [commitment_id])
        self.con.execute(
            "INSERT INTO codebook VALUES (?, ?, 'reading', 'counts', 'not', ?, ?, ?, '1.0.0')",
            [commitment_id, kind, registers, counts_from,
             "confidential" if kind == "not measurable" else ""],
        )  # fmt: skip
        return self

    def mechanism(
        self, commitment_id: str, mechanism: str, months: int = 12, grace: int = 90
    ) -> Cases:
        self.con.execute(
            "INSERT INTO codebook_mechanisms VALUES (?, ?, ?, 'dialogues', [?], NULL, ?, "
            "'declared', '', ?)",
            [commitment_id, mechanism, mechanism, mechanism, months, grace],
        )
        return self

    def rung(
        self, commitment_id: str, rung: int, stage: str, values: list[str] = (), *,
        declaration: bool = False, min_events: int = 1, counts_from: str = "signing",
    ) -> Cases:  # fmt: skip
        self.con.execute(
            "INSERT INTO codebook_rungs VALUES (?, ?, ?, 'evidence', ?, ['dialogues'], ?, [], NULL, ?, ?)",
            [commitment_id, rung, stage, declaration, list(values), min_events, counts_from],
        )
        return self

    def event(
        self, on: date, commitment_id: str | None = None, *, family: str = "dialogues",
        mechanism: str | None = None, name: str = "event",
    ) -> Cases:  # fmt: skip
        self._events += 1
        event_id = f"E{self._events}"
        self.con.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, 'https://example.org', NULL, ?, NULL, NULL)",
            [family, event_id, name, on, mechanism],
        )
        if commitment_id:
            self.con.execute("INSERT INTO evidence VALUES (?, ?, ?)", [commitment_id, event_id, on])
        return self

    def events(self, commitment_id: str, start: date, end: date, n: int, family: str) -> Cases:
        """n events spread evenly over [start, end]."""
        span = (end - start).days
        for i in range(n):
            self.event(start + timedelta(days=span * i // max(n, 1)), commitment_id, family=family)
        return self

    def statement(
        self, statement_id: str, on: date, commitment_ids: list[str], issuer: str = "joint"
    ) -> Cases:
        self.con.execute(
            "INSERT INTO statements VALUES (?, 'Joint Statement', ?, ?, 'summit_statement', "
            "'https://example.org', 'passage', ?)",
            [statement_id, on, issuer, commitment_ids],
        )
        return self

    def run(self) -> dict[str, dict]:
        """Materialize the models in order; the scorecard as {commitment_id: row}."""
        for model in MODELS:
            sql = (settings.SQL_DIR / "marts" / f"{model}.sql").read_text(encoding="utf-8")
            self.con.execute(f"CREATE OR REPLACE TABLE {model} AS {sql}")  # noqa: S608
        return self.table("scorecard", "commitment_id")

    def table(self, name: str, key: str) -> dict[str, dict]:
        cursor = self.con.execute(f"SELECT * FROM {name}")  # noqa: S608
        columns = [d[0] for d in cursor.description]
        return {
            row[columns.index(key)]: dict(zip(columns, row, strict=True))
            for row in cursor.fetchall()
        }
