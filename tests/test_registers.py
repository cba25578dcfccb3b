"""Register loading: every kind of bad row is quarantined with its reason; good rows still load."""

import csv
import shutil

import duckdb
import pytest
from dagster import AssetSelection

from pipelines import settings
from pipelines.curated.registers import RegisterError, read_register, register_columns
from tests.bad_inputs import GOOD as CORPUS_ROW
from tests.helpers import materialize_selection

REGISTER_TABLES = AssetSelection.assets("events", "quarantine").upstream() - AssetSelection.assets(
    "comtrade_snapshots"
)

# A valid exercise row; each bad row below changes one thing about it.
GOOD = {
    **CORPUS_ROW,
    "event_id": "EX-2024-TEST",
    "name": "Test exercise",
    "source_url": "https://example.org/a",
}

BAD_ROWS = [
    (
        {"event_id": "EX-2024-BADDATE", "start_date": "2025-02-30"},
        "start_date",
        "unparseable or impossible",
    ),
    (
        {"event_id": "EX-2024-NOTADATE", "start_date": "May 2024"},
        "start_date",
        "unparseable or impossible",
    ),
    (
        {"event_id": "EX-2024-BACKWARDS", "end_date": "2024-04-01"},
        "end_date",
        "end_date before start_date",
    ),
    (
        {"event_id": "EX-2024-VOCAB", "japan_participants": "JMSDF;JSDFX"},
        "japan_participants",
        "unknown code(s): JSDFX",
    ),
    ({"event_id": "EX-2024-NOURL", "source_url": ""}, "source_url", "missing"),
    (
        {"event_id": "EX-2024-HTTP", "source_url": "http://example.org/a"},
        "source_url",
        "not an https URL",
    ),
    (
        {"event_id": "EX-2024-JS", "source_url": "javascript:alert(1)"},
        "source_url",
        "not an https URL",
    ),
    ({"event_id": "EX-2024-TEST", "name": "Another name"}, "event_id", "duplicate event_id"),
    ({"event_id": "EX-2024-TWICE", "name": "Test  exercise"}, "name", "same event as EX-2024-TEST"),
    (
        {"event_id": "EX-2024-FUTURE", "start_date": "2099-01-01", "end_date": ""},
        "start_date",
        "future",
    ),
    ({"event_id": "EX-2024-TYPE", "exercise_type": "wargame"}, "exercise_type", "must be one of"),
    (
        {"event_id": "PC-2024-WRONGFILE", "name": "Wrong register"},
        "event_id",
        "prefix does not match",
    ),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    registers = tmp_path_factory.mktemp("registers")
    shutil.copytree(settings.registers_dir(), registers, dirs_exist_ok=True)
    path = registers / "exercises.csv"
    columns = register_columns("exercises")
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writerow(GOOD)
        for change, _, _ in BAD_ROWS:
            writer.writerow({**GOOD, **change})
        handle.write("EX-2024-SHORT,Too few fields,2024-01-01\n")
    with path.open("ab") as handle:
        handle.write(
            b"EX-2024-LATIN1,Caf\xe9 exercise,2024-06-01,,day,,IN,JMSDF,IN-NAVY,,false,"
            b"https://example.org/b,B,,2026-11-30,,bilateral,maritime\n"
        )
    database = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    import os

    os.environ["TRACKER_REGISTERS_DIR"] = str(registers)
    try:
        materialize_selection(REGISTER_TABLES, database)
    finally:
        del os.environ["TRACKER_REGISTERS_DIR"]
    con = duckdb.connect(str(database), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize(
    ("change", "column", "reason"), BAD_ROWS, ids=[c[0]["event_id"] for c in BAD_ROWS]
)
def test_bad_row_is_quarantined_with_its_reason(loaded, change, column, reason):
    hits = loaded.execute(
        "SELECT reason FROM quarantine WHERE record_id = ? AND column_name = ?",
        [change["event_id"], column],
    ).fetchall()
    assert any(reason in hit[0] for hit in hits), hits
    in_events = loaded.execute(
        "SELECT count(*) FROM events WHERE event_id = ? AND name = ?",
        [change["event_id"], change.get("name", GOOD["name"])],
    ).fetchone()[0]
    assert in_events == 0


def test_unreadable_rows_are_quarantined_with_file_and_line(loaded):
    rows = loaded.execute(
        "SELECT source_file, line_no, reason FROM quarantine WHERE record_id IS NULL ORDER BY line_no"
    ).fetchall()
    reasons = [r[2] for r in rows]
    assert any("row has 3 fields, the header has 19" in r for r in reasons)
    assert any("not valid UTF-8" in r for r in reasons)
    assert all(r[0] == "data/registers/exercises.csv" and r[1] > 1 for r in rows)


def test_good_rows_still_load(loaded):
    assert loaded.execute(
        "SELECT count(*) FROM events WHERE event_id = 'EX-2024-TEST'"
    ).fetchone() == (1,)
    shipped = loaded.execute(
        "SELECT count(*) FROM stg_register_rows WHERE source_file <> 'data/registers/exercises.csv' "
        "OR line_no < (SELECT min(line_no) FROM stg_register_rows WHERE event_id = 'EX-2024-TEST')"
    ).fetchone()[0]
    accepted = loaded.execute("SELECT count(*) FROM event_rows").fetchone()[0]
    assert accepted == shipped + 1


def test_a_header_missing_a_column_is_a_clear_error(tmp_path):
    path = tmp_path / "dialogues.csv"
    path.write_text("event_id,name\nDL-2024-X,Something\n")
    with pytest.raises(
        RegisterError, match=r"dialogues.csv, line 1: the header lacks column\(s\) start_date"
    ):
        read_register(path, "dialogues")


def test_a_duplicated_header_is_a_clear_error(tmp_path):
    path = tmp_path / "dialogues.csv"
    columns = list(register_columns("dialogues"))
    path.write_text(",".join([*columns, "name"]) + "\n")
    with pytest.raises(RegisterError, match=r"column\(s\) named twice: name"):
        read_register(path, "dialogues")


def test_shipped_registers_load_with_nothing_quarantined(warehouse):
    assert warehouse.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_events_meet_the_coverage_bar(warehouse):
    total, after, families, non_https = warehouse.execute(
        "SELECT count(*), count(*) FILTER (WHERE start_date > DATE '2025-08-29'), "
        "count(DISTINCT family), count(*) FILTER (WHERE NOT starts_with(source_url, 'https://')) FROM events"
    ).fetchone()
    assert total >= 80
    assert after >= 10
    assert families == 4
    assert non_https == 0
