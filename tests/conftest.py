"""Shared fixtures: one full offline materialization into a temporary build folder."""

import os
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from pipelines import settings
from pipelines.warehouse.resources import Warehouse
from tests.helpers import folder_digest

# Modules that take minutes (whole runs, a server, every report page in a browser), longest first.
# `make test` spreads whole modules over two workers; starting these first keeps one worker from
# being left with a long module at the end while the other idles.
LONG_MODULES = (
    "test_up_to_date.py",
    "test_offline_report.py",
    "test_deploy.py",
    "test_browser.py",
    "test_releases.py",
    "test_ui.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONG_MODULES.index(name) if name in LONG_MODULES else len(LONG_MODULES)

    items.sort(key=rank)  # stable: each module keeps its own order of tests


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
