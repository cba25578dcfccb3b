"""The DuckDB warehouse as a Dagster resource.

DuckDB allows one writing process per file, and a writer cannot open a file that another process
holds open at all. Two runs at once (a schedule firing during a manual run) would otherwise fail with
a lock error, so every connection is taken under an inter-process file lock: the second run waits
its turn instead of failing. Hold one connection at a time per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field

from pipelines import settings


class Warehouse(DuckDBResource):
    """DuckDBResource that creates the file's folder and serialises access across processes."""

    lock_timeout_s: float = Field(
        default=900.0, description="How long a run waits for another run to release the warehouse."
    )

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive use of the warehouse file, e.g. while a notebook kernel reads it."""
        path = Path(self.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{path}.lock", timeout=self.lock_timeout_s):
            yield

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.lock(), super().get_connection() as connection:
            # A memory cap so large stages spill to disk instead of growing (settings.duckdb_config).
            settings.apply_duckdb_config(connection)
            yield connection
