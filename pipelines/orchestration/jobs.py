"""Jobs: the offline refresh that `make run` executes, and the refreshes that schedules start."""

from dagster import AssetSelection, define_asset_job

from pipelines.assets.feeds import feed_snapshots
from pipelines.assets.releases import draft_release
from pipelines.assets.report import report
from pipelines.assets.trade import comtrade_snapshots

offline_refresh = define_asset_job(
    "offline_refresh",
    selection=AssetSelection.all() - AssetSelection.assets(comtrade_snapshots, draft_release),
    description="Every asset from the bundled data and registers, no network.",
)

report_only = define_asset_job(
    "report_only",
    selection=AssetSelection.assets(report),
    description="Rebuild the static report from the warehouse and outputs already built.",
)

trade_refresh = define_asset_job(
    "trade_refresh",
    selection=AssetSelection.assets(comtrade_snapshots).downstream(),
    description="Fetch one year of Comtrade data (live when TRACKER_LIVE=1) and rebuild what depends on it.",
)

feeds_refresh = define_asset_job(
    "feeds_refresh",
    selection=AssetSelection.assets(feed_snapshots).downstream(),
    description="Read the press feeds (live when TRACKER_LIVE=1) and rebuild the review queue and what follows.",
)

quarterly_draft_release = define_asset_job(
    "quarterly_draft_release",
    selection=AssetSelection.all() - AssetSelection.assets(comtrade_snapshots),
    description="The offline refresh, then the report frozen as a draft release for review.",
)
