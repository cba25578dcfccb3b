"""The declaration's 41 commitments, parsed from its published text."""

from dataclasses import asdict

import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, asset

from pipelines import settings
from pipelines.curated.declaration import check_pinned, parse_commitments, read_themes
from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.warehouse.metadata import table_metadata
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.tables import replace_table


@asset(owners=OWNERS, group_name="sources", kinds={"python", "duckdb"})
@guarded
def commitments(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """One row per numbered commitment of the Joint Declaration (41 in six sections)."""
    parsed = parse_commitments(
        settings.DECLARATION_FILE.read_text(encoding="utf-8"), read_themes(settings.THEMES_FILE)
    )
    check_pinned(parsed, settings.DECLARATION_PINS_FILE)
    frame = pd.DataFrame([asdict(c) for c in parsed])
    with warehouse.get_connection() as con:
        replace_table(con, "commitments", frame)
        metadata = table_metadata(con, "commitments")
    context.log.info(f"commitments: {len(frame)} rows")
    return MaterializeResult(metadata=metadata)
