"""The search log, its checks, and the complete-through dates derived from it; source tiers."""

import csv
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import settings
from pipelines.curated.registers import FAMILY_COLUMNS, SEARCH_LOG_COLUMNS, read_rows
from pipelines.warehouse.tables import replace_table

STAGING = settings.SQL_DIR / "staging"
LOG = settings.registers_dir() / "search_log.csv"


def _registered_events() -> pd.DataFrame:
    rows = []
    for family in FAMILY_COLUMNS:
        with (settings.registers_dir() / f"{family}.csv").open(encoding="utf-8") as f:
            rows += [{"event_id": r["event_id"], "family": family} for r in csv.DictReader(f)]
    return pd.DataFrame(rows)


def _coverage(log: Path) -> tuple[duckdb.DuckDBPyConnection, pd.DataFrame]:
    con = duckdb.connect()
    replace_table(
        con,
        "vocabularies",
        pd.read_csv(settings.DATA_DIR / "reference/vocabularies.csv", dtype="string"),
    )
    replace_table(con, "event_rows", _registered_events())
    replace_table(con, "raw_search_log", read_rows(log, SEARCH_LOG_COLUMNS).frame)
    for table in ("stg_search_log", "search_log", "register_coverage"):
        sql = (STAGING / f"{table}.sql").read_text()
        con.execute(f"CREATE TABLE {table} AS {sql}")  # noqa: S608
    coverage = con.execute("SELECT * FROM register_coverage").df().set_index("register")
    return con, coverage


def _edited_log(tmp_path: Path, keep=lambda row: True, extra=()) -> Path:
    with LOG.open(encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if keep(row)]
    out = tmp_path / "search_log.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=SEARCH_LOG_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, *extra])
    return out


def _through(coverage: pd.DataFrame, register: str) -> date:
    return pd.Timestamp(coverage.loc[register, "complete_through"]).date()


def test_the_bundled_log_loads_whole_and_dates_every_searched_register():
    con, coverage = _coverage(LOG)
    problems = con.execute("SELECT count(*) FROM stg_search_log WHERE len(problems) > 0")
    assert problems.fetchone()[0] == 0
    n_rows = sum(1 for _ in LOG.open(encoding="utf-8")) - 1
    assert con.execute("SELECT count(*) FROM search_log").fetchone()[0] == n_rows
    for register in ("exercises", "port_calls", "rd_projects", "dialogues"):
        assert coverage.loc[register, "n_series"] > 0
        assert _through(coverage, register) >= date(2026, 1, 1)
    # a register nobody has searched yet has no date rather than a made-up one
    assert set(coverage.index) >= {"statements"}


def test_dropping_a_year_moves_the_date_back_to_the_gap(tmp_path):
    _, before = _coverage(LOG)
    log = _edited_log(
        tmp_path, keep=lambda r: not (r["series"] == "Malabar" and r["year"] == "2026")
    )
    _, after = _coverage(log)
    assert _through(after, "exercises") == date(2025, 12, 31) < _through(before, "exercises")
    assert after.loc["exercises", "limiting_series"] == "Malabar"
    # other registers do not move
    assert _through(after, "dialogues") == _through(before, "dialogues")


def test_a_missing_middle_year_stops_the_span_there(tmp_path):
    log = _edited_log(tmp_path, keep=lambda r: not (r["series"] == "JIMEX" and r["year"] == "2023"))
    _, coverage = _coverage(log)
    assert _through(coverage, "exercises") == date(2022, 12, 31)
    assert coverage.loc["exercises", "limiting_series"] == "JIMEX"


def test_an_earlier_search_of_the_current_year_covers_up_to_its_day(tmp_path):
    def earlier(row):
        if row["series"] == "JWG-DETC" and row["year"] == "2026":
            row["searched_on"] = "2026-03-01"
        return True

    _, coverage = _coverage(_edited_log(tmp_path, keep=earlier))
    assert _through(coverage, "rd_projects") == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ({"register": "press"}, "register", "must be one of"),
        ({"result": "EX-2024-NO-SUCH-EXERCISE"}, "result", "no event EX-2024-NO-SUCH-EXERCISE"),
        ({"result": "DL-2022-SUMMIT-14"}, "result", "is in the dialogues register"),
        ({"result": "found it"}, "result", "neither"),
        ({"searched_on": "2021-06-01"}, "searched_on", "before the year searched"),
        ({"searched_on": "2024-13-01"}, "searched_on", "not a YYYY-MM-DD date"),
        ({"year": "twenty"}, "year", "not a whole year"),
        ({"searched": ""}, "searched", "missing"),
    ],
)
def test_bad_rows_are_quarantined_with_a_reason_and_cover_nothing(tmp_path, row, column, reason):
    base = {
        "register": "exercises",
        "series": "Test series",
        "year": "2022",
        "searched_on": "2026-12-02",
        "searched": "a query",
        "result": "not found",
        "notes": "",
    }
    con, coverage = _coverage(_edited_log(tmp_path, extra=[{**base, **row}]))
    problems = con.execute(
        "SELECT p.column, p.reason FROM stg_search_log, unnest(problems) AS t(p) "
        "WHERE series = 'Test series'"
    ).fetchall()
    assert len(problems) == 1
    assert problems[0][0] == column and reason in problems[0][1]
    assert (
        con.execute("SELECT count(*) FROM search_log WHERE series = 'Test series'").fetchone()[0]
        == 0
    )


