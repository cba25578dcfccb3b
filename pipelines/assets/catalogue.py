"""The indicator catalogue and the parameters of the before/after comparison."""

import pandas as pd
from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, asset

from pipelines import settings
from pipelines.catalogue import read_catalogue
from pipelines.resources import Warehouse
from pipelines.settings import OWNERS
from pipelines.sql_models import discover_models
from pipelines.tables import replace_table


@asset(owners=OWNERS, group_name="mapping", kinds={"python", "duckdb"}, deps=["commitments"])
def indicators(warehouse: Warehouse) -> MaterializeResult:
    """data/indicators.yaml: every commitment's indicator, or why it is not measurable."""
    models = {model.name for model in discover_models(settings.SQL_DIR)}
    with warehouse.get_connection() as con:
        ids = {row[0] for row in con.execute("SELECT commitment_id FROM commitments").fetchall()}
        frame = read_catalogue(settings.DATA_DIR / "indicators.yaml", ids, models)
        replace_table(con, "indicators", frame)
    return MaterializeResult(
        metadata={
            "dagster/row_count": MetadataValue.int(len(frame)),
            "not_measurable": MetadataValue.int(int((frame["status"] == "not measurable").sum())),
        }
    )


@asset(owners=OWNERS, group_name="mapping", kinds={"python", "duckdb"})
def run_parameters(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """Signing date, the day the comparison runs to, and the equal-length baseline before signing.

    `TRACKER_AS_OF` (YYYY-MM-DD) pins the day, so that a past report can be reproduced.
    """
    try:
        as_of = settings.as_of()
    except settings.SettingError as error:
        raise Failure(str(error)) from None
    window = as_of - settings.SIGNING_DATE
    frame = pd.DataFrame(
        [
            {
                "signing_date": settings.SIGNING_DATE,
                "as_of": as_of,
                "baseline_start": settings.SIGNING_DATE - window,
                "window_days": window.days,
            }
        ]
    )
    with warehouse.get_connection() as con:
        replace_table(con, "run_parameters", frame)
    context.log.info(f"windows of {window.days} days either side of {settings.SIGNING_DATE}")
    return MaterializeResult(metadata={"as_of": str(as_of), "window_days": window.days})
