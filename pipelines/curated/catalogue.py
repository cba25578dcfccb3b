"""The indicator catalogue (data/indicators.yaml), read and checked against the commitments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.inputs import InputError, load_yaml

MEASURED_FIELDS = ("id", "title", "commitments", "unit", "method", "source_tables", "better")


class CatalogueError(ValueError):
    """The catalogue is incomplete or names something that does not exist."""


def read_entries(path: Path) -> list[dict]:
    """The catalogue's entries, read safely; a file that is not a list of mappings is refused."""
    try:
        document = load_yaml(path, f"data/{path.name}")
    except InputError as error:
        raise CatalogueError(str(error)) from None
    entries = document.get("indicators") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CatalogueError(
            f"data/{path.name}: expected a top-level 'indicators:' list of entries; restore that shape"
        )
    return entries


def read_catalogue(path: Path, commitment_ids: set[str], sql_models: set[str]) -> pd.DataFrame:
    """One row per indicator; every commitment must be covered, every method must be a model."""
    entries = read_entries(path)
    problems, rows = [], []
    for position, entry in enumerate(entries, start=1):
        label = entry.get("id", f"entry {position}")
        status = entry.get("status", "measured")
        required = (
            ("id", "title", "commitments", "reason")
            if status == "not measurable"
            else MEASURED_FIELDS
        )
        missing = [key for key in required if not entry.get(key)]
        if missing:
            problems.append(f"{label}: missing {', '.join(missing)}")
            continue
        if status not in ("measured", "not measurable"):
            problems.append(
                f"{label}: status must be 'measured' or 'not measurable', not {status!r}"
            )
        unknown = sorted(set(entry["commitments"]) - commitment_ids)
        if unknown:
            problems.append(f"{label}: unknown commitment(s) {unknown}")
        if status == "measured" and entry["method"] not in sql_models:
            problems.append(f"{label}: method {entry['method']!r} is not a SQL model in sql/marts")
        rows.append(
            {
                "indicator_id": entry["id"],
                "title": entry["title"],
                "subtitle": entry.get("subtitle", ""),
                "commitments": list(entry["commitments"]),
                "unit": entry.get("unit", ""),
                "method": entry.get("method", ""),
                "source_tables": list(entry.get("source_tables", [])),
                "better": entry.get("better", ""),
                "status": status,
                "reason": " ".join(entry.get("reason", "").split()),
                "source_note": entry.get("source_note", ""),
            }
        )
    covered = {c for row in rows for c in row["commitments"]}
    uncovered = sorted(commitment_ids - covered, key=lambda c: tuple(map(int, c.split("."))))
    if uncovered:
        problems.append(
            f"no indicator or 'not measurable' entry for commitment(s) {', '.join(uncovered)}"
        )
    ids = [row["indicator_id"] for row in rows]
    if len(ids) != len(set(ids)):
        problems.append("indicator ids are not unique")
    if problems:
        raise CatalogueError(f"{path.name}: " + "; ".join(problems))
    return pd.DataFrame(rows)
