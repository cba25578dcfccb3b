"""The Dagster code location: a table of contents of the pipeline."""

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from pipelines import settings
from pipelines.assets.catalogue import indicators, run_parameters
from pipelines.assets.changes import scorecard_versions
from pipelines.assets.commitments import commitments
from pipelines.assets.feeds import candidates, feed_snapshots, raw_feed_items, review_decisions
from pipelines.assets.registers import reference_assets, register_assets
from pipelines.assets.trade import comtrade_snapshots, raw_comtrade
from pipelines.checks import data_docs_asset, suite_check
from pipelines.resources import Warehouse
from pipelines.sql_models import sql_model_assets
from pipelines.validation import suite_names

python_assets = [
    commitments,
    *reference_assets,
    *register_assets,
    raw_comtrade,
    raw_feed_items,
    review_decisions,
    candidates,
    indicators,
    run_parameters,
]
sql_assets = sql_model_assets(
    settings.SQL_DIR, upstream_tables={a.key.path[-1] for a in python_assets}
)

table_assets = [*python_assets, *sql_assets, scorecard_versions]
checked_tables = suite_names()
suite_checks = [suite_check(table) for table in checked_tables]
report_assets = [data_docs_asset(checked_tables)]

offline_refresh = define_asset_job(
    "offline_refresh",
    selection=AssetSelection.all() - AssetSelection.assets(comtrade_snapshots),
    description="Every asset from the bundled data and registers, no network.",
)

defs = Definitions(
    assets=[*table_assets, comtrade_snapshots, feed_snapshots, *report_assets],
    asset_checks=suite_checks,
    jobs=[offline_refresh],
    resources={"warehouse": Warehouse(database=str(settings.warehouse_path()))},
    # Steps here are short and DuckDB takes one writer: in-process beats ~1.5 s/step of subprocesses.
    executor=in_process_executor,
)
