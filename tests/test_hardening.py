"""Hostile inputs beyond one outcome each: what must not load, run, leak or be lost."""

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from html.parser import HTMLParser

import duckdb
import pandas as pd
import pytest

from pipelines import settings
from pipelines.curated.registers_check import check_registers
from pipelines.preflight import preflight
from pipelines.press.review import read_decisions
from pipelines.reporting.exports import write_exports
from pipelines.reporting.report import swap_in
from pipelines.sources.feeds import MAX_DOCUMENT_BYTES, PibSource, read_snapshot
from pipelines.sources.snapshots import Captured, SnapshotStore
from tests.bad_inputs import ALIAS_BOMB, CASES, RSS

ROOT = settings.PROJECT_ROOT


def _case(case_id: str):
    return next(c for c in CASES if c.case_id == case_id)


def _register(tmp_path, case_id: str):
    path = tmp_path / "exercises.csv"
    path.write_bytes(_case(case_id).build())
    return check_registers({"exercises": path})


def test_text_inside_a_field_never_becomes_an_event(tmp_path):
    loaded, problems = _register(tmp_path, "line-separator-inside-notes-after-a-csv-error")
    assert "EX-2024-INJECTED" not in set(loaded["event_id"])
    assert list(loaded["event_id"]) == ["EX-2024-CORPUS"]
    assert "\u2028EX-2024-INJECTED" in loaded["notes"].iloc[0]
    assert problems["line_no"].tolist() == [2]


def test_cr_only_file_quarantines_the_undecodable_row_and_loads_the_good_one(tmp_path):
    loaded, problems = _register(tmp_path, "cr-only-line-endings-with-a-non-utf8-row")
    assert loaded["event_id"].tolist() == ["EX-2024-CORPUS"]
    assert problems[["line_no", "reason"]].values.tolist() == [[3, "not valid UTF-8 text"]]
    assert not loaded["name"].str.contains("\ufffd").any()


def test_repeated_participant_code_counts_once(tmp_path):
    loaded, _ = _register(tmp_path, "repeated-participant-code")
    assert list(loaded["japan_participants"].iloc[0]) == ["JMSDF"]


def test_alias_bomb_fails_fast_within_a_memory_cap_naming_the_file(tmp_path):
    bomb = tmp_path / "indicators.yaml"
    bomb.write_bytes(ALIAS_BOMB)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "from pipelines.curated.catalogue import CatalogueError, read_entries\n"
        "try:\n    read_entries(__import__('pathlib').Path(sys.argv[1]))\n"
        "except CatalogueError as e:\n    print(e); sys.exit(3)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, str(bomb)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert time.monotonic() - started < 30
    assert done.returncode == 3, done.stderr[-500:]
    assert done.stdout.strip().startswith("data/indicators.yaml: the YAML expands")
    assert done.stdout.count("\n") == 1


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.comments = 0, 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"

    def handle_comment(self, data):
        self.comments += 1


def test_chart_title_cannot_end_the_inline_script(tmp_path):
    from pipelines.reporting.charts import ChartSpec, indicator_chart, save_chart

    title = "T </script><script>alert(1)</script> <!-- \u2028 \u2029 & end"
    values = pd.DataFrame({"period": ["2024"], "series": ["a"], "value": [1.0], "n_events": [1]})
    paths = save_chart(indicator_chart(ChartSpec("x", title, "", "u", "s"), values), tmp_path, "x")
    page = paths["html"].read_text(encoding="utf-8")
    parser = _Scripts()
    parser.feed(page)
    assert parser.scripts == 2  # Vega inlined, and the embedding call: no third, injected one
    assert "<!--" not in page and "\u2028" not in page and "</script><script>alert" not in page
    assert "\\u003c/script\\u003e" in page  # the title is still there, as data


def test_data_docs_values_are_escaped_once(tmp_path, monkeypatch):
    from pipelines.warehouse import validation

    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path))
    stored = tmp_path / "great_expectations" / "validations" / "raw_feed_items" / "r.json"
    stored.parent.mkdir(parents=True)
    hostile = "javascript:alert(1)<img src=x onerror=alert(2)>\x00"
    result = {"partial_unexpected_list": [hostile], "unexpected_count": 1}
    stored.write_text(json.dumps({"meta": {}, "results": [{"result": result}]}))
    validation._escape_observed_values()
    validation._escape_observed_values()  # a rebuild must not escape twice
    value = json.loads(stored.read_text())["results"][0]["result"]["partial_unexpected_list"][0]
    assert value == "javascript:alert(1)&lt;img src=x onerror=alert(2)&gt;"


