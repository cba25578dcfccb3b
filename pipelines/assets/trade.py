"""Critical-minerals trade: Comtrade snapshots (live, by year) and their load into the warehouse.

Offline runs read the newest bundled snapshot of each year; `TRACKER_LIVE=1` (with
`COMTRADE_API_KEY` for the keyed endpoint) fetches a year anew. A fetch is saved whole or not at
all, so a failed one leaves the previous snapshot and the tables read from it untouched.
"""

import os
from datetime import date
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    StaticPartitionsDefinition,
    asset,
)

from pipelines import settings
from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.sources.comtrade import ComtradeClient, ComtradeError, minerals_queries
from pipelines.sources.snapshots import Captured, SnapshotStore
from pipelines.warehouse.resources import Warehouse

LICENCE = "UN Comtrade terms of use: re-dissemination limited; cite UN Comtrade"
FIRST_YEAR = 2015
years = StaticPartitionsDefinition([str(y) for y in range(FIRST_YEAR, date.today().year + 1)])

RAW_COMTRADE_COLUMNS = {
    "refYear": "INTEGER", "reporterCode": "INTEGER", "reporterISO": "VARCHAR",
    "partnerCode": "INTEGER", "partnerISO": "VARCHAR", "flowCode": "VARCHAR", "cmdCode": "VARCHAR",
    "classificationCode": "VARCHAR", "primaryValue": "DOUBLE", "netWgt": "DOUBLE",
    "qty": "DOUBLE", "qtyUnitAbbr": "VARCHAR", "isReported": "BOOLEAN",
}  # fmt: skip


def load_raw_comtrade(con, files: dict[str, Path]) -> None:
    """Replace raw_comtrade with the rows of the given snapshot files ({snapshot_id: path}).

    DuckDB reads the JSON itself (no Python loop over rows), one response at a time in one
    transaction: each response is a single JSON object that DuckDB holds whole while reading it,
    so reading several at once would multiply the memory a load needs, and a failed file leaves
    the previous table in place.
    """
    columns = ", ".join(f"{name} {kind}" for name, kind in RAW_COMTRADE_COLUMNS.items())
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TABLE raw_comtrade (snapshot_id VARCHAR, {columns})")
        for snapshot_id, path in files.items():
            # DuckDB reserves twice the largest object it allows: sized to the file, not a fixed
            # gigabyte, the read fits under the connection's memory cap.
            object_size = max(16 * 2**20, Path(path).stat().st_size + 2**20)
            con.execute(
                f"""INSERT INTO raw_comtrade
                SELECT ?, unnest(data, recursive := true)
                FROM read_json(?, columns = {{'data': 'STRUCT({columns})[]'}},
                               maximum_object_size = ?)""",  # noqa: S608 (columns: a constant)
                [snapshot_id, str(path), object_size],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def comtrade_store() -> SnapshotStore:
    return SnapshotStore(settings.snapshots_dir() / "comtrade", LICENCE)


@asset(
    partitions_def=years,
    owners=OWNERS,
    group_name="sources",
    kinds={"python"},
    retry_policy=RetryPolicy(max_retries=2, delay=60),
    description="UN Comtrade responses for one year, kept as received under data/snapshots/comtrade/.",
)
def comtrade_snapshots(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    year = int(context.partition_key)
    store = comtrade_store()
    if not settings.live_sources_enabled():
        kept = [row for row in store.newest() if row["partition"] == str(year)]
        context.log.info(f"offline: using {len(kept)} bundled response(s) for {year}")
        return MaterializeResult(metadata={"mode": "offline", "responses": len(kept)})
    with warehouse.get_connection() as con:
        codes = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT hs_code FROM critical_minerals WHERE hs_code <> ''"
            ).fetchall()
        ]
    client = ComtradeClient(
        api_key=os.environ.get("COMTRADE_API_KEY"),
        base_url=os.environ.get("TRACKER_COMTRADE_BASE_URL"),
    )
    try:
        captured = [
            Captured(response.url, response.body, len(response.rows))
            for query in minerals_queries(year, codes)
            for response in client.fetch(query)
        ]
    except ComtradeError as error:
        # The run's retry policy can wait out an outage; schema drift or a refused key won't mend.
        transient = "gave up after retries" in str(error)
        raise Failure(
            f"Comtrade fetch for {year} failed; previous snapshot kept: {error}",
            allow_retries=transient,
        ) from None
    finally:
        client.close()
    fetch_id = store.save_fetch(str(year), captured)
    rows = sum(item.row_count for item in captured)
    context.log.info(f"{year}: {len(captured)} response(s), {rows} rows, fetch {fetch_id}")
    return MaterializeResult(
        metadata={"mode": "live", "fetch_id": fetch_id, "rows": rows, "responses": len(captured)}
    )


@asset(owners=OWNERS, group_name="sources", kinds={"python", "duckdb"}, deps=[comtrade_snapshots])
@guarded
def raw_comtrade(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """Rows of the newest snapshot of every year, read by DuckDB straight from the JSON files."""
    store = comtrade_store()
    newest = store.newest()
    with warehouse.get_connection() as con:
        load_raw_comtrade(con, {row["snapshot_id"]: store.path(row) for row in newest})
        rows = con.execute("SELECT count(*) FROM raw_comtrade").fetchone()[0]
    context.log.info(f"raw_comtrade: {rows} rows from {len(newest)} response(s)")
    return MaterializeResult(
        metadata={
            "dagster/row_count": MetadataValue.int(rows),
            "responses": MetadataValue.int(len(newest)),
        }
    )
