"""The local Dagster instance's SQLite files, written without waiting for the disk at every event.

Dagster stores each event of a run (step started, asset materialized, check evaluated, …) with
its own SQLite connection and commit, and an asset event again in the index shard: a run of 60
short steps commits ~1,000 times, and each commit and close waited for the disk (~5-10 ms here),
several seconds of a warm `make run`. With `synchronous=OFF` SQLite hands the writes to the
operating system and goes on: a process that dies mid-run (Ctrl-C, kill) loses nothing, only a
crash of the machine itself could leave the run history in build/dagster_home damaged; removing
that folder then starts a fresh history. What is up to date is recorded in build/up_to_date.json,
not there, so the next `make run` still recomputes only what changed. Instances on Postgres
(`make serve`) are not affected.
"""

from __future__ import annotations

import sqlite3

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