def test_one_hostile_feed_item_is_skipped_and_the_rest_kept():
    body = RSS % (
        b"<item><title>bad</title><link>javascript:alert(1)</link></item>"
        b"<item><title>good</title><link>https://pib.gov.in/PressReleasePage.aspx?PRID=1</link></item>"
    )
    read = PibSource().parse_index(body, "https://pib.gov.in/RssMain.aspx")
    assert [i.title for i in read.items] == ["good"]
    assert any("not an http(s) URL" in w for w in read.warnings)


def test_oversized_feed_page_is_named_not_parsed(tmp_path):
    store = SnapshotStore(tmp_path, "x", suffix=".html")
    index = (
        RSS
        % b"<item><title>t</title><link>https://pib.gov.in/PressReleasePage.aspx?PRID=7</link></item>"
    )
    page = b"<p>" + b"x" * (MAX_DOCUMENT_BYTES + 1) + b"</p>"
    store.save_fetch(
        "feed",
        [
            Captured("https://pib.gov.in/RssMain.aspx", index, 1, ".xml"),
            Captured("https://pib.gov.in/PressReleasePage.aspx?PRID=7", page, 1),
        ],
        now=datetime(2026, 11, 30, tzinfo=UTC),
    )
    started = time.monotonic()
    read = read_snapshot(store, PibSource())
    assert time.monotonic() - started < 5
    assert any("over" in p for p in read.items[0].problems)


def test_manifest_path_outside_the_folder_is_refused_before_reading(tmp_path):
    store = SnapshotStore(tmp_path / "s", "x")
    store.save_fetch("feed", [Captured("https://x.example/", b"a", 1)])
    manifest = (store.folder / "manifest.csv").read_text().replace("feed/", "../../")
    (store.folder / "manifest.csv").write_text(manifest)
    with pytest.raises(ValueError, match="outside its folder"):
        store.newest()


def test_multiline_review_decisions_keep_their_first_line(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text(
        "candidate_id,decision,note,reviewer,decided_on\n"
        'CAAAAAAAAAAAA,accept,"two\nline note",me,2026-11-30\n'
        "CBBBBBBBBBBBB,reject,plain,me,2026-11-30\n",
        encoding="utf-8",
    )
    frame = read_decisions(path)
    assert frame["line_no"].tolist() == [2, 4]
    assert frame["note"].tolist() == ["two\nline note", "plain"]


def test_exports_work_under_a_folder_with_a_quote(built, tmp_path):
    folder = tmp_path / "o'brien dir" / "build" / "exports"
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(built / "warehouse.duckdb", database)
    with duckdb.connect(str(database)) as con:
        con.execute("UPDATE scorecard SET theme = '=cmd' || chr(0) WHERE commitment_id = '1.1'")
        written = write_exports(con, folder)
    assert len(written) == 4
    scorecard = (folder / "scorecard.csv").read_bytes()
    assert b"\x00" not in scorecard and b"'=cmd" in scorecard
    assert not list(folder.glob(".*partial"))


def test_report_swap_replaces_the_whole_folder(tmp_path):
    target, staging = tmp_path / "report", tmp_path / ".report.staging"
    target.mkdir()
    (target / "old.html").write_text("old")
    (tmp_path / ".report.previous").mkdir()  # left by a run killed mid-swap
    staging.mkdir()
    (staging / "index.html").write_text("new")
    swap_in(staging, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert [p.name for p in target.iterdir()] == ["index.html"]


def _cli(*args, env_extra: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )


@pytest.fixture
def broken_registers(tmp_path):
    folder = tmp_path / "registers"
    folder.mkdir()
    for path in (ROOT / "data" / "registers").glob("*.csv"):
        if path.name != "exercises.csv":
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / "port_calls.csv").unlink()
    (folder / "port_calls.csv").mkdir()
    return folder


def test_run_with_a_missing_register_fails_in_preflight_without_traceback(
    broken_registers, tmp_path
):
    done = _cli(
        "run",
        env_extra={
            "TRACKER_REGISTERS_DIR": str(broken_registers),
            "TRACKER_AS_OF": "garbage",
            "TRACKER_BUILD_DIR": str(tmp_path / "build"),
        },
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("preflight:")]
    assert any("exercises.csv: file not found" in line for line in lines), done.stderr
    assert any("port_calls.csv: is a folder" in line for line in lines), done.stderr
    assert any("TRACKER_AS_OF='garbage'" in line for line in lines), done.stderr
    assert not (tmp_path / "build" / "warehouse.duckdb").exists()


def test_check_registers_fails_where_a_run_would(broken_registers):
    done = _cli("check-registers", str(broken_registers), env_extra={})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "file not found" in done.stderr or "is a folder" in done.stderr


def test_read_only_build_folder_is_one_line(tmp_path, monkeypatch):
    if os.geteuid() == 0:
        pytest.skip("root writes through read-only permissions")
    build = tmp_path / "build"
    build.mkdir()
    build.chmod(0o500)
    monkeypatch.setenv("TRACKER_BUILD_DIR", str(build))
    try:
        problems = preflight().problems
    finally:
        build.chmod(0o700)
    assert any("cannot be written" in p for p in problems)


def test_preflight_passes_on_the_bundled_data_and_names_each_problem(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path / "build"))
    assert preflight().problems == []
    monkeypatch.setenv("TRACKER_AS_OF", "2099-01-01")
    assert preflight().problems == [
        "TRACKER_AS_OF=2099-01-01 is in the future; use a past day or unset it"
    ]


