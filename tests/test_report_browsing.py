"""A reviewer's view of the report: an overview, tables to sort and filter, and a phone screen."""

import pytest

from pipelines import settings
from tests.browser import browser_marks, open_page

pytestmark = browser_marks()
PHONE = {"width": 390, "height": 844}


def test_the_overview_grid_has_a_cell_per_commitment_linking_to_its_page(built, browser):
    page, problems, _ = open_page(browser, (built / "report" / "index.html").as_uri())
    cells = page.locator("nav.overview a.overview-cell")
    assert cells.count() == 41
    hrefs = {cells.nth(i).get_attribute("href") for i in range(41)}
    assert all((built / "report" / href).is_file() for href in hrefs)
    assert not problems


def test_the_evidence_table_sorts_and_filters(built, browser):
    page, problems, _ = open_page(browser, (built / "report" / "commitments" / "1.1.html").as_uri())
    table = page.locator("table#evidence")
    # the cell reads "Oct 2015" or "16 Oct 2025"; it sorts on its ISO date
    dates = lambda: table.locator("tbody tr td:first-child").evaluate_all(  # noqa: E731
        "cells => cells.map(c => c.dataset.sort)"
    )
    before = dates()
    assert len(before) > 2
    header = table.locator("thead th").first
    header.locator("button.sort").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert dates() == sorted(before)
    header.locator("button.sort").click()
    assert dates() == sorted(before, reverse=True)
    needle = table.locator("tbody tr td:first-child").first.inner_text()
    page.locator("label.table-filter input").first.fill(needle)
    visible = table.locator("tbody tr:not([hidden])")
    assert 0 < visible.count() < len(before)
    assert not problems


@pytest.mark.parametrize("page_path", ["index.html", "commitments/1.1.html", "charts.html"])
def test_no_page_scrolls_sideways_on_a_phone(built, browser, page_path):
    page = browser.new_page(viewport=PHONE)
    page.goto((built / "report" / page_path).as_uri(), wait_until="load")
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    name = page_path.replace("/", "-").removesuffix(".html")
    page.screenshot(path=str(settings.PROJECT_ROOT / "test-artifacts" / f"phone-{name}.png"))
    page.close()
    assert scroll <= client
