"""One asset per reviewer notebook: executed against the warehouse, written to build/report."""

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines import settings
from pipelines.reporting.notebooks import (
    NotebookCellError,
    NotebookSpec,
    discover_notebooks,
    execute_notebook,
)
from pipelines.resources import Warehouse
from pipelines.settings import OWNERS


def notebooks_dir():
    return settings.build_dir() / "report" / "notebooks"


def _notebook_asset(spec: NotebookSpec) -> AssetsDefinition:
    @asset(
        name=f"notebook_{spec.name}",
        owners=OWNERS,
        group_name="reports",
        kinds={"notebook"},
        deps=[*spec.reads, *(f"chart_{chart}" for chart in spec.charts)],
        description=f"notebooks/{spec.path.name} executed; its HTML is in build/report/notebooks/.",
    )
    def _notebook(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        env = {
            "TRACKER_WAREHOUSE": warehouse.database,
            "TRACKER_BUILD_DIR": str(settings.build_dir()),
        }
        # Hold the warehouse while the kernel reads it, so that no other run writes meanwhile.
        with warehouse.lock():
            try:
                ipynb, page = execute_notebook(spec, notebooks_dir(), env)
            except NotebookCellError as error:
                raise Failure(str(error)) from None
        context.log.info(f"{spec.name}: executed, HTML at {page}")
        return MaterializeResult(
            metadata={
                "html": MetadataValue.path(str(page)),
                "ipynb": MetadataValue.path(str(ipynb)),
            }
        )

    return _notebook


notebook_assets = [_notebook_asset(spec) for spec in discover_notebooks(settings.NOTEBOOKS_DIR)]
