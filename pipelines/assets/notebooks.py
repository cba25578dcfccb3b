"""The reviewer notebooks: one asset each, executed together, settings.NOTEBOOK_KERNELS at a time."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from pipelines import settings
from pipelines.orchestration.up_to_date import asset_steps, partition, record, skipped
from pipelines.reporting.notebooks import discover_notebooks, execute_notebooks
from pipelines.settings import OWNERS
from pipelines.warehouse.resources import Warehouse

SPECS = discover_notebooks(settings.NOTEBOOKS_DIR)


def notebooks_dir():
    return settings.build_dir() / "report" / "notebooks"


def _key(name: str) -> AssetKey:
    return AssetKey(f"notebook_{name}")


@multi_asset(
    name="notebooks",
    specs=[
        AssetSpec(
            _key(spec.name),
            deps=[*spec.reads, *(f"chart_{chart}" for chart in spec.charts)],
            group_name="reports",
            kinds={"notebook"},
            owners=OWNERS,
            description=f"notebooks/{spec.path.name} executed; its HTML is in build/report/notebooks/.",
        )
        for spec in SPECS
    ],
    can_subset=True,
)
def notebooks(context: AssetExecutionContext, warehouse: Warehouse):
    # Each notebook is decided on its own: only those whose tables, charts or code changed run.
    fresh, fingerprints = partition(context, warehouse, asset_steps(context))
    yield from (skipped(name) for name in sorted(fresh))
    selected = [
        spec
        for spec in SPECS
        if _key(spec.name) in context.selected_asset_keys
        and _key(spec.name).to_user_string() not in fresh
    ]
    if not selected:
        return
    # The kernels query at the same time: each gets its share of the warehouse memory cap, so
    # that together they stay within one connection's cap at any table size.
    env = settings.notebook_kernel_env(warehouse.database)
    # Hold the warehouse while the kernels read it, so that no other run writes meanwhile.
    with warehouse.lock():
        outcomes = execute_notebooks(
            selected, notebooks_dir(), env, concurrency=settings.NOTEBOOK_KERNELS
        )
    failures = []
    for spec in selected:
        outcome = outcomes[spec.name]
        if isinstance(outcome, Exception):
            failures.append(str(outcome))
            continue
        ipynb, page = outcome
        context.log.info(f"{spec.name}: executed, HTML at {page}")
        name = _key(spec.name).to_user_string()
        record(context, warehouse, {name: fingerprints[name]})
        yield MaterializeResult(
            asset_key=_key(spec.name),
            metadata={
                "html": MetadataValue.path(str(page)),
                "ipynb": MetadataValue.path(str(ipynb)),
            },
        )
    if failures:
        raise Failure("; ".join(failures))