def _tiers(urls: list[str]) -> list[str]:
    con = duckdb.connect()
    replace_table(
        con,
        "source_tiers",
        pd.read_csv(settings.DATA_DIR / "reference/source_tiers.csv", dtype="string"),
    )
    rows = pd.DataFrame(
        {
            "event_id": [f"EV{i}" for i in range(len(urls))],
            "start_date": [date(2024, 1, 1)] * len(urls),
            "source_url": urls,
            "source_file": "x.csv",
            "line_no": 2,
            "raw_record": None,
        }
    )
    rows["problems"] = [[] for _ in urls]
    replace_table(con, "stg_register_rows", rows)
    sql = (STAGING / "event_rows.sql").read_text()
    got = con.execute(f"SELECT event_id, source_tier FROM ({sql})").fetchall()  # noqa: S608
    return [tier for _, tier in sorted(got, key=lambda r: int(r[0][2:]))]


def test_source_tier_follows_the_domain_and_its_parents():
    assert _tiers(
        [
            "https://pib.gov.in/PressReleasePage.aspx?PRID=1",
            "https://www.latestly.com/agency-news/x.html",
            "https://www.mumbai.in.emb-japan.go.jp/itpr_ja/x.html",
            "https://unknown-site.example/x",
            "https://notpib.gov.in/x",
        ]
    ) == ["official", "aggregator", "official", "unclassified", "unclassified"]


def test_every_register_source_domain_has_a_tier():
    urls = []
    for family in FAMILY_COLUMNS:
        with (settings.registers_dir() / f"{family}.csv").open(encoding="utf-8") as f:
            urls += [r["source_url"] for r in csv.DictReader(f) if r["source_url"]]
    tiers = _tiers(urls)
    unclassified = sorted({u for u, t in zip(urls, tiers, strict=True) if t == "unclassified"})
    assert not unclassified, f"add these domains to data/reference/source_tiers.csv: {unclassified}"


def test_further_sources_must_belong_to_a_loaded_event_and_get_a_tier(tmp_path):
    sources = tmp_path / "event_sources.csv"
    sources.write_text(
        "event_id,source_url,source_title,published_date,retrieved_date,notes\n"
        "EX-2022-JIMEX,https://www.latestly.com/x.html,A repost,2022-09-12,2026-12-02,\n"
        "EX-2099-NOWHERE,https://pib.gov.in/x,A release,,2026-12-02,\n"
        "EX-2022-JIMEX,http://pib.gov.in/x,A release,,2026-12-02,\n",
        encoding="utf-8",
    )
    from pipelines.curated.registers import EVENT_SOURCE_COLUMNS

    con = duckdb.connect()
    replace_table(con, "event_rows", _registered_events())
    replace_table(
        con,
        "source_tiers",
        pd.read_csv(settings.DATA_DIR / "reference/source_tiers.csv", dtype="string"),
    )
    replace_table(con, "raw_event_sources", read_rows(sources, EVENT_SOURCE_COLUMNS).frame)
    for table in ("stg_event_sources", "event_sources"):
        sql = (STAGING / f"{table}.sql").read_text()
        con.execute(f"CREATE TABLE {table} AS {sql}")  # noqa: S608
    kept = con.execute("SELECT event_id, source_tier FROM event_sources").fetchall()
    assert kept == [("EX-2022-JIMEX", "aggregator")]
    problems = con.execute(
        "SELECT line_no, p.column, p.reason FROM stg_event_sources, unnest(problems) AS t(p) "
        "ORDER BY line_no"
    ).fetchall()
    assert problems == [
        (3, "event_id", "no event EX-2099-NOWHERE in events"),
        (4, "source_url", "not an https URL"),
    ]
