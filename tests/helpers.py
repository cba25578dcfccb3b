"""Small helpers shared by tests."""

import hashlib
from pathlib import Path

from dagster import AssetSelection, DagsterInstance, materialize

from pipelines.warehouse.resources import Warehouse


def materialize_selection(selection: AssetSelection, database: Path):
    """Materialize part of the graph into `database`, in-process, raising on failure."""
    from pipelines.definitions import defs

    assets = list(defs.assets)
    return materialize(
        assets,
        selection=selection,
        instance=DagsterInstance.ephemeral(),
        resources={"warehouse": Warehouse(database=str(database))},
    )


def folder_digest(folder: Path) -> str:
    """sha256 over every file's relative path and bytes: equal digests mean unchanged contents."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
