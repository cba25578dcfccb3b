"""Command mistakes end in one line on stderr that names the remedy, and a non-zero exit."""

import os
import subprocess
import sys

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


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_check_registers_refuses_a_folder_without_registers(tmp_path, folder):
    (tmp_path / "empty").mkdir()
    line = _one_line_error(_cli("check-registers", str(tmp_path / folder)))
    assert str(tmp_path / folder) in line and "register" in line


def test_make_help_lists_the_targets():
    result = subprocess.run(
        ["make", "-s", "help"],
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for target in ("run", "test", "report", "dev", "eval", "bench"):
        assert any(line.split()[0] == target for line in result.stdout.splitlines() if line.strip())
