"""`python -m pipelines run` skips what is up to date and recomputes exactly what an edit reaches.

The session's build (conftest `built`) recorded what every step was computed from. Other tests
read that build and some write into its warehouse, so it is first copied and brought up to date
once (`settled`); each test works on a copy of that, so the runs here start warm.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import settings
from pipelines.orchestration import up_to_date
from tests.helpers import folder_digest

EDITED_EVENT = "PC-2016-MATSUYUKI-VISAKHAPATNAM"
EDITED_NAME = "JS Matsuyuki at Visakhapatnam for the International Fleet Review of February 2016"
# Great Expectations stamps each validation with its run time, and its Data Docs show them.
TIME_STAMPED = ("data_docs",)


def _copy_build(built: Path, target: Path) -> Path:
    shutil.copytree(built, target, ignore=shutil.ignore_patterns("*.lock", "dagster_home"))
    return target


def _run(build: Path, *args: str, registers: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "TRACKER_BUILD_DIR": str(build)}
    env.pop("DAGSTER_HOME", None)
    env.pop("TRACKER_WAREHOUSE", None)
    if registers is not None:
        env["TRACKER_REGISTERS_DIR"] = str(registers)
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "run", *args],
        cwd=settings.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _records(build: Path) -> dict[str, dict]:
    return json.loads((build / up_to_date.STORE_NAME).read_text(encoding="utf-8"))


def _rebuilt(before: dict[str, dict], after: dict[str, dict]) -> set[str]:
    """Steps whose record a later run wrote: those it recomputed."""
    return {
        name for name, rec in after.items() if before.get(name, {}).get("run_id") != rec["run_id"]
    }


def _report_files(build: Path) -> dict[str, bytes]:
    root = build / "report"
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in TIME_STAMPED
    }


@pytest.fixture(scope="module")
def settled(built, tmp_path_factory) -> Path:
    """The session build, with whatever other tests changed in its warehouse recomputed."""
    build = _copy_build(built, tmp_path_factory.mktemp("settled") / "build")
    _run(build)
    return build


def test_a_warm_run_recomputes_nothing_and_a_deleted_chart_is_drawn_again(settled, tmp_path):
    build = _copy_build(settled, tmp_path / "build")
    report = folder_digest(build / "report")
    before = _records(build)

    warm = _run(build)
    assert "nothing to recompute" in warm.stderr
    assert f"{len(before)} up to date, 0 recomputed" in warm.stderr
    assert _records(build) == before
    assert folder_digest(build / "report") == report
    # the second time the saved graph of the job answers, before Dagster is loaded
    assert (build / "up_to_date.graphs.json").exists()
    assert "nothing to recompute" in _run(build).stderr

    chart = next((build / "report" / "charts").glob("port_calls.*"))
    chart.unlink()
    _run(build, "--explain")
    rebuilt = _rebuilt(before, _records(build))
    assert "chart_port_calls" in rebuilt
    assert chart.exists()
    # nothing upstream of the chart ran: its table did not change
    assert not rebuilt & {"indicator_values", "events", "raw_port_calls", "scorecard"}


@pytest.fixture(scope="module")
def edited_registers(tmp_path_factory) -> Path:
    """The registers with one row's event name changed, and nothing else."""
    folder = tmp_path_factory.mktemp("registers")
    shutil.copytree(settings.registers_dir(), folder, dirs_exist_ok=True)
    path = folder / "port_calls.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith(EDITED_EVENT + ","))
    old_name = lines[row].split(",")[1]
    lines[row] = lines[row].replace(old_name, EDITED_NAME, 1)
    path.write_text("".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def after_edit(settled, edited_registers, tmp_path_factory) -> tuple[Path, dict, str]:
    build = _copy_build(settled, tmp_path_factory.mktemp("edited") / "build")
    before = _records(build)
    result = _run(build, "--explain", registers=edited_registers)
    return build, _rebuilt(before, _records(build)), result.stderr


def test_one_register_row_recomputes_what_it_reaches_and_skips_the_rest(after_edit):
    build, rebuilt, output = after_edit
    assert {"raw_port_calls", "stg_register_rows", "events", "report"} <= rebuilt
    # Only the edited register's loader reads again: the other registers' loaders, the loaders
    # of other data, the trade chain and charts of other indicators are not recomputed.
    others = {f"raw_{p.stem}" for p in settings.registers_dir().glob("*.csv")} - {"raw_port_calls"}
    assert "raw_exercises" in others
    assert not rebuilt & others
    assert not rebuilt & {
        "commitments", "raw_comtrade", "indicators", "stg_trade_rows", "minerals_trade",
        "ind_minerals_trade_value", "chart_minerals_trade_value", "chart_exercises",
        "raw_exercises:great_expectations", "commitments:great_expectations",
    }  # fmt: skip
    assert "up to date" in output and "recomputed" in output
    # Tables first, then the report group planned again: two runs, the second without the
    # charts whose indicators came out the same.
    assert output.count("running ") == 2
    pages = [p.read_text(encoding="utf-8") for p in (build / "report").rglob("*.html")]
    assert any(EDITED_NAME in page for page in pages)


def test_the_report_is_the_same_whether_steps_were_skipped_or_forced(
    settled, edited_registers, after_edit, tmp_path
):
    skipped_build = after_edit[0]
    forced = _copy_build(settled, tmp_path / "build")
    _run(forced, "--force", registers=edited_registers)
    assert _records(forced).keys() == _records(skipped_build).keys()
    skipped_files, forced_files = _report_files(skipped_build), _report_files(forced)
    assert skipped_files.keys() == forced_files.keys()
    differing = sorted(name for name in forced_files if forced_files[name] != skipped_files[name])
    assert differing == []


def test_a_register_reaches_its_own_loader_only(tmp_path, monkeypatch):
    registers = tmp_path / "registers"
    shutil.copytree(settings.registers_dir(), registers)
    monkeypatch.setenv("TRACKER_REGISTERS_DIR", str(registers))
    names = ("raw_port_calls", "raw_exercises", "raw_published_trade_figures", "raw_comtrade",
             "commitments", "report")  # fmt: skip
    before = {name: up_to_date.code_version(name) for name in names}
    path = registers / "port_calls.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(EDITED_EVENT, EDITED_EVENT + "-X", 1))
    after = {name: up_to_date.code_version(name) for name in names}
    assert {name for name in names if after[name] != before[name]} == {"raw_port_calls", "report"}
    # Any other data file still reaches every loader, a register's loader too.
    data = tmp_path / "data"
    shutil.copytree(settings.DATA_DIR, data)
    monkeypatch.setattr(settings, "DATA_DIR", data)
    before = {name: up_to_date.code_version(name) for name in names}
    vocabularies = data / "reference" / "vocabularies.csv"
    vocabularies.write_text(vocabularies.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after = {name: up_to_date.code_version(name) for name in names}
    assert all(after[name] != before[name] for name in names)


def test_a_model_is_stale_when_its_own_sql_changes(tmp_path, monkeypatch):
    sql = tmp_path / "sql"
    shutil.copytree(settings.SQL_DIR, sql)
    before = {name: up_to_date.code_version(name) for name in ("events", "evidence")}
    monkeypatch.setattr(settings, "SQL_DIR", sql)
    assert {name: up_to_date.code_version(name) for name in before} == before
    path = sql / "staging" / "events.sql"
    path.write_text(path.read_text(encoding="utf-8") + "\n-- a comment is a change\n")
    assert up_to_date.code_version("events") != before["events"]
    assert up_to_date.code_version("evidence") == before["evidence"]
