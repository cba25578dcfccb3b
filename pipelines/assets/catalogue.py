"""The indicator catalogue, the codebook and the parameters of the assessment."""

from datetime import timedelta

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from pipelines import settings
from pipelines.curated.catalogue import read_catalogue
from pipelines.curated.codebook import read_codebook
from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.sql_models import discover_models
from pipelines.warehouse.tables import replace_table


@asset(owners=OWNERS, group_name="mapping", kinds={"python", "duckdb"}, deps=["commitments"])
@guarded
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


@multi_asset(
    specs=[
        AssetSpec(
            name, owners=OWNERS, group_name="mapping", kinds={"python", "duckdb"},
            deps=["commitments"], description=description,
        )
        for name, description in (
            ("codebook", "data/codebook.yaml: every commitment's kind, what counts, and its version."),
            ("codebook_mechanisms", "Recurring mechanisms: how editions are recognised, cadence, grace."),
            ("codebook_rungs", "Milestone ladders: each rung and the evidence that reaches it."),
        )
    ],
)  # fmt: skip
@guarded
def codebook(context: AssetExecutionContext, warehouse: Warehouse):
    """Load the codebook whole or not at all: a missing commitment or an unknown kind fails the run."""
    with warehouse.get_connection() as con:
        ids = {row[0] for row in con.execute("SELECT commitment_id FROM commitments").fetchall()}
        book = read_codebook(settings.DATA_DIR / "codebook.yaml", ids)
        con.execute("BEGIN TRANSACTION")
        replace_table(con, "codebook", book.commitments)
        replace_table(con, "codebook_mechanisms", book.mechanisms)
        replace_table(con, "codebook_rungs", book.rungs)
        con.execute("COMMIT")
    kinds = book.commitments["kind"].value_counts().to_dict()
    context.log.info(f"codebook {book.version}: {kinds}")
    yield MaterializeResult(
        asset_key="codebook",
        metadata={
            "dagster/row_count": MetadataValue.int(len(book.commitments)),
            "version": book.version,
            "kinds": MetadataValue.json({k: int(v) for k, v in kinds.items()}),
        },
    )
    yield MaterializeResult(
        asset_key="codebook_mechanisms",
        metadata={"dagster/row_count": MetadataValue.int(len(book.mechanisms))},
    )
    yield MaterializeResult(
        asset_key="codebook_rungs",
        metadata={"dagster/row_count": MetadataValue.int(len(book.rungs))},
    )


@asset(owners=OWNERS, group_name="mapping", kinds={"python", "duckdb"})
@guarded
def run_parameters(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """Signing date, the run's as-of day, the fixed baseline and the thresholds of the status rules.

    The baseline is fixed (the three years before signing), so a status cannot move only because a
    sliding window did. `TRACKER_AS_OF` (YYYY-MM-DD) pins the day, to reproduce a past report.
    """
    try:
        as_of = settings.as_of()
    except settings.SettingError as error:
        raise Failure(str(error)) from None
    frame = pd.DataFrame(
        [
            {
                "signing_date": settings.SIGNING_DATE,
                "summit_end": settings.SUMMIT_END,
                "as_of": as_of,
                "baseline_start": settings.BASELINE_START,
                "baseline_end": settings.SIGNING_DATE - timedelta(days=1),
                "interval_level": settings.INTERVAL_LEVEL,
                "min_events": settings.ACTIVITY_MIN_EVENTS,
            }
        ]
    )
    with warehouse.get_connection() as con:
        replace_table(con, "run_parameters", frame)
    context.log.info(f"as of {as_of}; baseline {settings.BASELINE_START} to signing")
    return MaterializeResult(metadata={"as_of": str(as_of)})
