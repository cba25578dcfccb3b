"""Great Expectations suites as blocking Dagster asset checks, and the Data Docs they feed.

A failing suite stops every asset downstream of its table in that run, so charts, notebooks and
the report are never rebuilt from bad data. The metadata says how many expectations ran on every
row (in DuckDB) and whether the row-wise rest saw a sample (`rows_validated` rows of `rows`).
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from pipelines.orchestration.up_to_date import guarded, guarded_check
from pipelines.settings import OWNERS
from pipelines.warehouse.resources import Warehouse


def suite_check(table: str) -> AssetChecksDefinition:
    @asset_check(
        asset=table,
        name="great_expectations",
        blocking=True,
        description=f"Great Expectations suite expectations/gx/expectations/{table}.json",
    )
    @guarded_check(table)
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        from pipelines.warehouse.validation import build_data_docs, validate_table

        with warehouse.get_connection() as con:
            result = validate_table(con, table)
        if not result.success:
            build_data_docs()  # so the docs show the failure this run stopped at
            for failure in result.failures:
                context.log.error(
                    f"{table}: {failure['expectation']} failed on {failure['column']} "
                    f"({failure['unexpected_count']} of {failure['rows_checked']} rows, "
                    f"{'all rows' if failure['checked'] == 'all_rows' else 'a sample'}): "
                    f"e.g. {failure['unexpected_sample']}"
                )
        return AssetCheckResult(
            passed=result.success,
            metadata={
                "success_rate_percent": MetadataValue.float(round(result.success_rate, 1)),
                "expectations_evaluated": MetadataValue.int(result.evaluated),
                "failing_expectations": MetadataValue.json(result.failures),
                "rows": MetadataValue.int(result.rows),
                "rows_validated": MetadataValue.int(result.rows_validated),
                "full_row_expectations": MetadataValue.int(result.full_row_checks),
                "sampled": MetadataValue.bool(result.sampled),
                "sampled_expectations": MetadataValue.int(result.sampled_checks),
            },
        )

    return _check


def data_docs_asset(checked_tables: list[str]):
    @asset(
        name="data_docs", owners=OWNERS, group_name="reports", kinds={"python"}, deps=checked_tables
    )
    @guarded
    def _data_docs() -> MaterializeResult:
        """Great Expectations Data Docs: every suite and its latest results, as static HTML."""
        from pipelines.warehouse.validation import build_data_docs

        index = build_data_docs()
        return MaterializeResult(metadata={"index": MetadataValue.path(str(index))})

    return _data_docs
