"""Command mistakes end in one line on stderr that names the remedy, and a non-zero exit."""

import os
import re
import signal
import subprocess
import sys
import time
from unittest.mock import patch

import pytest

from pipelines import settings


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        cwd=settings.PROJECT_ROOT, env={**os.environ, "COLUMNS": "200", **(env or {})},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_an_unknown_job_names_the_jobs_there_are(tmp_path):
    line = _one_line_error(
        _cli("run", "--job", "nonexistent", env={"TRACKER_BUILD_DIR": str(tmp_path)})
    )
    assert "nonexistent" in line and "offline_refresh" in line


def test_the_report_before_any_run_says_to_run_first(tmp_path):
    result = _cli("run", "--job", "report_only", env={"TRACKER_BUILD_DIR": str(tmp_path / "fresh")})
    assert "make run" in _one_line_error(result)
    assert not (tmp_path / "fresh" / "report").exists()


def test_make_report_in_a_fresh_clone_says_to_run_first_within_seconds(tmp_path):
    started = time.monotonic()
    result = subprocess.run(
        ["make", "-s", "report", f"DAGSTER_HOME={tmp_path / 'home'}"],
        cwd=settings.PROJECT_ROOT, env={**os.environ, "TRACKER_BUILD_DIR": str(tmp_path / "fresh")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    line = _one_line_error(result)  # make adds its own "*** [report] Error 2" line
    assert "run `make run` first" in line
    assert time.monotonic() - started < 30  # before the preflight and the pipeline load
    assert not (tmp_path / "fresh" / "report").exists()


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_check_registers_refuses_a_folder_without_registers(tmp_path, folder):
    (tmp_path / "empty").mkdir()
    line = _one_line_error(_cli("check-registers", str(tmp_path / folder)))
    assert str(tmp_path / folder) in line and "register" in line


def _make_help() -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", "help"],
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_help_lists_the_targets():
    result = _make_help()
    assert result.returncode == 0
    for target in ("run", "test", "report", "dev", "eval", "bench"):
        assert any(line.split()[0] == target for line in result.stdout.splitlines() if line.strip())


def test_make_help_lists_every_target():
    makefile = (settings.PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)[1].split()
    listed = _make_help().stdout
    names = {line.split()[0] for line in listed.splitlines() if line.strip()}
    assert set(phony) <= names, set(phony) - names


def test_the_readme_commands_run_as_written():
    """Outside the venv a bare `python -m pipelines` fails: the README names the venv's python,
    and every command and make target it names exists."""
    readme = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    bare = re.findall(r"(?<!\.venv/bin/)\bpython3? -m pipelines\b", readme)
    assert not bare
    commands = set(re.findall(r"\.venv/bin/python -m pipelines ([a-z][a-z-]*)", readme))
    assert commands
    usage = _cli("--help").stdout
    assert {c for c in commands if c not in usage} == set()
    makefile = (settings.PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", readme))
    assert named and named <= targets, named - targets


def test_run_shows_progress_from_its_first_seconds(tmp_path):
    env = {**os.environ, "TRACKER_BUILD_DIR": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "home")}
    started = time.monotonic()
    run = subprocess.Popen(
        [sys.executable, "-m", "pipelines", "run"], cwd=settings.PROJECT_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    seen: list[tuple[float, str]] = []
    try:
        for line in run.stderr:
            seen.append((time.monotonic() - started, line.strip()))
            if re.match(r"\[1/\d+\] \S+ \(\d+ s\)$", line.strip()):
                break
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    first_at, first = seen[0]
    assert first.startswith("offline_refresh:")
    assert first_at < 5, seen  # the import of the CLI alone, on a loaded 2-core machine
    steps = [text for _, text in seen if re.match(r"running \d+ steps", text)]
    assert steps and re.match(r"\[1/\d+\]", seen[-1][1]), seen
    # between the first line and the first step done, no silence longer than the preflight's
    gaps = [later - earlier for (earlier, _), (later, _) in zip(seen, seen[1:], strict=False)]
    assert max(gaps) < 60, seen


def test_the_summary_is_short_and_every_step_time_comes_on_request(tmp_path):
    from dagster import AssetSelection, DagsterInstance, materialize
    from rich.console import Console

    from pipelines.__main__ import _print_breakdown, _print_summary
    from pipelines.definitions import defs
    from pipelines.warehouse.resources import Warehouse

    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [*defs.assets, *defs.asset_checks],
            selection=AssetSelection.assets("commitments", "participant_codes"),
            instance=instance,
            resources={"warehouse": Warehouse(database=str(tmp_path / "warehouse.duckdb"))},
        )
        stats = instance.get_run_step_stats(result.run_id)
    assert len(stats) >= 3  # two assets and a suite check
    console = Console(record=True, width=200)
    with patch("pipelines.__main__.console", lambda: console):
        _print_summary(stats, 12.3)
    summary = console.export_text().strip().splitlines()
    assert len(summary) == 2
    assert summary[0].startswith(f"{len(stats)} steps (") and summary[0].endswith("in 12.3 s")
    assert summary[1].startswith("slowest: ") and "--timings" in summary[1]
    console = Console(record=True, width=200)
    with patch("pipelines.__main__.console", lambda: console):
        _print_breakdown(stats, 12.3)
    table = console.export_text()
    assert all(stat.step_key in table for stat in stats)


def test_notebook_kernels_raise_no_warning_about_tcp(tmp_path):
    """`make run` once warned five times about kernels listening on unencrypted TCP."""
    script = tmp_path / "probe.py"
    script.write_text("# %% [markdown]\n# # Probe\n\n# %%\nprint(6 * 7)\n", encoding="utf-8")
    probe = (
        "import sys; from pathlib import Path;"
        "from pipelines.reporting.notebooks import NotebookSpec, execute_notebooks;"
        f"spec = NotebookSpec('probe', Path({str(script)!r}), (), ());"
        f"outcome = execute_notebooks([spec], Path({str(tmp_path / 'out')!r}), {{}})['probe'];"
        "print(type(outcome).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", probe], cwd=settings.PROJECT_ROOT,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tuple"
    assert "42" in (tmp_path / "out" / "probe.html").read_text(encoding="utf-8")
    assert "TCP" not in result.stderr and "unencrypted" not in result.stderr.lower(), result.stderr
