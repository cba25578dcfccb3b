"""The evidence mapping on real register rows, and the ledger's integrity after a full run.

Each pattern an independent reading of the ledger found is pinned with the register row that
showed it: rules are checked on `evidence_rule_matches` (what the rules alone make), counts on
`evidence` (what every count reads).
"""

import csv
from pathlib import Path

import duckdb
import pytest

from pipelines import settings
from pipelines.assets.rule_keyword_hits import write_rule_keyword_hits
from pipelines.reporting.exports import write_exports
from pipelines.warehouse.sql_models import discover_models


def _commitments_of(warehouse, event_id: str) -> set[str]:
    rows = warehouse.execute(
        "SELECT commitment_id FROM evidence WHERE event_id = ?", [event_id]
    ).fetchall()
    return {row[0] for row in rows}


def _rule_commitments_of(warehouse, event_id: str) -> set[str]:
    rows = warehouse.execute(
        "SELECT commitment_id FROM evidence_rule_matches WHERE event_id = ? OR row_event_id = ?",
        [event_id, event_id],
    ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        ("EX-2023-JIMEX", {"1.1"}),  # bilateral naval exercise
        ("EX-2024-MALABAR", {"1.1", "1.4", "5.4"}),  # hosted by India, with Australia, with SOF
        ("EX-2019-MALABAR", {"1.1"}),  # hosted by Japan
        ("EX-2024-TARANG-SHAKTI", {"1.1"}),  # multilateral, hosted by India
        ("EX-2024-SAHYOG-KAIJIN", {"2.3"}),  # coast-guard exercise: law enforcement at sea
        ("EX-2025-DHARMA-GUARDIAN", {"1.1", "1.6"}),  # the armies' counter-terrorism exercise
        ("EX-2020-MALABAR-PHASE1", {"5.4"}),  # Australia back in Malabar: the Quad
        ("PC-2020-ECHIGO-CHENNAI", {"2.1"}),  # a coast-guard ship's port call
        ("PC-2017-SAMARTH-YOKOHAMA", {"2.1", "6.4"}),  # commandants' meeting inside a port call
        ("PC-2023-KADMATT-YOKOSUKA", {"1.5", "2.1"}),  # refuelled under RPSS
        ("DL-2020-ACSA", {"1.5"}),  # the ACSA signed
        ("DL-2024-JSST", {"1.2", "6.3"}),  # HQ IDS and the JSDF Joint Staff
        ("DL-2024-COAS-VISIT-JAPAN", {"6.3"}),  # a service chief's visit
        ("DL-2025-CNS-VISIT-JAPAN", {"6.3"}),
        ("DL-2025-MARITIME-AFFAIRS-DIALOGUE-7", {"2.2"}),  # "MDA" as an abbreviation
        ("RD-2017-B2B-DEFENCE-INDUSTRY-TOKYO", {"3.2", "6.5"}),  # the 2017 B2B forum
        ("RD-2019-B2B-DEFENCE-FORUM-AERO-INDIA", {"3.2", "6.5"}),  # the 2019 B2B forum
        ("RD-2018-UGV-ROBOTICS", {"3.7"}),  # ATLA and DRDO
        ("DL-2025-DEFMIN", {"5.6"}),  # Japan's solidarity after the Pahalgam attack
        ("DL-2025-SPACE-DIALOGUE-3", {"4.4", "4.5"}),
        ("DL-2023-SEMICONDUCTOR-MOC", {"3.5"}),  # a row filed in another register than RD
    ],
)
def test_rules_make_the_links_the_commitments_name(warehouse, event_id, expected):
    assert expected <= _rule_commitments_of(warehouse, event_id)


