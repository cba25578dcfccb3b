"""Every case of the bad-input corpus ends the one way it should, through the real code paths."""

import io
import re

import duckdb
import pandas as pd
import pytest

from pipelines import settings
from pipelines.assets.registers import read_reference
from pipelines.assets.trade import load_raw_comtrade
from pipelines.curated.catalogue import CatalogueError, read_entries
from pipelines.curated.declaration import (
    DeclarationFormatError,
    check_pinned,
    parse_commitments,
    read_themes,
)
from pipelines.curated.registers import RegisterError
from pipelines.curated.registers_check import check_registers
from pipelines.preflight import evidence_rule_problems, manual_links_problems
from pipelines.settings import SettingError
from pipelines.sources.comtrade import ComtradeError, parse_rows
from pipelines.sources.feeds import FeedError, PibSource
from pipelines.sources.snapshots import MANIFEST, SnapshotError, SnapshotStore
from pipelines.warehouse.tables import replace_table
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
        elif case.kind == "register_path":
            path = tmp_path / "exercises.csv"
            if data == b"folder":
                path.mkdir()
            _, problems = check_registers({"exercises": path})
            reasons = problems["reason"].tolist()
        elif case.kind == "manifest":
            store = SnapshotStore(tmp_path / "store", "x")
            store.folder.mkdir()
            (store.folder / MANIFEST).write_bytes(data)
            (tmp_path / "outside.html").write_text("outside")
            store.newest()
            return "loaded", ""
        elif case.kind == "yaml":
            (tmp_path / "indicators.yaml").write_bytes(data)
            read_entries(tmp_path / "indicators.yaml")
            return "loaded", ""
        elif case.kind == "manual_links":
            (tmp_path / "manual_links.csv").write_bytes(data)
            links = read_reference(tmp_path / "manual_links.csv", "data/mapping/manual_links.csv")
            problems = manual_links_problems(links, {"EX-2024-CORPUS"})
            if problems:
                return "rejected", "; ".join(problems)
            return "loaded", ""
        elif case.kind == "evidence_rules":
            rules = pd.read_csv(io.BytesIO(data), dtype="string", keep_default_na=False)
            problems = evidence_rule_problems(rules)
            return ("rejected", "; ".join(problems)) if problems else ("loaded", "")
        elif case.kind == "declaration":
            parsed = parse_commitments(data.decode(), read_themes(settings.THEMES_FILE))
            check_pinned(parsed, settings.DECLARATION_PINS_FILE)
            return "loaded", ""
        elif case.kind == "setting":
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("TRACKER_AS_OF", data.decode())
                settings.as_of()
            return "loaded", ""
        elif case.kind == "feed":
            read = PibSource().parse_index(data, "https://pib.gov.in/RssMain.aspx")
            return "loaded", " | ".join(read.warnings)
        else:
            raise AssertionError(case.kind)
    except (
        RegisterError,
        ComtradeError,
        FeedError,
        SnapshotError,
        CatalogueError,
        DeclarationFormatError,
        SettingError,
    ) as error:
        return "rejected", str(error)
    return ("quarantined" if reasons else "loaded"), " | ".join(reasons)


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_bad_input_has_its_one_outcome(case, tmp_path):
    outcome, message = _run(case, tmp_path)
    assert outcome == case.outcome, message
    assert case.reason in message, message
    if outcome == "rejected":
        assert "\n" not in message and "Traceback" not in message
        if case.kind.startswith("register"):
            assert re.search(r"exercises\.csv(, line \d+)?:", message), message


def test_readme_states_the_corpus_figures():
    counts = summary()
    readme = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    expected = (f"{len(CASES)} bad inputs: {counts['loaded']} loaded, {counts['quarantined']} quarantined "
                f"with a named reason, {counts['rejected']} rejected with a one-line error")  # fmt: skip
    assert expected in readme
