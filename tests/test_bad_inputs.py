"""Every case of the bad-input corpus ends the one way it should, through the real code paths."""

import io
import re

import duckdb
import pandas as pd
import pytest

from pipelines import settings
from pipelines.assets.trade import load_raw_comtrade
from pipelines.registers import RegisterError
from pipelines.registers_check import check_registers
from pipelines.sources.comtrade import ComtradeError, parse_rows
from pipelines.sources.feeds import FeedError, PibSource
from pipelines.tables import replace_table
from tests.bad_inputs import CASES, Case, summary


def _trade_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    sql = (settings.SQL_DIR / "staging" / "stg_trade_rows.sql").read_text(encoding="utf-8")
    con.execute(f"CREATE TABLE stg_trade_rows AS {sql}")
    return [
        row[0]
        for row in con.execute(
            "SELECT p.reason FROM stg_trade_rows, unnest(problems) AS t(p)"
        ).fetchall()
    ]


def _run(case: Case, tmp_path) -> tuple[str, str]:
    """(outcome, message) of feeding `case` to the code that reads its kind of input."""
    data = case.build()
    try:
        if case.kind == "register":
            path = tmp_path / "exercises.csv"
            path.write_bytes(data)
            _, problems = check_registers({"exercises": path})
            reasons = problems["reason"].tolist()
        elif case.kind == "trade_figures":
            with duckdb.connect() as con:
                figures = pd.read_csv(io.BytesIO(data), dtype="string", keep_default_na=False)
                replace_table(con, "raw_published_trade_figures", figures)
                load_raw_comtrade(con, {})
                reasons = _trade_problems(con)
        elif case.kind == "comtrade":
            parse_rows(data, "https://comtradeapi.un.org/public/v1/preview/C/A/HS?period=2023")
            (tmp_path / "s.json").write_bytes(data)
            with duckdb.connect() as con:
                load_raw_comtrade(con, {"snap-1": tmp_path / "s.json"})
                con.execute("CREATE TABLE raw_published_trade_figures AS SELECT * FROM read_csv(?, all_varchar = true)",
                            [str(settings.registers_dir() / "published_trade_figures.csv")])  # fmt: skip
                reasons = [r for r in _trade_problems(con)]
        elif case.kind == "feed":
            read = PibSource().parse_index(data, "https://pib.gov.in/RssMain.aspx")
            return "loaded", " | ".join(read.warnings)
        else:
            raise AssertionError(case.kind)
    except (RegisterError, ComtradeError, FeedError) as error:
        return "rejected", str(error)
    return ("quarantined" if reasons else "loaded"), " | ".join(reasons)


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_bad_input_has_its_one_outcome(case, tmp_path):
    outcome, message = _run(case, tmp_path)
    assert outcome == case.outcome, message
    assert case.reason in message, message
    if outcome == "rejected":
        assert "\n" not in message and "Traceback" not in message
        if case.kind == "register":
            assert re.search(r"exercises\.csv(, line \d+)?:", message), message


def test_readme_states_the_corpus_figures():
    counts = summary()
    readme = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    expected = (f"{len(CASES)} bad inputs: {counts['loaded']} loaded, {counts['quarantined']} quarantined "
                f"with a named reason, {counts['rejected']} rejected with a one-line error")  # fmt: skip
    assert expected in readme