def test_full_build_folder_is_one_line(monkeypatch, tmp_path):
    from pipelines import preflight as module

    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path / "build"))
    monkeypatch.setattr(module, "MIN_FREE_BYTES", 2**62)
    problems = [p for p in preflight().problems if "MB free" in p]
    assert len(problems) == 1 and "TRACKER_BUILD_DIR" in problems[0]


def test_invalid_classifier_regex_names_file_and_rule(tmp_path):
    from pipelines.press.classifier import RulesError, load_rules

    (tmp_path / "vocabulary.yaml").write_bytes(
        (ROOT / "data/classifier/vocabulary.yaml").read_bytes()
    )
    (tmp_path / "commitment_rules.csv").write_text(
        "rule_id,commitment_id,family,not_family,terms,requires,unless,rationale\n"
        'X-1,1.1,,,"(unclosed",,,r\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as error:
        load_rules(tmp_path)
    message = str(error.value)
    assert message.startswith("data/classifier/commitment_rules.csv, rule X-1 (row 2), terms:")
    assert "\n" not in message


def test_registers_dir_covers_published_trade_figures(tmp_path, monkeypatch):
    from dagster import AssetSelection

    from tests.helpers import materialize_selection

    draft = tmp_path / "draft"
    draft.mkdir()
    published = (ROOT / "data/registers/published_trade_figures.csv").read_text(encoding="utf-8")
    header = published.splitlines()[0]
    (draft / "published_trade_figures.csv").write_text(
        header + "\n" + "DRAFT-1" + "," * header.count(","), encoding="utf-8"
    )
    monkeypatch.setenv("TRACKER_REGISTERS_DIR", str(draft))
    database = tmp_path / "w.duckdb"
    materialize_selection(AssetSelection.assets("raw_published_trade_figures"), database)
    with duckdb.connect(str(database), read_only=True) as con:
        ids = [
            r[0]
            for r in con.execute("SELECT figure_id FROM raw_published_trade_figures").fetchall()
        ]
    assert ids == ["DRAFT-1"]


def test_one_damaged_feed_snapshot_drops_only_its_source(tmp_path, monkeypatch):
    import shutil

    from dagster import AssetSelection

    from tests.helpers import materialize_selection

    snapshots = tmp_path / "snapshots"
    shutil.copytree(ROOT / "data/snapshots", snapshots)
    store = SnapshotStore(snapshots / "feeds" / "pib", "x")
    index = min(store.newest(), key=lambda row: row["snapshot_id"])
    store.path(index).write_bytes(b"\x00corrupt")  # no longer matches its manifest sha256
    monkeypatch.setenv("TRACKER_SNAPSHOTS_DIR", str(snapshots))
    database = tmp_path / "w.duckdb"
    started = time.monotonic()
    result = materialize_selection(
        AssetSelection.assets("feed_snapshots", "raw_feed_items"), database
    )
    assert result.success
    assert time.monotonic() - started < 60  # no retry delays
    with duckdb.connect(str(database), read_only=True) as con:
        sources = {
            r[0] for r in con.execute("SELECT DISTINCT source FROM raw_feed_items").fetchall()
        }
    assert sources == {"mod_jp"}


def test_snapshot_retrieved_in_the_future_fails_preflight(tmp_path, monkeypatch):
    import shutil

    snapshots = tmp_path / "snapshots"
    shutil.copytree(ROOT / "data/snapshots", snapshots)
    manifest = snapshots / "feeds" / "mod_jp" / "manifest.csv"
    import csv

    with manifest.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["retrieved_at"] = "2099-01-01T00:00:00+00:00"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("TRACKER_SNAPSHOTS_DIR", str(snapshots))
    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path / "build"))
    problems = preflight().problems
    assert any("manifest.csv, line 2: retrieved_at '2099-01-01'" in p for p in problems), problems
