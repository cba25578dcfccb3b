"""The report, Data Docs included, loads nothing from outside the reader's machine."""

from pathlib import Path

from pipelines import settings
from tests.browser import browser_marks

pytestmark = browser_marks()
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def _requests_of(browser, url: str) -> list[str]:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url, wait_until="networkidle")
    page.close()
    return requested


def test_no_request_leaves_the_machine_from_any_report_page(built, browser):
    report = built / "report"
    pages = sorted(report.rglob("*.html"))
    assert any("data_docs" in p.parts for p in pages)
    external = {
        str(page.relative_to(report)): url
        for page in pages
        for url in _requests_of(browser, page.as_uri())
        if not url.startswith(LOCAL_SCHEMES)
    }
    assert external == {}


def test_data_docs_are_styled_offline(built, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    suite_page = next((built / "report" / "data_docs" / "expectations").glob("*.html"))
    page.goto(suite_page.as_uri(), wait_until="networkidle")
    # Bootstrap's stylesheet sets this font stack on the body; unstyled pages keep the browser's.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    page.screenshot(path=str(settings.PROJECT_ROOT / "test-artifacts" / "data-docs-offline.png"))
    assert "apple-system" in font or "Segoe UI" in font or "HKGrotesk" in font, font
    assert Path(
        built / "report" / "data_docs" / "static" / "vendor" / "js" / "jquery.min.js"
    ).is_file()
