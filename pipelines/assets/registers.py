"""Loader assets: each curated register, read as received into a raw_<family> table."""

import io

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines import settings
from pipelines.curated.registers import (
    EVENT_SOURCE_COLUMNS,
    FAMILY_COLUMNS,
    SEARCH_LOG_COLUMNS,
    RegisterError,
    read_register,
    read_rows,
)
from pipelines.inputs import InputError, decode_utf8, read_bytes
from pipelines.orchestration.up_to_date import guarded
from pipelines.preflight import evidence_rule_problems, manual_links_problems
from pipelines.settings import OWNERS
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.tables import replace_table


def _register_asset(family: str, description: str | None = None) -> AssetsDefinition:
    @asset(
        name=f"raw_{family}",
        owners=OWNERS,
        group_name="sources",
        kinds={"python", "duckdb"},
        description=description
        or f"data/registers/{family}.csv as received: text columns, file and line of every row.",
        metadata={"register": f"data/registers/{family}.csv"},
    )
    @guarded
    def _load(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        path = settings.registers_dir() / f"{family}.csv"
        try:
            read = read_register(path, family, display_name=f"data/registers/{path.name}")
        except RegisterError as error:
            raise Failure(str(error)) from None
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


def read_reference(path, label: str) -> pd.DataFrame:
    """A reference or mapping CSV as text, every value stripped: a trailing space must not turn
    an exclusion into a link to nothing, nor a code into an unknown one."""
    try:
        data = decode_utf8(read_bytes(path, label), label)
    except InputError as error:
        raise Failure(str(error)) from None
    frame = pd.read_csv(io.StringIO(data), dtype="string", keep_default_na=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda column: column.str.strip())


def _reference_asset(
    table: str, data_file: str, description: str, path=None, deps=(), check=None
) -> AssetsDefinition:
    @asset(
        name=table,
        owners=OWNERS,
        group_name="sources",
        kinds={"python", "duckdb"},
        description=description,
        metadata={"file": f"data/{data_file}"},
        deps=list(deps),
    )
    @guarded
    def _load(warehouse: Warehouse) -> MaterializeResult:
        frame = read_reference(
            path() if path else settings.DATA_DIR / data_file, f"data/{data_file}"
        )
        with warehouse.get_connection() as con:
            if check is not None:
                problems = check(con, frame)
                if problems:
                    raise Failure("; ".join(problems))
            replace_table(con, table, frame)
        return MaterializeResult(metadata={"dagster/row_count": MetadataValue.int(len(frame))})

    return _load


def _manual_links_problems(con, frame: pd.DataFrame) -> list[str]:
    known = {
        row[0]
        for family in FAMILY_COLUMNS
        for row in con.execute(f"SELECT DISTINCT trim(event_id) FROM raw_{family}").fetchall()  # noqa: S608 (constant names)
    }
    return manual_links_problems(frame, known)


def _curated_asset(name: str, columns: tuple[str, ...], description: str) -> AssetsDefinition:
    @asset(
        name=f"raw_{name}",
        owners=OWNERS,
        group_name="sources",
        kinds={"python", "duckdb"},
        description=description,
        metadata={"register": f"data/registers/{name}.csv"},
    )
    @guarded
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
    _register_asset(
        "statements",
        "data/registers/statements.csv as received: passages of joint documents, file and line of "
        "every row.",
    ),
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
        "hs2022",
        "reference/hs2022.csv",
        "The Harmonized System 2022 nomenclature at 4 and 6 digits (datasets/harmonized-system).",
    ),
    _reference_asset(
        "national_lines",
        "reference/national_lines.csv",
        "India's 8-digit lines whose own description rules out the catalogue minerals of their parent.",
    ),
    _reference_asset(
        "raw_published_trade_figures",
        "registers/published_trade_figures.csv",
        "Published Japan–India trade figures (ministries, Comtrade-derived pages, press), as received.",
        path=lambda: settings.registers_dir() / "published_trade_figures.csv",
    ),
    _reference_asset(
        "evidence_rules",
        "mapping/evidence_rules.csv",
        "Rules that decide which events are evidence for which commitments.",
        check=lambda con, frame: evidence_rule_problems(frame),
    ),
    _reference_asset(
        "manual_links",
        "mapping/manual_links.csv",
        "Analysts' manual evidence links and exclusions; they win over the rules.",
        deps=[f"raw_{family}" for family in FAMILY_COLUMNS],
        check=_manual_links_problems,
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
