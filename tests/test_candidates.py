"""The review queue: feed items become candidates; accepted ones reach `events`, rejected don't."""

import csv
import os

import duckdb
import pytest
from dagster import AssetSelection

from pipelines.sources.feeds import ModJapanSource
from tests.helpers import materialize_selection

LA_PEROUSE = (
    "https://www.mod.go.jp/en/article/2021/04/150e365f017804b152f9a9dd196e887a0bd48f0d.html"
)
JIMEX = "https://www.mod.go.jp/en/article/2021/10/788af28c5ffef1c8442c4858cda7d0cdf8d6f638.html"
REGISTERS = AssetSelection.assets(
    "evidence", "quarantine", "candidates"
).upstream() - AssetSelection.assets("comtrade_snapshots")


def _id(url: str) -> str:
    from pipelines.sources.feeds import FeedItem

    return FeedItem(ModJapanSource.name, url, url).candidate_id


def test_bundled_items_are_candidates_with_reasons(warehouse):
    rows = warehouse.execute(
        "SELECT candidate_id, status, family, commitments, why, registered_event_id, source_url "
        "FROM candidates ORDER BY source_url"
    ).fetchall()
    assert len(rows) == 4
    by_url = {row[6]: row for row in rows}
    assert by_url[JIMEX][1] == "pending" and by_url[JIMEX][2] == "exercises"
    assert by_url[JIMEX][3] == "1.1" and '"JIMEX"' in by_url[JIMEX][4]
    unicorn = by_url["https://pib.gov.in/PressReleasePage.aspx?PRID=2073843"]
    assert unicorn[1] == "registered" and unicorn[5] == "RD-2024-UNICORN-MOI"
    # the queue as stored: surest first
    queue = warehouse.execute("SELECT confidence FROM candidates ORDER BY rowid").fetchall()
    confidences = [row[0] for row in queue]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    review = tmp_path_factory.mktemp("review")
    with (review / "decisions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["candidate_id", "decision", "note", "reviewer", "decided_on", "corrections"]
        )
        writer.writerow([_id(LA_PEROUSE), "accept", "French-led, Indian Navy took part", "tester",
                         "2026-11-30", "host=other | india_participants=IN-NAVY"])  # fmt: skip
        writer.writerow(
            [_id(JIMEX), "reject", "already registered by name", "tester", "2026-11-30", ""]
        )
    database = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    os.environ["TRACKER_REVIEW_DIR"] = str(review)
    try:
        materialize_selection(REGISTERS, database)
        with duckdb.connect(str(database), read_only=True) as con:
            first = con.execute("SELECT candidate_id, status FROM candidates ORDER BY 1").fetchall()
        materialize_selection(REGISTERS, database)  # the next refresh
    finally:
        del os.environ["TRACKER_REVIEW_DIR"]
    con = duckdb.connect(str(database), read_only=True)
    yield con, first
    con.close()


def test_an_accepted_candidate_appears_in_events(reviewed):
    con, _ = reviewed
    event = con.execute(
        "SELECT event_id, family, start_date, host, japan_participants, india_participants, "
        "multilateral FROM events WHERE source_url = ?",
        [LA_PEROUSE],
    ).fetchone()
    assert event is not None, con.execute(
        "SELECT * FROM quarantine WHERE source_file LIKE '%decisions%'"
    ).fetchall()
    assert event[0] == f"EX-2021-{_id(LA_PEROUSE)}" and event[1] == "exercises"
    assert str(event[2]) == "2021-04-05" and event[3] == "other"
    assert event[4] == ["JMSDF"] and event[5] == ["IN-NAVY"] and event[6] is True
    evidence = con.execute(
        "SELECT commitment_id FROM evidence WHERE event_id = ?", [event[0]]
    ).fetchall()
    assert ("1.1",) in evidence


def test_a_rejected_candidate_does_not_come_back(reviewed):
    con, first = reviewed
    assert (
        con.execute("SELECT count(*) FROM events WHERE source_url = ?", [JIMEX]).fetchone()[0] == 0
    )
    again = con.execute("SELECT candidate_id, status FROM candidates ORDER BY 1").fetchall()
    assert again == first  # same ids, same statuses after a refresh
    assert dict(again)[_id(JIMEX)] == "rejected"
    pending = con.execute("SELECT candidate_id FROM candidates WHERE status = 'pending'").fetchall()
    assert (_id(JIMEX),) not in pending
