"""Releases: frozen, never overwritten, traceable to code and inputs, with notes of what changed."""

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
from dagster import DagsterInstance
from openpyxl import load_workbook

from pipelines import settings
from pipelines.releases.freeze import ReleaseError, input_hashes, make_release
from pipelines.warehouse.resources import Warehouse
from tests.helpers import folder_digest


@pytest.fixture(scope="module")
def releases(tmp_path_factory, built, monkeypatch_module):
    folder = tmp_path_factory.mktemp("releases")
    monkeypatch_module.setenv("TRACKER_RELEASES_DIR", str(folder))
    monkeypatch_module.setenv("TRACKER_BUILD_DIR", str(built))
    make_release("test1")
    return folder


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_a_release_holds_report_workbook_and_a_manifest_matching_the_inputs(releases):
    folder = releases / "test1"
    assert (folder / "report" / "index.html").is_file()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"] == input_hashes()
    assert (
        manifest["inputs"]["data/registers/exercises.csv"]
        == hashlib.sha256(
            (settings.DATA_DIR / "registers" / "exercises.csv").read_bytes()
        ).hexdigest()
    )
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert manifest["as_of"] and manifest["code_commit"]
    assert "Release test1" in (folder / "report" / "index.html").read_text(encoding="utf-8")
    sheets = load_workbook(folder / "test1.xlsx", read_only=True)
    assert {"about", "scorecard", "evidence", "events", "trade"} <= set(sheets.sheetnames)
    header = next(sheets["evidence"].iter_rows(max_row=1, values_only=True))
    assert {"source_title", "source_url", "source_published"} <= set(header)
    assert sheets["about"]["B1"].value == manifest["citation"]


def test_a_release_id_is_never_reused(releases, built):
    before = folder_digest(releases)
    with pytest.raises(ReleaseError, match="already exists"):
        make_release("test1")
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "release", "test1"],
        cwd=settings.PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "TRACKER_RELEASES_DIR": str(releases), "TRACKER_BUILD_DIR": str(built)},
    )  # fmt: skip
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
    assert "already exists" in result.stderr
    assert folder_digest(releases) == before


def test_a_changed_register_row_appears_in_the_next_releases_notes(
    releases, tmp_path, monkeypatch_module, browser
):
    registers = tmp_path / "registers"
    shutil.copytree(settings.DATA_DIR / "registers", registers)
    path = registers / "exercises.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    changed = next(r for r in rows if r["event_id"].startswith("EX-2024-"))
    changed["location"] = changed["location"] + " (corrected)"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    build = tmp_path / "build"
    monkeypatch_module.setenv("TRACKER_REGISTERS_DIR", str(registers))
    monkeypatch_module.setenv("TRACKER_BUILD_DIR", str(build))
    from pipelines.definitions import defs

    result = defs.resolve_job_def("offline_refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(),
        resources={"warehouse": Warehouse(database=str(build / "warehouse.duckdb"))},
        raise_on_error=False,
    )
    assert result.success
    made = make_release("test2")
    notes = (made.folder / "NOTES.md").read_text(encoding="utf-8")
    assert "Compared with release test1" in notes
    correction = next(
        line for line in notes.splitlines() if changed["event_id"] in line and "location" in line
    )
    assert "(corrected)" in correction and changed["source_url"] in correction
    # The manifest records the registers the run read, not the bundled ones.
    assert (
        made.manifest["inputs"]["data/registers/exercises.csv"]
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    page = browser.new_page()
    page.goto((made.folder / "notes.html").as_uri())
    assert changed["event_id"] in page.inner_text("body")
    page.get_by_role("link", name="The report of this release").click()
    assert "Release test2" in page.inner_text("header")
    page.goto((made.folder / "report" / "commitments" / "6.1.html").as_uri())
    paragraph = page.locator("p.narrative").inner_text()
    assert "status is" in paragraph and "since release test1" in paragraph
    page.close()


def test_every_commitment_page_leads_with_a_narrative_naming_status_and_coverage(built, warehouse):
    from bs4 import BeautifulSoup

    rows = warehouse.execute(
        "SELECT commitment_id, status, CAST(coverage_through AS VARCHAR) FROM scorecard"
    ).fetchall()
    assert len(rows) == 41
    for commitment_id, status, coverage in rows:
        page = built / "report" / "commitments" / f"{commitment_id}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        paragraph = soup.select_one("h1 + p.narrative").get_text()
        assert f"“{status}”" in paragraph, commitment_id
        assert (coverage or "not yet been searched") in paragraph, commitment_id
    summary = (built / "report" / "summary.html").read_text(encoding="utf-8")
    assert summary.count('class="narrative"') == 41
