"""The statements register: passages of joint documents load typed, bad rows are quarantined with
their reason, they never become events, and the bundled register meets its coverage bar."""

import csv
import os
import shutil

import duckdb
import pytest
from dagster import AssetSelection
from markupsafe import escape

from pipelines import settings
from pipelines.curated.registers import read_register, register_columns
from pipelines.curated.registers_check import check_statements
from tests.helpers import materialize_selection

STATEMENT_TABLES = AssetSelection.assets(
    "statements", "quarantine", "events"
).upstream() - AssetSelection.assets("comtrade_snapshots")

GOOD = {
    "statement_id": "ST-2024-08-20-TEST-01",
    "document_title": "Test joint statement",
    "document_date": "2024-08-20",
    "issuer": "joint",
    "document_type": "two_plus_two",
    "source_url": "https://example.org/statement",
    "source_title": "Test page",
    "passage": "The Ministers reaffirmed their commitment to the Quad.",
    "commitment_ids": "5.4; 5.1",
    "retrieved_date": "2026-11-30",
    "notes": "",
}

BAD_ROWS = [
    ({"statement_id": "ST-2024-08-20-TEST-02", "commitment_ids": "5.1;9.9"}, "commitment_ids",
     "unknown commitment id(s): 9.9"),
    ({"statement_id": "ST-2024-08-20-TEST-03", "commitment_ids": ""}, "commitment_ids", "missing"),
    ({"statement_id": "ST-2024-08-20-TEST-04", "passage": " ".join(["word"] * 41)}, "passage",
     "longer than 40 words (41)"),
    ({"statement_id": "ST-2024-08-20-TEST-05", "source_url": "http://example.org/a"}, "source_url",
     "not an https URL"),
    ({"statement_id": "ST-2025-02-30-TEST-06", "document_date": "2025-02-30"}, "document_date",
     "unparseable or impossible"),
    ({"statement_id": "ST-2099-01-01-TEST-07", "document_date": "2099-01-01"}, "document_date",
     "in the future"),
    ({"passage": "Another passage under the same id."}, "statement_id", "duplicate statement_id"),
    ({"statement_id": "ST-2024-08-20-TEST-08", "issuer": "quad"}, "issuer", "must be one of"),
    ({"statement_id": "ST-2024-08-20-TEST-09", "document_type": "tweet"}, "document_type",
     "must be one of"),
    ({"statement_id": "ST-2024-08-21-TEST-10"}, "statement_id", "differs from document_date"),
    ({"statement_id": "ST-2024-08-20-TEST-11", "passage": ""}, "passage", "missing"),
]  # fmt: skip
BAD_IDS = [change.get("statement_id", GOOD["statement_id"]) for change, _, _ in BAD_ROWS]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    registers = tmp_path_factory.mktemp("registers")
    shutil.copytree(settings.registers_dir(), registers, dirs_exist_ok=True)
    path = registers / "statements.csv"
    bundled_lines = len(path.read_text(encoding="utf-8").splitlines())
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=register_columns("statements"))
        writer.writerow(GOOD)
        for change, _, _ in BAD_ROWS:
            writer.writerow({**GOOD, **change})
    database = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    os.environ["TRACKER_REGISTERS_DIR"] = str(registers)
    try:
        materialize_selection(STATEMENT_TABLES, database)
    finally:
        del os.environ["TRACKER_REGISTERS_DIR"]
    con = duckdb.connect(str(database), read_only=True)
    yield con, bundled_lines
    con.close()


@pytest.mark.parametrize(("change", "column", "reason"), BAD_ROWS, ids=BAD_IDS)
def test_bad_statement_is_quarantined_with_its_reason(loaded, change, column, reason):
    con, _ = loaded
    statement_id = change.get("statement_id", GOOD["statement_id"])
    hits = con.execute(
        "SELECT reason, source_file, line_no FROM quarantine "
        "WHERE source_kind = 'statement' AND record_id = ? AND column_name = ?",
        [statement_id, column],
    ).fetchall()
    assert any(reason in hit[0] for hit in hits), hits
    assert all(hit[1] == "data/registers/statements.csv" and hit[2] > 1 for hit in hits)
    kept = con.execute(
        "SELECT count(*) FROM statements WHERE statement_id = ? AND passage = ?",
        [statement_id, change.get("passage", GOOD["passage"])],
    ).fetchone()[0]
    assert kept == 0


