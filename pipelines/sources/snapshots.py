"""Raw responses kept as received, with a manifest that says what each one is.

A fetch is saved whole or not at all: response files are written first (each atomically), and the
manifest, rewritten atomically last, is what makes them visible. A fetch that fails half-way leaves
the previous snapshot, and everything read from it, untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MANIFEST = "manifest.csv"
FIELDS = (
    "snapshot_id",
    "fetch_id",
    "partition",
    "url",
    "retrieved_at",
    "sha256",
    "row_count",
    "licence",
    "file",
)


@dataclass(frozen=True)
class Captured:
    """One response to keep: the URL that asked (without secrets), its bytes and its row count.

    `suffix` overrides the store's file suffix, for fetches that mix formats (a feed and its pages).
    """

    url: str
    body: bytes
    row_count: int
    suffix: str | None = None


class SnapshotError(ValueError):
    """A snapshot whose manifest or files cannot be trusted; the message names the file."""


class SnapshotStore:
    def __init__(self, folder: Path, licence: str, suffix: str = ".json"):
        self.folder, self.licence, self.suffix = folder, licence, suffix

    def manifest(self) -> list[dict[str, str]]:
        path = self.folder / MANIFEST
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def save_fetch(
        self, partition: str, captured: list[Captured], now: datetime | None = None
    ) -> str:
        """Store every response of one fetch and register them together; return the fetch id."""
        now = now or datetime.now(UTC)
        fetch_id = now.strftime("%Y%m%dT%H%M%S%fZ")
        rows = []
        for number, item in enumerate(captured, start=1):
            relative = Path(partition) / f"{fetch_id}-{number:03d}{item.suffix or self.suffix}"
            _write_atomically(self.folder / relative, item.body)
            rows.append(
                {
                    "snapshot_id": f"{fetch_id}-{number:03d}",
                    "fetch_id": fetch_id,
                    "partition": partition,
                    "url": item.url,
                    "retrieved_at": now.isoformat(timespec="seconds"),
                    "sha256": hashlib.sha256(item.body).hexdigest(),
                    "row_count": str(item.row_count),
                    "licence": self.licence,
                    "file": relative.as_posix(),
                }
            )
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*self.manifest(), *rows])
        _write_atomically(self.folder / MANIFEST, buffer.getvalue().encode("utf-8"))
        return fetch_id

    def path(self, row: dict[str, str]) -> Path:
        """The file of a manifest row, which must lie inside this store's folder.

        A manifest is data: an absolute `file` or one climbing out with `..` (or through a
        symlink) would make a run read any file of the machine as a source response.
        """
        relative = row.get("file") or ""
        folder = self.folder.resolve()
        candidate = (folder / relative).resolve()
        if Path(relative).is_absolute() or not candidate.is_relative_to(folder):
            raise SnapshotError(
                f"{self.folder / MANIFEST}: snapshot {row.get('snapshot_id', '?')} names file "
                f"{relative!r} outside its folder; only paths inside the snapshot folder are read"
            )
        return candidate

    def newest(self) -> list[dict[str, str]]:
        """The manifest rows of the newest fetch of every partition whose files are intact."""
        latest: dict[str, str] = {}
        for row in self.manifest():
            latest[row["partition"]] = max(latest.get(row["partition"], ""), row["fetch_id"])
        rows = [r for r in self.manifest() if r["fetch_id"] == latest[r["partition"]]]
        for row in rows:
            path = self.path(row)
            if not path.is_file():
                raise SnapshotError(f"{path}: snapshot file named in the manifest is missing")
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != row["sha256"]:
                raise SnapshotError(f"snapshot {row['file']} does not match its manifest sha256")
        return rows


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)
