"""Schedules, sensors and concurrent runs."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import duckdb
import pytest
from dagster import (
    DagsterInstance,
    build_schedule_context,
    build_sensor_context,
)

from pipelines import settings
from pipelines.orchestration.schedules import monthly_trade_refresh
from pipelines.orchestration.sensors import edited_data_files


@pytest.mark.parametrize(
    ("when", "partitions"),
    [(datetime(2026, 1, 2, 3, tzinfo=UTC), ["2025", "2026"]), (datetime(2026, 12, 2, 3, tzinfo=UTC), ["2025", "2026"]),
     (datetime(2027, 1, 2, 3, tzinfo=UTC), ["2026", "2027"])],
)  # fmt: skip
def test_monthly_trade_refresh_fetches_this_year_and_last(when, partitions):
    context = build_schedule_context(scheduled_execution_time=when)
    requests = list(monthly_trade_refresh(context))
    assert [r.partition_key for r in requests] == partitions
    assert len({r.run_key for r in requests}) == 2


def test_the_sensor_fires_on_a_changed_file_and_not_on_an_unchanged_one(tmp_path, monkeypatch):
    (tmp_path / "registers").mkdir()
    register = tmp_path / "registers" / "exercises.csv"
    register.write_text("event_id,name\n")
    (tmp_path / "indicators.yaml").write_text("indicators: []\n")
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    instance = DagsterInstance.ephemeral()

    def tick(cursor):
        context = build_sensor_context(instance=instance, cursor=cursor)
        result = edited_data_files.evaluate_tick(context)
        return result, result.cursor

    first, cursor = tick(None)
    assert not first.run_requests  # records the files, nothing to compare with yet
    unchanged, cursor = tick(cursor)
    assert not unchanged.run_requests and unchanged.skip_message == "no watched file changed"
    register.write_text("event_id,name\nEX-2026-NEW,New exercise\n")
    changed, cursor = tick(cursor)
    assert len(changed.run_requests) == 1
    assert changed.run_requests[0].tags["changed_files"] == "registers/exercises.csv"
    again, _ = tick(cursor)
    assert not again.run_requests


@pytest.mark.slow
def test_two_runs_started_together_both_finish_and_the_warehouse_is_consistent(tmp_path):
    env = {
        **os.environ,
        "TRACKER_BUILD_DIR": str(tmp_path),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    (tmp_path / "dagster_home").mkdir()
    command = [sys.executable, "-m", "pipelines", "run", "--log-level", "ERROR"]
    runs = [subprocess.Popen(command, cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]  # fmt: skip
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    assert not any("Could not set lock" in out or "Conflicting lock" in out for out in outputs)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM commitments").fetchone() == (41,)
        assert con.execute("SELECT count(*) FROM scorecard").fetchone() == (41,)
        orphans = con.execute(
            "SELECT count(*) FROM evidence LEFT JOIN events USING (event_id) WHERE events.event_id IS NULL"
        ).fetchone()
        assert orphans == (0,)
        assert con.execute("SELECT count(DISTINCT version) FROM scorecard_history").fetchone() == (
            1,
        )
