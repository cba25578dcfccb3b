"""The Dagster UI that `make dev` serves: groups, check row counts, schedule states, chart previews
drawn inline, and a stop within seconds that leaves no process behind."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipelines import settings
from tests.browser import browser_marks, open_page

pytestmark = browser_marks()
GROUPS = ("sources", "staging", "mapping", "marts", "reports")
CHART = "chart_port_calls"
STOP_WITHIN_S = 10  # make dev gives Dagster 5 s, then ends what is left


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_dev(home, build, report_port: int) -> SimpleNamespace:
    """The command `make dev` runs (webserver, daemon, report server), in a session of its own."""
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "TRACKER_BUILD_DIR": str(build),
        "TRACKER_REPORT_URL": f"http://127.0.0.1:{report_port}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "pipelines", "dev", "--port", str(port)],
        cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a loaded 2-core machine
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(1)
    else:
        _kill_everything_of(home, server)
        pytest.fail("dagster dev did not answer on /server_info within 300 s")
    return SimpleNamespace(url=url, process=server, home=home, build=build, report_port=report_port)


def _processes_of(home) -> list[str]:
    """Command lines of live processes that name this instance's folder (UI, daemon, code server)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next(
                line
                for line in (proc / "status").read_text().splitlines()
                if line.startswith("State:")
            )
        except (OSError, StopIteration):
            continue
        if str(home) in cmdline and "Z" not in state.split()[1] and int(proc.name) != os.getpid():
            found.append(cmdline[:200])
    return found


def _kill_everything_of(home, server) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    for proc in Path("/proc").iterdir():
        try:
            if str(home) in (proc / "cmdline").read_bytes().decode(errors="replace"):
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    build = tmp_path_factory.mktemp("ui-build")
    report_port = _free_port()
    _materialize_into(home, build, f"http://127.0.0.1:{report_port}")
    dev = _start_dev(home, build, report_port)
    yield dev
    _kill_everything_of(home, dev.process)


def _materialize_into(home, build, report_url: str) -> None:
    """`commitments` with its suite, and one chart with what it is drawn from, into the instance."""
    from dagster import AssetSelection, DagsterInstance, materialize

    from pipelines.definitions import defs
    from pipelines.warehouse.resources import Warehouse

    saved = {name: os.environ.get(name) for name in ("TRACKER_BUILD_DIR", "TRACKER_REPORT_URL")}
    os.environ.update(TRACKER_BUILD_DIR=str(build), TRACKER_REPORT_URL=report_url)
    try:
        with DagsterInstance.from_config(str(home)) as instance:
            result = materialize(
                [*defs.assets, *defs.asset_checks],
                selection=(
                    AssetSelection.assets(CHART).upstream().required_multi_asset_neighbors()
                    - AssetSelection.assets("comtrade_snapshots")  # a live fetch, as in make run
                ).without_checks()
                | AssetSelection.checks_for_assets("commitments"),
                instance=instance,
                resources={"warehouse": Warehouse(database=str(build / "warehouse.duckdb"))},
            )
            assert result.success
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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


PREVIEW = """{ assetOrError(assetKey: {path: ["%s"]}) { ... on Asset { assetMaterializations(limit: 1) {
  metadataEntries { label ... on MarkdownMetadataEntry { mdStr } ... on UrlMetadataEntry { url } } } } } }"""


def _chart_metadata(url: str) -> dict[str, str]:
    (event,) = _graphql(url, PREVIEW % CHART)["assetOrError"]["assetMaterializations"]
    return {e["label"]: e.get("mdStr") or e.get("url") for e in event["metadataEntries"]}


def test_a_chart_preview_is_short_enough_to_draw_inline_and_its_image_is_served(dagster_ui):
    metadata = _chart_metadata(dagster_ui.url)
    preview = metadata["preview"]
    assert len(preview) < 1000  # longer markdown hides behind "Show Markdown"
    image = re.fullmatch(r"!\[[^\]]+\]\((http://127\.0\.0\.1:\d+/charts/[\w.-]+\.png)\)", preview)
    assert image, preview
    with urllib.request.urlopen(image[1], timeout=30) as answer:
        assert answer.headers["Content-Type"] == "image/png"
        served = answer.read()
    assert served == (dagster_ui.build / "report" / "charts" / Path(image[1]).name).read_bytes()
    with urllib.request.urlopen(metadata["page"], timeout=30) as answer:
        assert b"vega" in answer.read()


def test_the_asset_page_draws_the_chart_preview(dagster_ui, browser):
    page, _, _ = open_page(browser, f"{dagster_ui.url}/assets/{CHART}", width=1600, height=1200)
    try:
        page.get_by_role("button", name="Skip").click(timeout=5_000)
    except Exception:
        pass
    preview = page.locator(f'img[src^="http://127.0.0.1:{dagster_ui.report_port}/charts/"]').first
    preview.wait_for(state="visible", timeout=60_000)
    try:
        page.get_by_role("button", name="Skip").click(timeout=3_000)  # the dialog may come late
    except Exception:
        pass
    preview.scroll_into_view_if_needed()
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Show Markdown" not in preview.evaluate("img => img.closest('td').innerText")
    page.screenshot(
        path=str(settings.PROJECT_ROOT / "test-artifacts" / "dagster-chart-preview.png")
    )


def test_dev_stops_on_ctrl_c_within_seconds_and_leaves_nothing(dagster_ui):
    """Ctrl-C reaches the whole process group of `make dev`; every process of it must go."""
    os.killpg(dagster_ui.process.pid, signal.SIGINT)
    started = time.monotonic()
    dagster_ui.process.wait(timeout=60)
    assert time.monotonic() - started < STOP_WITHIN_S
    assert dagster_ui.process.returncode == 0
    assert not _processes_of(dagster_ui.home)


def test_dev_stops_on_sigterm_within_seconds_and_leaves_nothing(tmp_path):
    """SIGTERM to the command alone, as a process manager or `kill` sends it."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    dev = _start_dev(home, tmp_path / "build", _free_port())
    try:
        dev.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        dev.process.wait(timeout=60)
        assert time.monotonic() - started < STOP_WITHIN_S
        assert dev.process.returncode == 0
        assert not _processes_of(home)
    finally:
        _kill_everything_of(home, dev.process)
