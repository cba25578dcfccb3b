"""Loader assets: each curated register, read as received into a raw_<family> table."""

import pandas as pd
from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, MetadataValue, asset

from pipelines import settings
from pipelines.registers import (
    EVENT_SOURCE_COLUMNS,
    FAMILY_COLUMNS,
    SEARCH_LOG_COLUMNS,
    read_register,
    read_rows,
)
from pipelines.resources import Warehouse
from pipelines.settings import OWNERS
from pipelines.tables import replace_table


def _register_asset(family: str) -> AssetsDefinition:
    @asset(
        name=f"raw_{family}",
        owners=OWNERS,
        group_name="sources",
        kinds={"python", "duckdb"},
        description=f"data/registers/{family}.csv as received: text columns, file and line of every row.",
        metadata={"register": f"data/registers/{family}.csv"},
    )
    def _load(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        path = settings.registers_dir() / f"{family}.csv"
        read = read_register(path, family, display_name=f"data/registers/{path.name}")
        if read.ignored_columns:
            context.log.warning(f"{path.name}: ignoring unknown column(s) {read.ignored_columns}")
        if read.n_load_errors:
            context.log.warning(
                f"{path.name}: {read.n_load_errors} row(s) unreadable, sent to quarantine"
            )
        with warehouse.get_connection() as con:
            replace_table(con, f"raw_{family}", read.frame)
        return MaterializeResult(
            metadata={
                "dagster/row_count": MetadataValue.int(len(read.frame)),
                "unreadable_rows": MetadataValue.int(read.n_load_errors),
                "ignored_columns": MetadataValue.text(", ".join(read.ignored_columns) or "none"),
            }
        )

    return _load


def _reference_asset(table: str, data_file: str, description: str) -> AssetsDefinition:
    @asset(
        name=table,
        owners=OWNERS,
        group_name="sources",
        kinds={"python", "duckdb"},
        description=description,
        metadata={"file": f"data/{data_file}"},
    )
    def _load(warehouse: Warehouse) -> MaterializeResult:
        frame = pd.read_csv(settings.DATA_DIR / data_file, dtype="string", keep_default_na=False)
        with warehouse.get_connection() as con:
            replace_table(con, table, frame)
        return MaterializeResult(metadata={"dagster/row_count": MetadataValue.int(len(frame))})

    return _load


def _curated_asset(name: str, columns: tuple[str, ...], description: str) -> AssetsDefinition:
    @asset(
        name=f"raw_{name}",
        owners=OWNERS,
        group_name="sources",
        kinds={"python", "duckdb"},
        description=description,
        metadata={"register": f"data/registers/{name}.csv"},
    )
    def _load(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        path = settings.registers_dir() / f"{name}.csv"
        read = read_rows(path, columns, display_name=f"data/registers/{path.name}")
        if read.n_load_errors:
            context.log.warning(
                f"{path.name}: {read.n_load_errors} row(s) unreadable, sent to quarantine"
            )
        with warehouse.get_connection() as con:
            replace_table(con, f"raw_{name}", read.frame)
        return MaterializeResult(
            metadata={
                "dagster/row_count": MetadataValue.int(len(read.frame)),
                "unreadable_rows": MetadataValue.int(read.n_load_errors),
            }
        )

    return _load


register_assets = [
    *(_register_asset(family) for family in FAMILY_COLUMNS),
    _curated_asset(
        "search_log",
        SEARCH_LOG_COLUMNS,
        "data/registers/search_log.csv as received: what was searched, when, and the result.",
    ),
    _curated_asset(
        "event_sources",
        EVENT_SOURCE_COLUMNS,
        "data/registers/event_sources.csv as received: further sources of registered events.",
    ),
]
reference_assets = [
    _reference_asset(
        "participant_codes",
        "reference/participants.csv",
        "Controlled vocabulary of Japanese and Indian participants.",
    ),
    _reference_asset(
        "vocabularies",
        "reference/vocabularies.csv",
        "Allowed values of the registers' coded fields.",
    ),
    _reference_asset(
        "source_tiers",
        "reference/source_tiers.csv",
        "Source domains and their tier: official, news or aggregator, with the reason.",
    ),
    _reference_asset(
        "critical_minerals",
        "reference/critical_minerals.csv",
        "Critical minerals on India's and Japan's lists and the HS codes that carry them.",
    ),
    _reference_asset(
        "raw_published_trade_figures",
        "registers/published_trade_figures.csv",
        "Published Japan–India trade figures (ministries, Comtrade-derived pages, press), as received.",
    ),
    _reference_asset(
        "evidence_rules",
        "mapping/evidence_rules.csv",
        "Rules that decide which events are evidence for which commitments.",
    ),
    _reference_asset(
        "manual_links",
        "mapping/manual_links.csv",
        "Analysts' manual evidence links and exclusions; they win over the rules.",
    ),
    _reference_asset(
        "same_events",
        "mapping/same_events.csv",
        "Register rows that report the same real event as another row, and why.",
    ),
    _reference_asset(
        "link_reviews",
        "mapping/link_reviews.csv",
        "Analysts' verdicts on evidence links (confirmed or rejected), with the held-out split.",
    ),
]
