"""The report and a notebook in headless Chromium, served by a local HTTP server.

Chromium is Debian's package (`make test` installs it); the screenshots are saved under
test-artifacts/ for a person to look at.
"""

import csv
import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dagster import DagsterInstance

from pipelines import settings
from pipelines.curated.registers import register_columns
from pipelines.warehouse.resources import Warehouse
from tests.browser import browser_marks
from tests.browser import open_page as _open

ARTIFACTS = settings.PROJECT_ROOT / "test-artifacts"
HOSTILE_NAME = '<script>alert("x")</script> Hostile dialogue name'
HOSTILE_TITLE = "<img src=x onerror=alert(1)> title"
FORMULA_NAME = '=HYPERLINK("https://evil.example","click me")'


pytestmark = browser_marks()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def serve():
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


def test_report_scorecard_and_charts_render(built, serve, browser):
    base = serve(built / "report")
    ARTIFACTS.mkdir(exist_ok=True)
    page, problems, _ = _open(browser, f"{base}/index.html")
    assert page.locator("#scorecard tr.commitment-row").count() == 41
    page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)
    charts, chart_problems, _ = _open(browser, f"{base}/charts.html")
    assert charts.locator("figure svg").count() >= 10
    assert charts.locator("figure svg path").count() > 0  # drawn marks, not empty frames
    interactive, vega_problems, _ = _open(browser, f"{base}/charts/exercises.html")
    interactive.wait_for_selector("canvas, svg", timeout=15_000)
    assert not problems + chart_problems + vega_problems


def test_report_shows_coverage_dates_and_a_part_year_drawn_apart(built, serve, browser, warehouse):
    coverage, status = warehouse.execute(
        "SELECT strftime(coverage_through, '%Y-%m-%d'), status FROM scorecard "
        "WHERE commitment_id = '2.1'"
    ).fetchone()
    assert coverage is not None, "port calls should have a coverage date from the search log"
    base = serve(built / "report")
    index, problems, _ = _open(browser, f"{base}/index.html")
    row = index.locator("#scorecard tr.commitment-row").filter(
        has=index.get_by_role("link", name="2.1", exact=True)
    )
    assert row.locator("td.coverage-date time").inner_text() == coverage
    assert row.locator(".kind").inner_text() == "activity"
    assert row.locator(".status").inner_text() == status
    page, page_problems, _ = _open(browser, f"{base}/commitments/2.1.html")
    assert page.locator("p.lead time.coverage-date").inner_text() == coverage

    charts, chart_problems, _ = _open(browser, f"{base}/charts.html")
    figure = charts.locator("figure#port_calls")
    part = figure.locator("g[class*='part_year'] path")
    assert part.count() == 1  # the year the registers were searched into, not to its end
    assert part.first.get_attribute("fill-opacity") == "0"
    assert part.first.get_attribute("stroke-dasharray")
    assert "part year" in part.first.get_attribute("aria-label")
    solid = figure.locator("g[class*='complete'] path")
    assert solid.count() >= 3 and solid.first.get_attribute("fill-opacity") != "0"
    assert figure.get_by_text(f"part year (to {coverage})").count() == 1
    figure.screenshot(path=str(ARTIFACTS / "chart-port-calls-part-year.png"))
    assert not problems + page_problems + chart_problems


def test_a_notebook_renders_with_its_charts(built, serve, browser):
    base = serve(built / "report")
    page, problems, _ = _open(browser, f"{base}/notebooks/maritime.html")
    charts = page.locator('img[src^="data:image/svg+xml"]')
    assert charts.count() >= 2  # nbconvert embeds the SVG charts as data URIs
    assert all(charts.nth(i).evaluate("img => img.naturalWidth > 0") for i in range(charts.count()))
    assert page.locator("table").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "notebook-maritime.png"), full_page=True)
    assert not problems


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """A full offline run on registers holding a dialogue whose name and title carry markup."""
    registers = tmp_path_factory.mktemp("registers")
    shutil.copytree(settings.registers_dir(), registers, dirs_exist_ok=True)
    row = dict.fromkeys(register_columns("dialogues"), "")
    row.update(
        event_id="DL-2025-HOSTILE", name=HOSTILE_NAME, start_date="2025-10-01", date_precision="day",
        host="IN", japan_participants="NSS-JP", india_participants="NSCS-IN", multilateral="false",
        source_url="https://example.org/hostile", source_title=HOSTILE_TITLE,
        retrieved_date="2026-11-30", mechanism="nsa_dialogue",
    )  # fmt: skip
    formula = {
        **row,
        "event_id": "DL-2025-FORMULA",
        "name": FORMULA_NAME,
        "start_date": "2025-10-02",
    }
    with (registers / "dialogues.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=list(row)).writerows([row, formula])
    build = tmp_path_factory.mktemp("hostile-build")
    previous = {k: os.environ.get(k) for k in ("TRACKER_BUILD_DIR", "TRACKER_REGISTERS_DIR")}
    os.environ.update(TRACKER_BUILD_DIR=str(build), TRACKER_REGISTERS_DIR=str(registers))
    try:
        from pipelines.definitions import defs

        result = defs.resolve_job_def("offline_refresh").execute_in_process(
            instance=DagsterInstance.ephemeral(),
            resources={"warehouse": Warehouse(database=str(build / "warehouse.duckdb"))},
        )
        assert result.success
    finally:
        for key, value in previous.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    return build


def test_markup_in_a_register_is_text_in_report_and_notebook(hostile_build, serve, browser):
    report = hostile_build / "report"
    for page in (
        report / "commitments" / "6.1.html",
        report / "notebooks" / "dialogues_regional.html",
    ):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert "&lt;script&gt;alert(" in text, page
    base = serve(report)
    page, problems, dialogs = _open(browser, f"{base}/commitments/6.1.html")
    assert HOSTILE_NAME in page.inner_text("body")
    notebook, _, notebook_dialogs = _open(browser, f"{base}/notebooks/dialogues_regional.html")
    assert HOSTILE_NAME in notebook.inner_text("body")
    assert not dialogs and not notebook_dialogs
    page.screenshot(path=str(ARTIFACTS / "hostile-commitment.png"), full_page=True)


def test_csv_exports_neutralise_spreadsheet_formulas(hostile_build):
    with (hostile_build / "report" / "exports" / "events.csv").open(
        newline="", encoding="utf-8"
    ) as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    assert "'" + FORMULA_NAME in names
    assert FORMULA_NAME not in names
