"""The evidence mapping on real register rows, and the ledger's integrity after a full run."""

import pytest


def _commitments_of(warehouse, event_id: str) -> set[str]:
    rows = warehouse.execute(
        "SELECT commitment_id FROM evidence WHERE event_id = ?", [event_id]
    ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        ("EX-2023-JIMEX", {"1.1"}),  # bilateral naval exercise
        ("EX-2024-SAHYOG-KAIJIN", {"1.1", "2.3", "6.4"}),  # coast-guard exercise
        ("EX-2025-MALABAR", {"1.1", "5.4"}),  # the Quad navies' exercise
        ("PC-2020-ECHIGO-CHENNAI", {"2.1"}),  # a coast-guard ship's port call
        ("DL-2020-ACSA", {"1.5"}),  # the ACSA signed
    ],
)
def test_real_rows_map_to_their_commitments(warehouse, event_id, expected):
    assert expected <= _commitments_of(warehouse, event_id)


def test_every_evidence_row_joins_events_and_commitments(warehouse):
    total, orphans = warehouse.execute(
        "SELECT count(*), count(*) FILTER (WHERE e.event_id IS NULL OR c.commitment_id IS NULL) "
        "FROM evidence AS ev LEFT JOIN events AS e USING (event_id) "
        "LEFT JOIN commitments AS c USING (commitment_id)"
    ).fetchone()
    assert total > 0
    assert orphans == 0


def test_every_evidence_row_traces_to_an_https_source(warehouse):
    assert warehouse.execute(
        "SELECT count(*) FROM evidence WHERE NOT starts_with(source_url, 'https://')"
    ).fetchone() == (0,)


def test_the_signing_itself_is_not_evidence_of_implementation(warehouse):
    signing = warehouse.execute(
        "SELECT event_id FROM events WHERE family = 'dialogues' AND start_date = DATE '2025-08-29' "
        "AND name ILIKE '%Joint Declaration on Security Cooperation%'"
    ).fetchall()
    assert signing, "the register should hold the signing of the declaration"
    assert not _commitments_of(warehouse, signing[0][0])