def test_good_statement_loads_typed(loaded):
    con, _ = loaded
    row = con.execute(
        "SELECT document_date, commitment_ids, passage_words FROM statements "
        "WHERE statement_id = ? AND line_no = (SELECT min(line_no) FROM statements "
        "WHERE statement_id = ?)",
        [GOOD["statement_id"], GOOD["statement_id"]],
    ).fetchone()
    assert str(row[0]) == "2024-08-20"
    assert row[1] == ["5.1", "5.4"]
    assert row[2] == 8
    types = dict(
        con.execute("SELECT column_name, column_type FROM (DESCRIBE statements)").fetchall()
    )
    assert types["document_date"] == "DATE"
    assert types["commitment_ids"] == "VARCHAR[]"


def test_bundled_statements_load_with_nothing_quarantined(loaded):
    con, bundled_lines = loaded
    quarantined = con.execute(
        "SELECT line_no, column_name, reason FROM quarantine "
        "WHERE source_kind = 'statement' AND line_no <= ?",
        [bundled_lines],
    ).fetchall()
    assert quarantined == []
    loaded_rows = con.execute(
        "SELECT count(*) FROM statements WHERE line_no <= ?", [bundled_lines]
    ).fetchone()[0]
    assert loaded_rows == bundled_lines - 1


def test_statements_are_not_events(loaded):
    con, _ = loaded
    assert con.execute(
        "SELECT count(*) FROM events WHERE event_id LIKE 'ST-%' OR source_url IN "
        "(SELECT source_url FROM statements WHERE source_url LIKE 'https://example.org/%')"
    ).fetchone() == (0,)


def test_bundled_statements_meet_the_bar():
    """>= 40 passages from >= 8 documents, >= 12 commitments of which >= 5 in section 5."""
    frame = read_register(settings.registers_dir() / "statements.csv", "statements").frame
    assert frame["load_error"].isna().all()
    ids = {c.strip() for value in frame["commitment_ids"] for c in value.split(";")}
    documents = frame[["document_title", "document_date"]].drop_duplicates()
    assert len(frame) >= 40
    assert len(documents) >= 8
    assert len(ids) >= 12
    assert len({c for c in ids if c.startswith("5.")}) >= 5
    assert frame["passage"].notna().all()
    assert frame["source_url"].str.startswith("https://").all()


def test_commitment_pages_list_their_statements(built, warehouse):
    rows = warehouse.execute(
        "SELECT commitment_id, count(*), arg_max(passage, document_date), "
        "arg_max(source_url, document_date) "
        "FROM statements, unnest(commitment_ids) AS t(commitment_id) GROUP BY commitment_id"
    ).fetchall()
    assert rows
    for commitment_id, count, passage, url in rows:
        page = (built / "report" / "commitments" / f"{commitment_id}.html").read_text()
        assert f"Statements ({count})" in page
        assert str(escape(passage)) in page
        assert f'href="{escape(url)}"' in page


def test_check_statements_lists_problems_by_file_and_line(tmp_path):
    path = tmp_path / "statements.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=register_columns("statements"))
        writer.writeheader()
        writer.writerow(GOOD)
        writer.writerow({**GOOD, "statement_id": "ST-2024-08-20-TEST-02", "commitment_ids": "7.1"})
    loaded, problems = check_statements(path)
    assert list(loaded["statement_id"]) == [GOOD["statement_id"]]
    assert problems[["line_no", "statement_id", "column_name"]].values.tolist() == [
        [3, "ST-2024-08-20-TEST-02", "commitment_ids"]
    ]
    assert problems["reason"].iloc[0] == "unknown commitment id(s): 7.1"
    _, bundled_problems = check_statements(settings.registers_dir() / "statements.csv")
    assert bundled_problems.empty, bundled_problems.to_dict("records")
