"""Each status rule of the scorecard, pinned on constructed cases by running the real SQL models."""

from datetime import date

import pytest
from scipy.stats import beta

from tests.scorecard_cases import Cases

COVERED = date(2026, 6, 30)


def _recurring(*held: date, covered: date = COVERED, grace: int = 90) -> dict:
    cases = Cases().coverage("dialogues", covered).commitment("6.1", "recurring", ["dialogues"])
    cases.mechanism("6.1", "nsa_dialogue", months=12, grace=grace)
    for day in held:
        cases.event(day, mechanism="nsa_dialogue")
    return cases.run()["6.1"]


def test_annual_mechanism_held_on_time_is_on_schedule():
    row = _recurring(date(2024, 10, 1), date(2025, 10, 1))
    assert row["status"] == "on schedule"
    assert row["last_edition"] == date(2025, 10, 1)
    assert row["next_due"] == date(2026, 10, 1)
    assert not row["held_late_since_signing"]


def test_annual_mechanism_held_late_is_back_on_schedule_and_says_it_was_late():
    # due 2025-10-01, grace 30 days: held 2025-12-15 is late, and the next is due 2026-12-15
    row = _recurring(date(2024, 10, 1), date(2025, 12, 15), grace=30)
    assert row["status"] == "on schedule"
    assert row["held_late_since_signing"]
    assert row["next_due"] == date(2026, 12, 15)


def test_annual_mechanism_missed_is_overdue():
    # running at signing (due 2026-01-15), not held by the end of the grace period
    row = _recurring(date(2025, 1, 15))
    assert row["status"] == "overdue"
    assert row["overdue_mechanisms"] == ["nsa_dialogue"]


def test_a_mechanism_lapsed_at_signing_restarts_with_the_declaration():
    # last held 2019: the first edition under the declaration is due 2026-08-29
    assert _recurring(date(2019, 11, 25))["status"] == "not yet held"
    assert _recurring(date(2019, 11, 25))["next_due"] == date(2026, 8, 29)
    assert _recurring(date(2019, 11, 25), covered=date(2026, 12, 1))["status"] == "overdue"
    assert _recurring(date(2019, 11, 25), date(2026, 2, 1))["status"] == "established"


def test_within_the_grace_period_a_mechanism_is_not_yet_overdue():
    # last held 2025-05-01: due 2026-05-01, overdue only after 2026-07-30
    assert _recurring(date(2025, 5, 1))["status"] == "on schedule"
    assert _recurring(date(2025, 5, 1), covered=date(2026, 8, 1))["status"] == "overdue"


def test_a_new_mechanism_is_not_yet_held_then_overdue_then_established():
    assert _recurring()["status"] == "not yet held"  # first due 2026-08-29
    assert _recurring(covered=date(2026, 12, 1))["status"] == "overdue"
    assert _recurring(date(2025, 11, 20))["status"] == "established"


def test_an_edition_after_coverage_is_not_seen():
    row = _recurring(date(2025, 1, 15), date(2026, 9, 1))
    assert row["status"] == "overdue"
    assert row["last_edition"] == date(2025, 1, 15)


def test_phases_of_one_edition_are_one_edition():
    cases = Cases().coverage("dialogues", COVERED).commitment("6.1", "recurring", ["dialogues"])
    cases.mechanism("6.1", "nsa_dialogue")
    cases.event(date(2025, 10, 1), mechanism="nsa_dialogue")
    cases.event(date(2025, 10, 20), mechanism="nsa_dialogue")  # a second phase
    cases.run()
    editions = cases.con.execute("SELECT count(*) FROM mechanism_editions").fetchone()[0]
    assert editions == 1


def _milestone(*events: tuple[date, str], covered: date = COVERED) -> dict:
    cases = Cases().coverage("dialogues", covered).commitment("1.2", "milestone", ["dialogues"])
    cases.rung("1.2", 1, "proposed", declaration=True)
    cases.rung("1.2", 2, "agreed", ["agreement"])
    cases.rung("1.2", 3, "first held", ["staff_talks"])
    cases.rung("1.2", 4, "regular", ["staff_talks"], min_events=2)
    for day, mechanism in events:
        cases.event(day, "1.2", mechanism=mechanism, name=f"{mechanism} on {day}")
    return cases.run()["1.2"]


def test_a_milestone_with_no_evidence_stands_at_the_declaration():
    row = _milestone()
    assert (row["status"], row["stage_reached_on"], row["stage_event_id"]) == (
        "proposed", date(2025, 8, 29), None,
    )  # fmt: skip


def test_a_milestone_reached_names_the_event_that_reached_it():
    # an agreement announced at the signing summit moves a milestone
    row = _milestone((date(2025, 8, 29), "agreement"), (date(2026, 1, 10), "staff_talks"))
    assert row["status"] == "first held"
    assert row["stage_event_name"] == "staff_talks on 2026-01-10"
    assert row["stage_reached_on"] == date(2026, 1, 10)


def test_a_milestone_becomes_regular_on_its_second_meeting_and_ignores_the_unsearched():
    row = _milestone(
        (date(2024, 1, 1), "staff_talks"),  # before signing: counts_from is signing
        (date(2025, 10, 1), "staff_talks"),
        (date(2026, 3, 1), "staff_talks"),
        (date(2026, 9, 1), "staff_talks"),  # after coverage
    )
    assert row["status"] == "regular"
    assert row["stage_reached_on"] == date(2026, 3, 1)


