"""Progress of an in-process run, from its first second: step i of n, elapsed, last step done.

The run executes in this process and writes its events to the instance's event log; a background
thread reads that log, so the progress display needs no hook inside the assets. On a terminal it
is a live bar; elsewhere (CI, a log file) one line per finished step.
"""

from __future__ import annotations

import threading
import time

from dagster import DagsterEventType, DagsterInstance
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

_FINISHED = {
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
}
_POLL_S = 0.5


class RunProgress:
    """Context manager that follows one run's finished steps while it executes."""

    def __init__(
        self, instance: DagsterInstance, run_id: str, total: int, console: Console, started: float
    ):
        self._instance, self._run_id, self._total = instance, run_id, total
        self._console, self._started = console, started
        self._seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._bar: Progress | None = None
        if console.is_terminal:
            self._bar = Progress(
                TextColumn("steps"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=console, transient=True,
            )  # fmt: skip
            self._task = self._bar.add_task("starting", total=total)

    def __enter__(self) -> RunProgress:
        if self._bar:
            self._bar.start()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()
        if self._bar:
            self._bar.stop()

    def _follow(self) -> None:
        while not self._stop.wait(_POLL_S):
            self._poll()

    def _poll(self) -> None:
        try:
            records = self._instance.get_records_for_run(
                self._run_id, of_type=_FINISHED, limit=100_000
            ).records
        except Exception:  # noqa: BLE001 - before the run is stored there is nothing to show
            return
        new, self._seen = records[self._seen :], len(records)
        elapsed = time.perf_counter() - self._started
        if self._bar:
            if records:
                last = records[-1].event_log_entry.step_key
                self._bar.update(self._task, completed=len(records), description=str(last))
            return
        for offset, record in enumerate(new, start=self._seen - len(new) + 1):
            self._console.print(
                f"[{offset}/{self._total}] {record.event_log_entry.step_key} ({elapsed:.0f} s)",
                highlight=False,
            )
