"""The local Dagster instance's SQLite event log, made cheaper per event for the run command.

Dagster stores each event of a run (step started, asset materialized, check evaluated, …) with
its own SQLite connection and commit, and an asset event again in the index shard: a run of 60
short steps commits ~1,000 times. Two things here cut what each commit costs, for the run command
only (`local_instance`); the files, their schema and what is in them stay Dagster's own, so the
UI, the daemon and older builds read them unchanged:

- `write_without_fsync`: with `synchronous=OFF` SQLite hands the writes to the operating system
  and goes on (a commit and close waited for the disk, ~5-10 ms here). A process that dies
  mid-run (Ctrl-C, kill) loses nothing; only a crash of the machine itself could leave the run
  history in build/dagster_home damaged; removing that folder then starts a fresh history. What
  is up to date is recorded in build/up_to_date.json, not there, so the next `make run` still
  recomputes only what changed.
- `LocalEventLogStorage`: one engine and one open connection per file instead of a new engine,
  connection and pragma for every statement (~5 ms each under load).

Instances on Postgres (`make serve`) are not affected.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from contextlib import contextmanager

import yaml
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.pool import QueuePool

_installed = False


def write_without_fsync() -> None:
    """For this process: every SQLite connection SQLAlchemy opens skips the fsync of its commits."""
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _no_fsync(connection, _record) -> None:
        if isinstance(connection, sqlite3.Connection):
            connection.execute("PRAGMA synchronous=OFF")

    _installed = True


class LocalEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one file per run and an index), in the same files, faster.

    The stock storage builds a new SQLAlchemy engine for every connection, ~2 per event, and
    asks SQLite whether a table, a column or a finished data migration exists ~5 times per
    step: several seconds of a warm run. Here each file keeps its engine and one open
    connection, and the schema answers are kept until an upgrade. Every event is still its own
    committed transaction. It overrides private parts of Dagster 1.13's SQLite storage
    (`_connect`, `_initdb`, `_initialized_dbs`, `_db_lock`; pyproject pins dagster below 1.14):
    tests/test_event_log.py reads its runs back through the stock storage, recheck on an upgrade.
    """

    _KEPT_ENGINES = 64

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._engines: OrderedDict = OrderedDict()
        self._schema: dict = {}
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                # One connection kept open per file and reused: opening one costs as much as
                # the event it writes. Extra ones (other threads) are closed when returned.
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=8,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
            # A UI or daemon reads many runs: keep the engines of the latest few.
            while len(self._engines) > self._KEPT_ENGINES:
                self._engines.popitem(last=False)[1].dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str):
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def has_table(self, table_name: str) -> bool:
        key = ("table", table_name)
        if key not in self._schema:
            self._schema[key] = super().has_table(table_name)
        return self._schema[key]

    def has_asset_key_col(self, column_name: str) -> bool:
        key = ("asset_keys column", column_name)
        if key not in self._schema:
            self._schema[key] = super().has_asset_key_col(column_name)
        return self._schema[key]

    def has_secondary_index(self, name: str) -> bool:
        # A finished data migration stays finished: only a yes is kept.
        key = ("secondary index", name)
        if not self._schema.get(key):
            self._schema[key] = super().has_secondary_index(name)
        return self._schema[key]

    def upgrade(self) -> None:
        super().upgrade()
        self._schema.clear()

    def dispose(self) -> None:
        super().dispose()
        while self._engines:
            self._engines.popitem()[1].dispose()


# Settings under which the instance is no longer the default SQLite one in DAGSTER_HOME.
_OWN_STORAGE = {"storage", "run_storage", "event_log_storage", "schedule_storage", "instance_class"}


def local_instance() -> DagsterInstance:
    """DAGSTER_HOME's instance, with the faster event log when it stores runs in SQLite there.

    The same files as `DagsterInstance.get()` reads and writes (history/runs), so the UI, the
    daemon and instances made before read them as before. An instance configured with a storage
    of its own (Postgres for `make serve`) is returned unchanged.
    """
    home = os.environ["DAGSTER_HOME"]
    config_path = os.path.join(home, "dagster.yaml")
    settings = {}
    if os.path.exists(config_path):
        with open(config_path) as file:
            settings = yaml.safe_load(file) or {}
    if _OWN_STORAGE & set(settings):
        return DagsterInstance.get()
    storage = {
        "module": __name__,
        "class": LocalEventLogStorage.__name__,
        "config": {"base_dir": os.path.join(home, "history", "runs")},
    }
    ref = InstanceRef.from_dir(home, overrides={"event_log_storage": storage})
    return DagsterInstance.from_ref(ref)
