"""The status rule of the scorecard, pinned on constructed cases by running sql/marts/scorecard.sql."""

from datetime import date, timedelta

import duckdb
import pytest

from pipelines import settings

SIGNING = date(2025, 8, 29)
AS_OF = SIGNING + timedelta(days=100)  # the post-signing window is still open "today"


def _scorecard(cases: dict[str, tuple[int, int]], not_measurable: set[str] = frozenset()):
    """Run the real scorecard model on commitments whose (baseline, post) evidence counts are given."""
    con = duckdb.connect()
    con.execute("CREATE TABLE commitments (commitment_id VARCHAR, section INTEGER, theme VARCHAR)")
    con.execute("CREATE TABLE evidence (commitment_id VARCHAR, event_id VARCHAR, start_date DATE)")
    con.execute(
        "CREATE TABLE indicators (indicator_id VARCHAR, commitments VARCHAR[], status VARCHAR, reason VARCHAR)"
    )
    con.execute(
        "CREATE TABLE run_parameters AS SELECT ?::DATE AS signing_date, ?::DATE AS as_of, "
        "?::DATE AS baseline_start, ?::INTEGER AS window_days",
        [SIGNING, AS_OF, SIGNING - (AS_OF - SIGNING), (AS_OF - SIGNING).days],
    )
    for number, (commitment, (n_base, n_post)) in enumerate(cases.items(), start=1):
        con.execute("INSERT INTO commitments VALUES (?, 1, 'theme')", [commitment])
        measured = commitment not in not_measurable
        con.execute(
            "INSERT INTO indicators VALUES (?, [?], ?, ?)",
            [f"ind{number}", commitment, "measured" if measured else "not measurable",
             None if measured else "confidential"],
        )  # fmt: skip
        for i in range(n_base):
            con.execute(
                "INSERT INTO evidence VALUES (?, ?, ?)",
                [commitment, f"b{number}-{i}", SIGNING - timedelta(days=1 + i)],
            )
        for i in range(n_post):
            con.execute(
                "INSERT INTO evidence VALUES (?, ?, ?)",
                [commitment, f"p{number}-{i}", SIGNING + timedelta(days=i)],
            )
    # Evidence outside both windows must not count.
    con.execute("INSERT INTO evidence VALUES ('1.1', 'old', DATE '2015-01-01')")
    con.execute(
        "INSERT INTO evidence VALUES ('1.1', 'after-as-of', ?)", [AS_OF + timedelta(days=1)]
    )
    sql = (settings.SQL_DIR / "marts" / "scorecard.sql").read_text()
    rows = con.execute(sql).df().set_index("commitment_id")
    con.close()
    return rows


@pytest.mark.parametrize(
    ("baseline", "post", "status"),
    [
        (0, 0, "no evidence"),  # nothing either side
        (3, 0, "no evidence"),  # activity stopped at signing
        (0, 1, "sustained"),  # a single event, no baseline: above baseline but p = 0.5
        (5, 1, "initiated"),  # evidence since signing, below the baseline rate
        (2, 2, "sustained"),  # the same rate
        (0, 5, "intensified"),  # p = 0.5^5 = 0.031 < 0.05
        (0, 4, "sustained"),  # p = 0.0625: not clearly above
        (2, 9, "intensified"),  # p = P(X>=9 | n=11, 0.5) = 0.033
    ],
)
def test_status_rule(baseline, post, status):
    card = _scorecard({"1.1": (baseline, post)})
    row = card.loc["1.1"]
    assert row["status"] == status
    assert (row["n_baseline"], row["n_post"]) == (baseline, post)


def test_p_value_is_the_exact_binomial_tail():
    card = _scorecard({"1.1": (2, 9)})
    assert card.loc["1.1", "p_value"] == pytest.approx((1 + 11 + 55) / 2**11, abs=1e-4)


def test_not_measurable_wins_over_evidence():
    card = _scorecard({"1.7": (0, 6)}, not_measurable={"1.7"})
    assert card.loc["1.7", "status"] == "not measurable"
    assert card.loc["1.7", "n_post"] == 6  # the evidence is still shown


def test_rates_are_per_year_over_the_open_window():
    card = _scorecard({"2.1": (1, 2)})
    assert card.loc["2.1", "window_days"] == 100
    assert card.loc["2.1", "post_rate_per_year"] == pytest.approx(2 * 365.25 / 100, abs=0.01)


def test_scorecard_after_materialization_has_41_rows(warehouse):
    assert warehouse.execute("SELECT count(*) FROM scorecard").fetchone() == (41,)
    uncovered = warehouse.execute(
        "SELECT count(*) FROM scorecard WHERE len(indicator_ids) = 0 AND not_measurable_reason IS NULL"
    ).fetchone()
    assert uncovered == (0,)
