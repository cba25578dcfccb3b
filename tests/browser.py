"""Headless Chromium for tests: Debian's package, driven by Playwright, no downloads."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def browser_marks() -> list:
    """Browser tests run wherever Chromium is; in CI its absence is an error, not a skip."""
    if Path(CHROMIUM).exists():
        return [pytest.mark.browser]
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium for the browser tests: `make browser` installs it")
    return [
        pytest.mark.browser,
        pytest.mark.skip(reason="chromium is not installed (make browser)"),
    ]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def open_page(browser, url: str, width: int = 1300, height: int = 1000):
    """A page at `url`, with the console errors, page errors and dialogs it raised."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems, dialogs = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    return page, problems, dialogs


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Violations of the WCAG 2.x A and AA rules (and axe's best practices) that axe-core finds
    on the page, of the given impacts, each with the selectors of the first nodes at fault."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                ", ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                for n in v["nodes"][:5]
            ],
        }
        for v in results["violations"]
        if v["impact"] in impacts
    ]