@pytest.mark.parametrize(
    ("event_id", "not_expected"),
    [
        ("EX-2024-PITCH-BLACK", {"1.1"}),  # hosted by Australia
        ("EX-2024-RIMPAC", {"1.1"}),  # hosted by the United States
        ("EX-2025-TALISMAN-SABRE", {"1.1"}),  # Australia and the United States
        ("EX-2024-SEA-DRAGON", {"1.1"}),  # Guam
        ("EX-2023-LA-PEROUSE", {"1.1", "5.4"}),  # French-led; "Quad" only in a headline
        ("EX-2025-MALABAR", {"1.1"}),  # Malabar hosted by the United States
        ("EX-2023-MALABAR", {"1.1"}),  # Malabar hosted by Australia
        ("EX-2022-IFR-JAPAN", {"1.1"}),  # a ceremonial fleet review
        ("EX-2024-SAHYOG-KAIJIN", {"1.1", "2.4", "6.4"}),  # coast-guard exercise
        ("EX-2025-JA-MATA", {"1.1", "6.4"}),
        ("EX-2019-MALABAR", {"5.4"}),  # before Australia rejoined in 2020
        ("EX-2015-MALABAR", {"5.4"}),
        ("DL-2022-MODI-KISHIDA-TOKYO", {"5.4"}),  # a bilateral beside the Quad summit
        ("PC-2022-SHIVALIK-KAMORTA-YOKOSUKA", {"5.4"}),  # "Quad" in the headline
        ("DL-2024-MODI-ISHIBA-VIENTIANE", {"5.1"}),  # ASEAN as the venue
        ("DL-2025-FM-KUALA-LUMPUR", {"5.1"}),
        ("PC-2025-SAHYADRI-SASEBO", {"1.5"}),  # "replenishment" meaning crew rest
        ("EX-2025-JAIMEX", {"1.5"}),  # an underway-replenishment serial
        ("EX-2026-JCG-NST-HNS-MUMBAI", {"1.1", "2.3", "2.4", "6.4"}),  # an HNS spill drill
        ("EX-2024-JCG-NST-HNS-CHENNAI", {"2.4"}),
        ("RD-2025-TEL-MIYAGI-SEMICONDUCTOR-VISIT", {"3.2"}),  # a plant visit, not industry exposure
        ("RD-2025-ECONOMIC-SECURITY-INITIATIVE", {"3.2"}),  # "business" alone
        ("RD-2024-UNICORN-MOI", {"3.7"}),  # ATLA with BEL, not DRDO
        ("RD-2015-JWG-DETC-1", {"3.7"}),  # ATLA with the Department of Defence Production
        ("DL-2025-CDS-JSDF-COS", {"1.2", "6.3"}),  # a farewell greeting
        ("DL-2026-NAVY-STAFF-TALKS-11", {"6.3"}),  # single-service talks
        ("DL-2024-ICG-JCG-STAFF-MEETING", {"6.3"}),  # a coast-guard staff meeting
        ("RD-2025-LUPEX-TIM3", {"4.4"}),  # civil lunar exploration
        ("RD-2025-LUPEX-IMPLEMENTING-ARRANGEMENT", {"4.4"}),
        ("DL-2024-JSST", {"4.3", "4.4"}),  # topics in a note
        ("PC-2024-SAZANAMI-VISAKHAPATNAM", {"2.3"}),  # the ship's own anti-piracy deployment
        ("EX-2018-DHARMA-GUARDIAN", {"4.1", "5.6"}),  # an army drill is 1.6, not 4.1 or 5.6
    ],
)
def test_rules_do_not_make_links_the_commitments_exclude(warehouse, event_id, not_expected):
    assert not (not_expected & _rule_commitments_of(warehouse, event_id))
    assert not (not_expected & _commitments_of(warehouse, event_id))


def test_rejected_links_leave_every_count(warehouse):
    overlap = warehouse.execute(
        "SELECT count(*) FROM evidence JOIN evidence_rejected USING (commitment_id, event_id)"
    ).fetchone()[0]
    rejected_in_evidence = warehouse.execute(
        "SELECT count(*) FROM evidence AS ev JOIN link_reviews AS r "
        "ON r.commitment_id = ev.commitment_id AND r.event_id = ev.event_id "
        "WHERE r.verdict = 'rejected'"
    ).fetchone()[0]
    assert (overlap, rejected_in_evidence) == (0, 0)


def test_the_evidence_export_lists_links_by_commitment_date_and_event(warehouse, tmp_path):
    # the ledger is stored unsorted (sorting 10^6 links cost a second); what analysts read is
    # ordered, each tie broken by the event, so the file is the same at every run
    (path,) = [p for p in write_exports(warehouse, tmp_path) if p.stem == "evidence"]
    with path.open(encoding="utf-8", newline="") as f:
        keys = [(r["commitment_id"], r["start_date"], r["event_id"]) for r in csv.DictReader(f)]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1] == "", k[1], k[2]))
    assert len(keys) == warehouse.execute("SELECT count(*) FROM evidence").fetchone()[0] > 100


def test_every_link_explains_itself(warehouse):
    rows = warehouse.execute(
        "SELECT rule_ids, matched_terms, basis, confidence, review_status, review_reason "
        "FROM evidence"
    ).fetchall()
    assert rows
    for rule_ids, terms, basis, confidence, status, reason in rows:
        assert basis and confidence in {"high", "medium", "low"}
        assert status in {"confirmed", "unreviewed"}
        assert (status == "confirmed") == (reason is not None)
        if rule_ids:  # a rule-made link names what matched
            assert terms
        if status == "confirmed":
            assert confidence == "high"
    terms = warehouse.execute(
        "SELECT matched_terms FROM evidence WHERE commitment_id = '3.7' "
        "AND event_id = 'RD-2018-UGV-ROBOTICS'"
    ).fetchone()[0]
    assert {"Japan: ATLA", "India: DRDO"} <= set(terms)