def _activity(n_base: int, n_post: int, covered: date = COVERED) -> tuple[dict, Cases]:
    cases = Cases().coverage("port_calls", covered).commitment("2.1", "activity", ["port_calls"])
    cases.events("2.1", date(2022, 8, 29), date(2025, 8, 28), n_base, "port_calls")
    cases.events("2.1", date(2025, 9, 1), covered, n_post, "port_calls")
    return cases.run()["2.1"], cases


def _clopper_pearson_ratio(n_base, n_post, t_base, t_post, level=0.9):
    tail, n = (1 - level) / 2, n_base + n_post
    low = beta.ppf(tail, n_post, n - n_post + 1) if n_post else 0.0
    high = beta.ppf(1 - tail, n_post + 1, n - n_post) if n_base else None
    scale = t_base / t_post
    return low / (1 - low) * scale, (high / (1 - high) * scale if high is not None else None)


def test_activity_rate_ratio_and_its_exact_interval():
    row, _ = _activity(10, 4)
    assert (row["baseline_days"], row["post_days"]) == (1096, 304)  # 31 Aug 2025 to 30 Jun 2026
    assert row["rate_ratio"] == pytest.approx((4 / 304) / (10 / 1096), abs=1e-3)
    low, high = _clopper_pearson_ratio(10, 4, 1096, 304)
    assert row["ratio_low"] == pytest.approx(low, abs=2e-3)
    assert row["ratio_high"] == pytest.approx(high, abs=2e-3)


def test_an_interval_that_spans_one_is_in_line_with_baseline():
    row, _ = _activity(10, 4)
    assert row["ratio_low"] < 1 < row["ratio_high"]
    assert row["status"] == "in line with baseline"


@pytest.mark.parametrize(
    ("n_base", "n_post", "status"),
    [
        (3, 15, "above baseline"),
        (30, 1, "below baseline"),
        (2, 2, "too few events to tell"),  # 4 events in both windows together, below 5
        (0, 6, "above baseline"),  # no baseline: no upper bound, but the lower one is above 1
    ],
)
def test_activity_status(n_base, n_post, status):
    row, _ = _activity(n_base, n_post)
    assert row["status"] == status


def test_a_part_period_ends_the_window_at_coverage():
    cases = Cases().coverage("port_calls", date(2026, 3, 31))
    cases.commitment("2.1", "activity", ["port_calls"])
    cases.events("2.1", date(2022, 9, 1), date(2025, 8, 1), 9, "port_calls")
    cases.event(date(2025, 8, 29), "2.1", family="port_calls")  # at the signing summit
    cases.event(date(2026, 1, 5), "2.1", family="port_calls")
    cases.event(date(2026, 5, 5), "2.1", family="port_calls")  # after coverage: unseen
    row = cases.run()["2.1"]
    assert row["window_end"] == row["coverage_through"] == date(2026, 3, 31)
    assert row["post_days"] == (date(2026, 3, 31) - date(2025, 8, 30)).days
    assert (row["n_baseline"], row["n_post"]) == (9, 1)


def test_statement_reaffirmed_only_after_the_summit():
    cases = Cases().coverage("statements", COVERED)
    cases.commitment("5.8", "statement", ["statements"]).commitment(
        "5.5", "statement", ["statements"]
    )
    cases.statement("S-SUMMIT", date(2025, 8, 29), ["5.8", "5.5"])  # the signing summit itself
    cases.statement("S-2026", date(2026, 1, 16), ["5.8"])
    cases.statement("S-READOUT", date(2026, 2, 1), ["5.5"], issuer="india")  # one side alone
    card = cases.run()
    assert card["5.8"]["status"] == "reaffirmed"
    assert card["5.8"]["statement_ids"] == ["S-2026"]
    assert card["5.5"]["status"] == "not reaffirmed since signing"


def test_a_register_never_searched_gives_no_window():
    cases = Cases().coverage("dialogues", COVERED)
    cases.commitment("2.3", "activity", ["port_calls", "dialogues"])
    cases.commitment("1.7", "not measurable", [])
    card = cases.run()
    assert card["2.3"]["status"] == "not yet searched"
    assert card["2.3"]["coverage_through"] is None
    assert card["2.3"]["unsearched_registers"] == ["port_calls"]
    assert card["1.7"]["status"] == "not measurable"


def test_windows_end_at_the_earliest_coverage_and_never_after_as_of():
    cases = Cases(as_of=date(2026, 5, 1))
    cases.coverage("port_calls", date(2026, 4, 1)).coverage("exercises", date(2026, 12, 31))
    cases.commitment("2.3", "activity", ["port_calls", "exercises"])
    cases.commitment("1.3", "activity", ["exercises"])
    card = cases.run()
    assert card["2.3"]["coverage_through"] == date(2026, 4, 1)
    assert card["1.3"]["coverage_through"] == date(2026, 5, 1)  # capped at as_of
    for row in card.values():
        assert row["window_end"] <= row["coverage_through"] <= row["as_of"]
