"""The Dagster code location: a table of contents of the pipeline."""

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from pipelines import settings
from pipelines.assets.commitments import commitments
from pipelines.resources import Warehouse
from pipelines.sql_models import sql_model_assets

python_assets = [commitments]
sql_assets = sql_model_assets(
    settings.SQL_DIR, upstream_tables={a.key.path[-1] for a in python_assets}
)

offline_refresh = define_asset_job(
    "offline_refresh",
    selection=AssetSelection.all(),
    description="Every asset from the bundled data and registers, no network.",
)

defs = Definitions(
    assets=[*python_assets, *sql_assets],
    jobs=[offline_refresh],
    resources={"warehouse": Warehouse(database=str(settings.warehouse_path()))},
    # Steps here are short and DuckDB takes one writer: in-process beats ~1.5 s/step of subprocesses.
    executor=in_process_executor,
)
