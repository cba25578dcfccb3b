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
