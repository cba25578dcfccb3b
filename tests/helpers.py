"""Small helpers shared by tests."""

from pathlib import Path

from dagster import AssetSelection, DagsterInstance, materialize

from pipelines.resources import Warehouse


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
