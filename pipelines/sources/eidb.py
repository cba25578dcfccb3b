"""India's Export Import Data Bank (EIDB) figures, bundled as CSV files under a manifest.

The EIDB cannot be reached from here, so its figures come as files extracted from its pages; the
manifest says where each came from. A file is read only if it is named by the manifest, stays
inside the folder, and matches the manifest's sha256 and row count: a swapped or truncated file
stops the load with the reason instead of reaching the warehouse.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd

MANIFEST = "manifest.csv"
MANIFEST_FIELDS = (
    "file", "table", "producer", "title", "url", "extraction", "retrieved", "sha256", "row_count",
    "licence",
)  # fmt: skip
# Both layouts land in one raw table: what a layout lacks stays empty.
LAYOUTS = {
    "hs8_exports": {
        "hs8": "hs_code", "description": "description", "financial_year": "financial_year",
        "value_usd_million": "value_usd_million", "quantity_kg": "quantity_kg",
        "india_exports_to_world_usd_million": "world_usd_million",
    },
    "hs4_two_way": {
        "hs_code": "hs_code", "product": "description", "mineral": "mineral_as_published",
        "financial_year": "financial_year", "value_usd_million": "value_usd_million",
    },
}  # fmt: skip
RAW_COLUMNS = (
    "file", "line_no", "layout", "reporter", "partner", "flow", "hs_code", "description",
    "mineral_as_published", "financial_year", "value_usd_million", "quantity_kg",
    "world_usd_million", "producer", "url",
)  # fmt: skip


class EidbError(ValueError):
    """The bundled EIDB files do not match their manifest."""


def read_manifest(folder: Path) -> list[dict[str, str]]:
    path = folder / MANIFEST
    if not path.exists():
        raise EidbError(f"{path.name} missing in {folder.name}/")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [f for f in MANIFEST_FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise EidbError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return list(reader)


def resolve_inside(folder: Path, name: str) -> Path:
    """The manifest's `file`, refused when it points outside the folder (`../`, absolute, links)."""
    root = folder.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or path == root:
        raise EidbError(f"{MANIFEST}: file {name!r} is not inside {folder.name}/")
    return path


def read_eidb(folder: Path) -> pd.DataFrame:
    """Every figure of every manifest file, as text, with its file, line and origin.

    A snapshots folder without an `eidb/` folder holds no EIDB figures (an empty table); an `eidb/`
    folder without its manifest is an error.
    """
    frames = []
    entries = read_manifest(folder) if folder.exists() else []
    for entry in entries:
        layout = LAYOUTS.get(entry["table"])
        if layout is None:
            raise EidbError(f"{MANIFEST}: {entry['file']}: unknown table {entry['table']!r}")
        path = resolve_inside(folder, entry["file"])
        if not path.is_file():
            raise EidbError(f"{MANIFEST}: {entry['file']} does not exist")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise EidbError(f"{entry['file']} does not match its manifest sha256")
        frame = pd.read_csv(io.BytesIO(data), dtype="string", keep_default_na=False)
        expected = {"reporter", "partner", "flow", *layout}
        missing = sorted(expected - set(frame.columns))
        if missing:
            raise EidbError(f"{entry['file']}: missing column(s) {', '.join(missing)}")
        if str(len(frame)) != entry["row_count"]:
            raise EidbError(
                f"{entry['file']}: {len(frame)} rows, manifest says {entry['row_count']}"
            )
        frame = frame.rename(columns=layout)
        frame["file"] = entry["file"]
        frame["line_no"] = range(2, len(frame) + 2)
        frame["layout"] = entry["table"]
        frame["producer"] = entry["producer"]
        frame["url"] = entry["url"]
        frames.append(frame.reindex(columns=RAW_COLUMNS, fill_value=""))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in RAW_COLUMNS})
    frame = pd.concat(frames, ignore_index=True)
    return frame.astype({c: ("int64" if c == "line_no" else "string") for c in RAW_COLUMNS})