def test_one_event_in_two_registers_is_one_event(warehouse):
    rows = warehouse.execute(
        "SELECT event_id, alias_event_ids, len(source_urls) FROM events "
        "WHERE list_contains(alias_event_ids, 'DL-2023-SEMICONDUCTOR-MOC') "
        "OR event_id = 'DL-2023-SEMICONDUCTOR-MOC'"
    ).fetchall()
    # both registers cite the same page: one event, one distinct source
    assert rows == [("RD-2023-SEMICONDUCTOR-MOC", ["DL-2023-SEMICONDUCTOR-MOC"], 1)]
    aliases = warehouse.execute(
        "SELECT count(*) FROM evidence WHERE event_id IN (SELECT event_id FROM same_events)"
    ).fetchone()[0]
    assert aliases == 0


def test_scorecard_counts_each_real_event_once(warehouse):
    mismatches = warehouse.execute(
        "SELECT s.commitment_id FROM scorecard AS s LEFT JOIN ("
        "  SELECT commitment_id, count(DISTINCT event_id) AS n FROM evidence GROUP BY ALL"
        ") AS ev USING (commitment_id) WHERE s.n_all_time <> coalesce(ev.n, 0)"
    ).fetchall()
    assert mismatches == []


_INPUTS = (
    "event_rows", "event_sources", "same_events", "evidence_rules", "manual_links", "link_reviews",
    "commitments", "indicators", "run_parameters", "codebook", "codebook_mechanisms",
    "codebook_rungs", "commitment_coverage", "statements",
)  # fmt: skip
# Everything between the event rows and the scorecard, in dependency order.
_MODELS = (
    "events", "evidence_rule_matches", "evidence_links", "evidence", "mechanism_editions",
    "mechanism_status", "milestone_stages", "activity_rates", "scorecard", "ind_evidence_per_year",
)  # fmt: skip


def _counts_with_a_second_report(built: Path, declare_same: bool) -> tuple[int, int, int]:
    """Re-run the models with the 2025 mineral-resources memorandum reported a second time, in the
    dialogues register; return (events, scorecard n_all_time of 3.8, 2025 events per indicator summed)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{built / 'warehouse.duckdb'}' AS built (READ_ONLY)")
    for table in _INPUTS:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM built.{table}")  # noqa: S608
    con.execute(
        "INSERT INTO event_rows SELECT * REPLACE ('dialogues' AS family, "
        "'DL-2025-MINERAL-RESOURCES-REPORT' AS event_id, 'https://example.org/second-report' AS source_url, "
        "'agreement' AS mechanism) FROM event_rows WHERE event_id = 'RD-2025-MINERAL-RESOURCES-MOC'"
    )
    if declare_same:
        con.execute(
            "INSERT INTO same_events VALUES "
            "('DL-2025-MINERAL-RESOURCES-REPORT', 'RD-2025-MINERAL-RESOURCES-MOC', 'second report')"
        )
    models = {model.name: model for model in discover_models(settings.SQL_DIR)}
    for name in _MODELS:
        if name == "evidence_rule_matches":
            write_rule_keyword_hits(con)  # the Python step the rule matches read
        models[name].build(con)  # as its asset builds it: a table, or a view
    n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    n_38 = con.execute("SELECT n_all_time FROM scorecard WHERE commitment_id = '3.8'").fetchone()[0]
    n_2025 = con.execute(
        "SELECT sum(n_events) FROM ind_evidence_per_year WHERE period = '2025'"
    ).fetchone()[0]
    con.close()
    return n_events, n_38, n_2025


def test_two_rows_of_one_event_across_registers_count_once(built, warehouse):
    before = (
        warehouse.execute("SELECT count(*) FROM events").fetchone()[0],
        warehouse.execute(
            "SELECT n_all_time FROM scorecard WHERE commitment_id = '3.8'"
        ).fetchone()[0],
        warehouse.execute(
            "SELECT sum(n_events) FROM ind_evidence_per_year WHERE period = '2025'"
        ).fetchone()[0],
    )
    assert _counts_with_a_second_report(built, declare_same=True) == before
    # Undeclared, the second report would count again: the test can tell the difference.
    events, n_38, n_2025 = _counts_with_a_second_report(built, declare_same=False)
    assert events == before[0] + 1 and n_38 == before[1] + 1 and n_2025 > before[2]


def test_reviews_name_real_rows_and_a_split_fixed_by_the_event_id(warehouse):
    import hashlib

    path = settings.DATA_DIR / "mapping" / "link_reviews.csv"
    with path.open(encoding="utf-8") as handle:
        reviews = list(csv.DictReader(handle))
    rows = {r[0] for r in warehouse.execute("SELECT event_id FROM event_rows").fetchall()}
    assert {r["event_id"] for r in reviews} <= rows
    for review in reviews:
        digest = int(hashlib.sha256(review["event_id"].encode()).hexdigest(), 16)
        assert review["split"] == ("holdout" if digest % 2 == 0 else "tune"), review


def test_held_out_reviews_meet_the_bar(warehouse):
    reviewed, share = warehouse.execute(
        "SELECT reviewed_rule_links, precision FROM mapping_evaluation "
        "WHERE split = 'holdout' AND section = 'all'"
    ).fetchone()
    assert reviewed >= 50
    assert share >= 0.9


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
