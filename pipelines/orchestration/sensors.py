"""Sensors: analysts' edits trigger a refresh, and failed runs are recorded for the report.

Both start RUNNING, so a deployment's daemon evaluates them from its first tick.
"""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from pipelines import settings
from pipelines.orchestration.jobs import offline_refresh

WATCHED = (
    "registers/*.csv",
    "mapping/*.csv",
    "review/*.csv",
    "indicators.yaml",
    "codebook.yaml",
    "reference/*.csv",
)


def watched_files(data_dir: Path) -> dict[str, str]:
    """sha256 of every analyst-edited file, by path relative to data/."""
    return {
        str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for pattern in WATCHED
        for path in sorted(data_dir.glob(pattern))
    }


@sensor(
    job=offline_refresh, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING
)
def edited_data_files(context: SensorEvaluationContext):
    """Re-run the offline refresh when a register, mapping, review or catalogue file changes."""
    current = watched_files(settings.DATA_DIR)
    previous = json.loads(context.cursor) if context.cursor else None
    context.update_cursor(json.dumps(current, sort_keys=True))
    if previous is None:
        return SkipReason("first evaluation: recorded the files as they are")
    changed = sorted(
        name for name in current.keys() | previous.keys() if current.get(name) != previous.get(name)
    )
    if not changed:
        return SkipReason("no watched file changed")
    digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
    return RunRequest(run_key=f"edit-{digest}", tags={"changed_files": ", ".join(changed)[:200]})


@run_failure_sensor(monitor_all_code_locations=False, default_status=DefaultSensorStatus.RUNNING)
def record_run_failures(context: RunFailureSensorContext):
    """Append each failed run to build/run_failures.jsonl, which the report's sources page shows."""
    record = {
        "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "job_name": context.dagster_run.job_name,
        "run_id": context.dagster_run.run_id,
        "message": (context.failure_event.message or "")[:300],
    }
    path = settings.run_failures_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
