"""The Dagster UI that `make dev` serves shows every asset group in the asset graph."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

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
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "TRACKER_BUILD_DIR": str(tmp_path_factory.mktemp("ui-build")),
    }
    # The command `make dev` runs, webserver and daemon included.
    server = subprocess.Popen(
        [sys.executable, "-m", "dagster", "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(1)
    else:
        server.kill()
        pytest.fail("dagster dev did not answer on /server_info within 120 s")
    yield url
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:  # the daemon can be slow to stop; the test is over
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def test_the_asset_graph_shows_every_group(dagster_ui, browser):
    page, _, _ = open_page(browser, f"{dagster_ui}/asset-groups", width=1600, height=1000)
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
