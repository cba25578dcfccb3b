"""The Dagster UI that `make dev` serves shows every asset group in the asset graph."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest

from pipelines import settings
from tests.browser import browser_marks, open_page

pytestmark = browser_marks()
GROUPS = ("sources", "staging", "mapping", "marts", "reports")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    build = tmp_path_factory.mktemp("ui-build")
    _check_commitments_into(home, build)
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "TRACKER_BUILD_DIR": str(build),
    }
    # The command `make dev` runs, webserver and daemon included.
    server = subprocess.Popen(
        [sys.executable, "-m", "pipelines", "dev", "--port", str(port)],
        cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240  # a loaded 2-core machine
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(1)
    else:
        os.killpg(server.pid, signal.SIGKILL)
        pytest.fail("dagster dev did not answer on /server_info within 240 s")
    yield SimpleNamespace(url=url, process=server)
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _check_commitments_into(home, build) -> None:
    """Materialize `commitments` and run its suite into the instance the UI will serve."""
    from dagster import AssetSelection, DagsterInstance, materialize

    from pipelines.definitions import defs
    from pipelines.resources import Warehouse

    with DagsterInstance.from_config(str(home)) as instance:
        result = materialize(
            [*defs.assets, *defs.asset_checks],
            selection=AssetSelection.assets("commitments")
            | AssetSelection.checks_for_assets("commitments"),
            instance=instance,
            resources={"warehouse": Warehouse(database=str(build / "warehouse.duckdb"))},
        )
        assert result.success


def _graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["data"]


STATES = """{ workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError {
  ... on RepositoryLocation { repositories {
    schedules { name scheduleState { status } } sensors { name sensorState { status } } } } } } } } }"""

CHECK = """{ assetCheckExecutions(assetKey: {path: ["commitments"]}, checkName: "great_expectations",
  limit: 1) { evaluation { success metadataEntries { label ... on IntMetadataEntry { intValue } } } } }"""


def test_schedules_and_sensors_run_as_the_readme_says(dagster_ui):
    (entry,) = _graphql(dagster_ui.url, STATES)["workspaceOrError"]["locationEntries"]
    (repository,) = entry["locationOrLoadError"]["repositories"]
    states = {s["name"]: s["scheduleState"]["status"] for s in repository["schedules"]}
    states |= {s["name"]: s["sensorState"]["status"] for s in repository["sensors"]}
    assert states == dict.fromkeys(
        [
            "monthly_trade_refresh",
            "weekly_feeds_refresh",
            "quarterly_draft",
            "edited_data_files",
            "record_run_failures",
        ],
        "RUNNING",
    )
    readme = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "schedules and sensors run" in readme


def test_a_suite_check_shows_the_row_count_of_its_table(dagster_ui):
    (execution,) = _graphql(dagster_ui.url, CHECK)["assetCheckExecutions"]
    entries = {e["label"]: e.get("intValue") for e in execution["evaluation"]["metadataEntries"]}
    assert execution["evaluation"]["success"]
    assert entries["rows"] == entries["rows_validated"] == 41


def test_the_asset_graph_shows_every_group(dagster_ui, browser):
    page, _, _ = open_page(browser, f"{dagster_ui.url}/asset-groups", width=1600, height=1000)
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.click(timeout=5_000)  # the community sign-up dialog on a new instance
    except Exception:
        pass
    for group in GROUPS:
        page.get_by_text(group, exact=True).first.wait_for(timeout=30_000)
    text = page.inner_text("body")
    missing = [g for g in GROUPS if text.count(g) < 2]  # in the sidebar and in the graph
    page.screenshot(path=str(settings.PROJECT_ROOT / "test-artifacts" / "dagster-asset-graph.png"))
    assert not missing


def test_dev_stops_on_ctrl_c(dagster_ui):
    """Ctrl-C reaches the whole process group of `make dev`; webserver and daemon must go."""
    os.killpg(dagster_ui.process.pid, signal.SIGINT)
    started = time.monotonic()
    dagster_ui.process.wait(timeout=60)
    assert time.monotonic() - started < 30
