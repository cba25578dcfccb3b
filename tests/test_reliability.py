"""Re-runs are idempotent, a run killed with SIGKILL recovers on the next run, secrets never land."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from pipelines import settings
from pipelines.sources.snapshots import Captured, SnapshotStore
from pipelines.warehouse.resources import Warehouse

SECRET = "comtrade-secret-for-the-scan-7c41"
# Times of recording and paths of the build folder differ between runs by nature.
VOLATILE_COLUMNS = {"recorded_at", "previous_recorded_at"}
KILL_POINTS = ("events", "notebooks")  # kill once the warehouse has events; once notebooks run


def table_checksums(database: Path) -> dict[str, str]:
    """md5 over every table's rows in a stable order, volatile columns left out."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        ]
        sums = {}
        for table in tables:
            columns = [
                r[0]
                for r in con.execute(f"DESCRIBE {table}").fetchall()
                if r[0] not in VOLATILE_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            sums[table] = con.execute(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)), '') "
                f"FROM (SELECT {select} FROM {table}) AS t"
            ).fetchone()[0]
    return sums


@pytest.mark.slow
def test_two_runs_in_a_row_give_identical_tables(built, tmp_path):
    shutil.copytree(built, tmp_path / "build")
    before = table_checksums(tmp_path / "build" / "warehouse.duckdb")
    os.environ["TRACKER_BUILD_DIR"] = str(tmp_path / "build")
    try:
        from pipelines.definitions import defs

        result = defs.resolve_job_def("offline_refresh").execute_in_process(
            instance=DagsterInstance.ephemeral(),
            resources={
                "warehouse": Warehouse(database=str(tmp_path / "build" / "warehouse.duckdb"))
            },
        )
    finally:
        del os.environ["TRACKER_BUILD_DIR"]
    assert result.success
    assert table_checksums(tmp_path / "build" / "warehouse.duckdb") == before


def _start_run(build: Path) -> subprocess.Popen:
    env = {**os.environ, "TRACKER_BUILD_DIR": str(build), "DAGSTER_HOME": str(build / "dagster_home"),
           "COMTRADE_API_KEY": SECRET}  # fmt: skip
    (build / "dagster_home").mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "run", "--log-level", "DEBUG"],
        cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip


def _reached(build: Path, point: str) -> bool:
    if point == "notebooks":
        return any((build / "report" / "notebooks").glob("*.ipynb"))
    database = build / "warehouse.duckdb"
    if not database.exists():
        return False
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            return (
                con.execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'events'"
                ).fetchone()[0]
                > 0
            )
    except duckdb.Error:
        return False  # the writer holds the file: not there yet


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_mid_way_then_rerun_matches_an_uninterrupted_run(built, tmp_path, point):
    build = tmp_path / "build"
    run = _start_run(build)
    deadline = time.monotonic() + 300
    while not _reached(build, point) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.poll() is None, "the run finished before it could be killed"
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()

    rerun = _start_run(build)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output[-3000:]
    assert table_checksums(build / "warehouse.duckdb") == table_checksums(
        built / "warehouse.duckdb"
    )
    leaked = [p for p in build.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert not leaked and SECRET not in output


def test_a_fetch_interrupted_before_its_manifest_leaves_no_half_snapshot(tmp_path, monkeypatch):
    store = SnapshotStore(tmp_path, "test licence")
    store.save_fetch("2023", [Captured("https://example.org/a", b'{"data": []}', 0)])
    before = store.newest()
    import pipelines.sources.snapshots as snapshots

    real_write = snapshots._write_atomically

    def crash_on_manifest(path, data):
        if path.name == snapshots.MANIFEST:
            raise KeyboardInterrupt("killed while writing the manifest")
        real_write(path, data)

    monkeypatch.setattr(snapshots, "_write_atomically", crash_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        store.save_fetch("2023", [Captured("https://example.org/b", b'{"data": [1]}', 1)])
    assert store.newest() == before  # the new file exists but no manifest names it
    assert not list(tmp_path.rglob(".*.partial"))
