"""The Dagster code location: a table of contents of the pipeline."""

from functools import partial

from dagster import Definitions, in_process_executor, map_asset_specs

from pipelines import settings
from pipelines.assets.catalogue import codebook, indicators, run_parameters
from pipelines.assets.changes import scorecard_versions
from pipelines.assets.charts import chart_assets, chart_mechanism_timelines
from pipelines.assets.commitments import commitments
from pipelines.assets.eidb import raw_eidb
from pipelines.assets.feeds import (
    candidates,
    feed_snapshots,
    feeds_folder,
    raw_feed_items,
    review_decisions,
)
from pipelines.assets.notebooks import notebooks
from pipelines.assets.registers import reference_assets, register_assets
from pipelines.assets.releases import draft_release
from pipelines.assets.report import report
from pipelines.assets.rule_keyword_hits import rule_keyword_hits
from pipelines.assets.trade import comtrade_snapshots, comtrade_store, raw_comtrade
from pipelines.orchestration.groups import with_group_description
from pipelines.orchestration.jobs import (
    feeds_refresh,
    offline_refresh,
    quarterly_draft_release,
    report_only,
    trade_refresh,
)
from pipelines.orchestration.schedules import (
    monthly_trade_refresh,
    quarterly_draft,
    weekly_feeds_refresh,
)
from pipelines.orchestration.sensors import edited_data_files, record_run_failures
from pipelines.sources.feeds import SOURCES as FEED_SOURCES
from pipelines.sources.feeds import feed_store
from pipelines.sources.freshness import snapshot_freshness_check
from pipelines.warehouse.checks import data_docs_asset, suite_check
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.sql_models import sql_model_assets
from pipelines.warehouse.validation import suite_names

python_assets = [
    commitments,
    *reference_assets,
    *register_assets,
    raw_comtrade,
    raw_eidb,
    raw_feed_items,
    review_decisions,
    candidates,
    indicators,
    codebook,
    run_parameters,
    rule_keyword_hits,
]
sql_assets = sql_model_assets(
    settings.SQL_DIR, upstream_tables={key.path[-1] for a in python_assets for key in a.keys}
)


def _feed_store(source):
    # The folder is looked up when the check runs, so TRACKER_SNAPSHOTS_DIR set later applies.
    return feed_store(feeds_folder(), source)


table_assets = [*python_assets, *sql_assets, scorecard_versions]
checked_tables = suite_names()
suite_checks = [suite_check(table) for table in checked_tables]
freshness_checks = [
    snapshot_freshness_check(
        "comtrade_snapshots", "source_freshness", comtrade_store, max_age_days=40
    ),
    *(
        snapshot_freshness_check(
            "feed_snapshots", f"{name}_freshness", partial(_feed_store, source), 8
        )
        for name, source in FEED_SOURCES.items()
    ),
]
report_assets = [
    data_docs_asset(checked_tables), *chart_assets, chart_mechanism_timelines, notebooks, report,
    draft_release,
]  # fmt: skip

defs = Definitions(
    # Every asset's description ends with what its group holds: the UI has no group description.
    assets=map_asset_specs(
        with_group_description,
        [*table_assets, comtrade_snapshots, feed_snapshots, *report_assets],
    ),
    asset_checks=[*suite_checks, *freshness_checks],
    jobs=[offline_refresh, report_only, trade_refresh, feeds_refresh, quarterly_draft_release],
    schedules=[monthly_trade_refresh, weekly_feeds_refresh, quarterly_draft],
    sensors=[edited_data_files, record_run_failures],
    resources={"warehouse": Warehouse(database=str(settings.warehouse_path()))},
    # Steps here are short and DuckDB takes one writer: in-process beats ~1.5 s/step of subprocesses.
    executor=in_process_executor,
)
