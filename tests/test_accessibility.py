"""The report for readers who use assistive technology or read other scripts, in headless Chromium.

axe-core (vendored, tests/vendor/axe-core) checks the WCAG 2.1 A/AA rules and its best practices;
titles in Devanagari and Japanese must be drawn by the report's own bundled fonts, not as boxes.
"""

import re

import pytest

from pipelines import settings
from tests.browser import axe_violations, browser_marks, open_page

pytestmark = browser_marks()
ARTIFACTS = settings.PROJECT_ROOT / "test-artifacts"
PAGES = [
    "index.html",
    "commitments/1.1.html",
    "commitments/2.4.html",
    "charts.html",
    "charts/exercises.html",
    "summary.html",
    "notebooks/maritime.html",
]
OTHER_SCRIPTS = re.compile(r"[\u0900-\u097f\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("page_path", PAGES)
def test_no_serious_accessibility_violation(built, browser, page_path):
    page, problems, _ = open_page(browser, (built / "report" / page_path).as_uri())
    page_problems = list(problems)  # axe itself then asks for the stylesheets, refused on file://
    violations = axe_violations(page)
    page.close()
    assert violations == []
    assert not page_problems


def test_every_chart_on_the_charts_page_is_an_image_with_a_title_and_a_summary(built, browser):
    page, _, _ = open_page(browser, (built / "report" / "charts.html").as_uri())
    charts = page.locator("figure > svg")
    assert charts.count() >= 10
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        title, summary = chart.evaluate(
            "svg => [svg.querySelector(':scope > title').textContent,"
            " svg.querySelector(':scope > desc').textContent]"
        )
        assert title.strip() and len(summary.strip()) > 10, (title, summary)
        # what a screen reader announces is the title and the summary, via aria-labelledby
        name = chart.evaluate(
            "svg => svg.getAttribute('aria-labelledby').split(' ')"
            ".map(id => document.getElementById(id).textContent).join(' ')"
        )
        assert title in name and summary in name
    page.close()


def _fonts_for(page, selector: str) -> list[list[dict]]:
    """Chromium's own account of the fonts that drew each matching element's text."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
    return [session.send("CSS.getPlatformFontsForNode", {"nodeId": n})["fonts"] for n in nodes]


def test_titles_in_hindi_and_japanese_are_drawn_by_the_bundled_fonts(built, browser):
    report = built / "report"
    pages = [
        p
        for p in sorted((report / "commitments").glob("*.html"))
        if 'class="original-title"' in p.read_text(encoding="utf-8")
    ]
    assert pages, "no commitment page shows a title in Devanagari or Japanese"
    seen = {"Devanagari": 0, "Japanese": 0}
    for path in pages:
        page, _, _ = open_page(browser, path.as_uri())
        page.evaluate("document.fonts.ready")
        texts = page.locator(".original-title").all_inner_texts()
        for text, fonts in zip(texts, _fonts_for(page, ".original-title"), strict=True):
            bundled = sum(f["glyphCount"] for f in fonts if f["isCustomFont"])
            others = sum(f["glyphCount"] for f in fonts if not f["isCustomFont"])
            latin = sum(1 for ch in text if not OTHER_SCRIPTS.match(ch))
            # every Devanagari or Japanese glyph comes from a bundled font (a missing glyph would
            # be drawn by a system font, or as a box, and count among the others)
            assert bundled > 0 and others <= latin, (path.name, text, fonts)
            seen[
                "Japanese" if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) else "Devanagari"
            ] += 1
        if path.name == pages[0].name:
            page.locator(".original-title").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "titles-other-scripts.png"))
        page.close()
    assert seen["Devanagari"] and seen["Japanese"], seen
