"""Freeze the current build into `releases/<ID>/`: report, exports, workbook, codebook, manifest.

A release is what reviewers cite, so it never changes once written: a second release with the same
ID is refused, and a release is assembled in a hidden folder and renamed into place in one step,
so a reader never sees half of one. The manifest ties it to the code (commit), the inputs (sha256
of every data file) and the dates (as-of, coverage) behind it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from bs4 import BeautifulSoup

from pipelines import settings
from pipelines.releases.notes import write_notes
from pipelines.releases.workbook import write_workbook
from pipelines.warehouse.resources import read_only_warehouse

RELEASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TITLE = "Japan–India Security Cooperation Tracker"
# The element every report page carries for the release it belongs to (see templates/base.html).
RELEASE_LABEL_ID = "release-label"


class ReleaseError(RuntimeError):
    """A release that cannot be made; the message is one line naming the remedy."""


@dataclass(frozen=True)
class Release:
    release_id: str
    folder: Path
    manifest: dict


def releases_dir() -> Path:
    """Published releases (committed to the repository); `TRACKER_RELEASES_DIR` for a draft area."""
    return Path(os.environ.get("TRACKER_RELEASES_DIR", settings.PROJECT_ROOT / "releases"))


def make_release(release_id: str, target_dir: Path | None = None, draft: bool = False) -> Release:
    """Freeze build/report and the warehouse's tables as release `release_id`."""
    if not RELEASE_ID.match(release_id):
        raise ReleaseError(
            f"release ID {release_id!r} must be letters, digits, '.', '_' or '-' (e.g. 2026Q4)"
        )
    target_dir = target_dir or releases_dir()
    folder = target_dir / release_id
    if folder.exists():
        raise ReleaseError(f"release {release_id} already exists at {folder}: choose a new ID")
    report, warehouse = settings.build_dir() / "report", settings.warehouse_path()
    if not (report / "index.html").is_file() or not warehouse.is_file():
        raise ReleaseError(f"no complete build in {settings.build_dir()}: run `make run` first")

    released_at = datetime.now(UTC).replace(microsecond=0)
    target_dir.mkdir(parents=True, exist_ok=True)
    staging = target_dir / f".{release_id}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        shutil.copytree(report, staging / "report")
        with read_only_warehouse(warehouse) as con:
            dates = _dates(con)
            citation = f"{TITLE}, release {release_id}, {released_at:%d %B %Y}"
            write_workbook(con, staging / f"{release_id}.xlsx", citation)
            # Every field of every event, so the next release's notes can name any correction.
            con.execute("SELECT * FROM events ORDER BY event_id").df().to_csv(
                staging / "events.csv", index=False
            )
        codebook = settings.DATA_DIR / "codebook.yaml"
        if codebook.is_file():
            shutil.copy2(codebook, staging / "codebook.yaml")
        _label_pages(staging / "report", f"Release {release_id} · {released_at:%d %B %Y}")
        manifest = {
            "release_id": release_id,
            "status": "draft" if draft else "published",
            "title": TITLE,
            "citation": citation,
            "released_at": released_at.isoformat(),
            "code_commit": _git_commit(),
            **dates,
            "inputs": input_hashes(),
        }
        previous = latest_release(target_dir, before=released_at.isoformat())
        write_notes(staging, manifest, previous.folder if previous else None)
        manifest["files"] = _hashes(staging, staging)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.rename(staging, folder)  # refuses to replace a folder that appeared meanwhile
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(release_id, folder, manifest)


def latest_release(target_dir: Path, before: str | None = None) -> Release | None:
    """The newest release in `target_dir` (by release time), optionally released before `before`."""
    found = []
    for manifest_path in target_dir.glob("*/manifest.json"):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if before is None or manifest["released_at"] < before:
            found.append(Release(manifest["release_id"], manifest_path.parent, manifest))
    return max(found, key=lambda r: r.manifest["released_at"], default=None)


def input_hashes() -> dict[str, str]:
    """sha256 of every data file the run read, by its path in the project (data/...).

    A folder pointed elsewhere (TRACKER_REGISTERS_DIR, _SNAPSHOTS_DIR, _REVIEW_DIR) is hashed
    where the run read it, under the path it replaces, so the manifest says what was used.
    """
    overrides = {
        "registers": settings.registers_dir(),
        "snapshots": settings.snapshots_dir(),
        "review": settings.review_dir(),
    }
    hashes = {
        name: digest
        for name, digest in _hashes(settings.DATA_DIR, settings.PROJECT_ROOT).items()
        if name.split("/")[1] not in overrides
    }
    for name, folder in overrides.items():
        hashes |= {
            f"data/{name}/{path}": digest for path, digest in _hashes(folder, folder).items()
        }
    return dict(sorted(hashes.items()))


def _hashes(folder: Path, relative_to: Path) -> dict[str, str]:
    return {
        str(path.relative_to(relative_to)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _dates(con: duckdb.DuckDBPyConnection) -> dict:
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    as_of = con.execute("SELECT CAST(as_of AS VARCHAR) FROM run_parameters").fetchone()[0]
    coverage = {}
    if "register_coverage" in tables:
        coverage = dict(
            con.execute(
                "SELECT register, CAST(complete_through AS VARCHAR) FROM register_coverage"
            ).fetchall()
        )
    version = None
    if "scorecard" in tables and "codebook_version" in {
        row[0] for row in con.execute("DESCRIBE scorecard").fetchall()
    }:
        version = con.execute("SELECT any_value(codebook_version) FROM scorecard").fetchone()[0]
    return {"as_of": as_of, "coverage_through": coverage, "codebook_version": version}


def _label_pages(report: Path, label: str) -> None:
    """Name the release on every page that carries the label element, so a screenshot is traceable."""
    for page in report.glob("**/*.html"):
        if "data_docs" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        if RELEASE_LABEL_ID not in text:
            continue
        soup = BeautifulSoup(text, "html.parser")
        element = soup.find(id=RELEASE_LABEL_ID)
        if element is not None:
            element.string = label
            page.write_text(str(soup), encoding="utf-8")


def _git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.PROJECT_ROOT,
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=settings.PROJECT_ROOT,
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{commit}{' (with uncommitted changes)' if dirty else ''}"
