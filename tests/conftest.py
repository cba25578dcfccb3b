"""Shared fixtures: one full offline materialization into a temporary build folder."""

import os
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from pipelines import settings
from pipelines.resources import Warehouse
from tests.helpers import folder_digest


@pytest.fixture(scope="session")
def expectations_before() -> str:
    """The expectations folder as it was before any test ran the pipeline."""
    return folder_digest(settings.EXPECTATIONS_DIR)


@pytest.fixture(scope="session")
def built(tmp_path_factory, expectations_before) -> Path:
    """Materialize the whole offline job once, in-process, into a temporary build folder."""
    build = tmp_path_factory.mktemp("build")
    previous = os.environ.get("TRACKER_BUILD_DIR")
    os.environ["TRACKER_BUILD_DIR"] = str(build)
    try:
        from pipelines.definitions import defs

        job = defs.resolve_job_def("offline_refresh")
        result = job.execute_in_process(
            instance=DagsterInstance.ephemeral(),
            resources={"warehouse": Warehouse(database=str(build / "warehouse.duckdb"))},
            raise_on_error=False,
        )
        failures = [e.message for e in result.all_events if e.is_step_failure]
        assert result.success, f"offline materialization failed: {failures}"
        yield build
    finally:
        if previous is None:
            os.environ.pop("TRACKER_BUILD_DIR", None)
        else:
            os.environ["TRACKER_BUILD_DIR"] = previous


@pytest.fixture(scope="session")
def warehouse(built) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(built / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


from tests.browser import browser  # noqa: E402,F401  (session fixture shared by browser tests)
