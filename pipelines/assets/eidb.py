"""India's official trade figures (EIDB) for critical-mineral codes, loaded as received."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from pipelines import settings
from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.sources.eidb import read_eidb
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.tables import replace_table


def eidb_folder():
    return settings.snapshots_dir() / "eidb"


@asset(
    owners=OWNERS,
    group_name="sources",
    kinds={"python", "duckdb"},
    description="India's Export Import Data Bank figures (data/snapshots/eidb/), as received.",
    metadata={"folder": "data/snapshots/eidb"},
)
@guarded
def raw_eidb(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    frame = read_eidb(eidb_folder())
    with warehouse.get_connection() as con:
        replace_table(con, "raw_eidb", frame)
    context.log.info(f"raw_eidb: {len(frame)} figures from {frame['file'].nunique()} file(s)")
    return MaterializeResult(
        metadata={
            "dagster/row_count": MetadataValue.int(len(frame)),
            "files": MetadataValue.int(int(frame["file"].nunique())),
        }
    )
