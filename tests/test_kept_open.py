"""A run that keeps the warehouse open: its steps share one open database, other processes wait."""

import sqlite3
import subprocess
import sys

import duckdb
import pytest
from filelock import FileLock, Timeout

from pipelines.orchestration.event_log import write_without_fsync
from pipelines.warehouse.resources import Warehouse, kept_open, read_only_warehouse


def test_steps_of_a_kept_run_share_the_open_warehouse_and_others_wait(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = Warehouse(database=str(path), lock_timeout_s=0.2)
    with kept_open(path):
        with warehouse.get_connection() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS x")
        # the next step sees what the last one wrote, through the same open database
        with warehouse.get_connection() as con, warehouse.lock():
            assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
            assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        # another process (another run) waits for the lock and cannot open the file meanwhile
        with pytest.raises(Timeout):
            FileLock(f"{path}.lock", timeout=0.1).acquire()
        other = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r})"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert other.returncode != 0
    # once the run ends the file is closed and free: a plain connection reads the table
    with warehouse.get_connection() as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_a_failing_step_inside_a_kept_run_releases_the_warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = Warehouse(database=str(path), lock_timeout_s=0.2)
    with pytest.raises(duckdb.CatalogException), kept_open(path):
        with warehouse.get_connection() as con:
            con.execute("SELECT * FROM missing")
    with FileLock(f"{path}.lock", timeout=0.1):
        pass


def test_sqlite_connections_of_the_run_command_skip_fsync_but_keep_their_writes(tmp_path):
    from sqlalchemy import create_engine, text

    write_without_fsync()
    engine = create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    with engine.connect() as con:
        assert con.execute(text("PRAGMA synchronous")).scalar() == 0
        con.execute(text("CREATE TABLE e (x INTEGER)"))
        con.execute(text("INSERT INTO e VALUES (1)"))
        con.commit()
    engine.dispose()
    with sqlite3.connect(tmp_path / "events.db") as con:
        assert con.execute("SELECT x FROM e").fetchall() == [(1,)]


def test_a_command_reading_the_warehouse_waits_for_a_run_that_holds_it(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with pytest.raises(FileNotFoundError, match="run `make run` first"), read_only_warehouse(path):
        pass
    with kept_open(path):
        with Warehouse(database=str(path)).get_connection() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS x")
        # it waits on the run's lock instead of failing to open a file the run holds
        with pytest.raises(Timeout), read_only_warehouse(path, lock_timeout_s=0.1):
            pass
    with read_only_warehouse(path, lock_timeout_s=0.1) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
