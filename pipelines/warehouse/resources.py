"""The DuckDB warehouse as a Dagster resource.

DuckDB allows one writing process per file, and a writer cannot open a file that another process
holds open at all. Two runs at once (a schedule firing during a manual run) would otherwise fail with
a lock error, so every connection is taken under an inter-process file lock: the second run waits
its turn instead of failing. Hold one connection at a time per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field

from pipelines import settings

# Warehouses held open by this process for a whole run (`kept_open`): resolved path -> connection.
_kept: dict[str, duckdb.DuckDBPyConnection] = {}
_kept_guard = threading.Lock()
# Each warehouse's files (`files_state`) as this process's last connection left them on closing:
# when they differ at the next connection, something else wrote the warehouse meanwhile.
_left: dict[str, tuple] = {}


def _key(database: str) -> str:
    return str(Path(database).resolve())


def files_state(database: str | Path) -> tuple:
    """The warehouse file and its write-ahead log as the file system sees them: a committed
    write changes one of them (the log grows, a checkpoint rewrites the file), reading neither."""
    state = []
    for path in (Path(database), Path(f"{database}.wal")):
        try:
            found = path.stat()
        except FileNotFoundError:
            state.append(None)
        else:
            state.append((found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns))
    return tuple(state)


def written_elsewhere(database: str | Path) -> bool:
    """Whether anything but this process's own connections may have written the warehouse since
    the last of them closed. Ask while holding a connection, so that nothing writes meanwhile."""
    key = _key(str(database))
    if key in _kept:  # held open here for the run: no other process can open the file
        return False
    return _left.get(key) != files_state(database)


@contextmanager
def kept_open(database: str | Path, lock_timeout_s: float = 900.0) -> Iterator[None]:
    """Hold the warehouse open, and its lock, from the first step of an in-process run to the last.

    Opening the file costs ~70 ms and closing it a checkpoint; a run of 60 short steps opened it
    ~200 times. Meanwhile every `Warehouse.get_connection` of this process is a cursor on the one
    connection (the same database, its own transaction). Only for runs whose steps all read the
    warehouse in this process: a notebook kernel, another process, cannot open a file held here.
    """
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock", timeout=lock_timeout_s):
        connection = duckdb.connect(str(path))
        try:
            settings.apply_duckdb_config(connection)
            with _kept_guard:
                _kept[_key(str(path))] = connection
            yield
        finally:
            with _kept_guard:
                _kept.pop(_key(str(path)), None)
            connection.close()


@contextmanager
def read_only_warehouse(
    database: str | Path, lock_timeout_s: float = 900.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for a command outside a run: it waits its turn under the same lock,
    since a run holds the file open from its first table step to its last."""
    path = Path(database)
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `make run` first")
    with (
        FileLock(f"{path}.lock", timeout=lock_timeout_s),
        duckdb.connect(str(path), read_only=True) as connection,
    ):
        yield connection


class Warehouse(DuckDBResource):
    """DuckDBResource that creates the file's folder and serialises access across processes."""

    lock_timeout_s: float = Field(
        default=900.0, description="How long a run waits for another run to release the warehouse."
    )

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive use of the warehouse file, e.g. while a notebook kernel reads it."""
        if _key(self.database) in _kept:  # this process holds it already (kept_open)
            yield
            return
        path = Path(self.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{path}.lock", timeout=self.lock_timeout_s):
            yield

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        kept = _kept.get(_key(self.database))
        if kept is not None:
            cursor = kept.cursor()
            settings.apply_duckdb_config(cursor)
            try:
                yield cursor
            finally:
                cursor.close()
            return
        with self.lock():
            try:
                with super().get_connection() as connection:
                    # A memory cap so large stages spill to disk instead of growing
                    # (settings.duckdb_config).
                    settings.apply_duckdb_config(connection)
                    yield connection
            finally:
                # closed (and checkpointed), still under the lock: what this process left
                _left[_key(self.database)] = files_state(self.database)
