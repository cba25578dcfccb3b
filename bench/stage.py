"""Run one stage of the pipeline through Dagster, in this process, and print its cost as JSON.

Used by bench/run.py, one subprocess per stage, so that each stage's peak memory is its own.
"""

import json
import os
import resource
import sys
import time
from contextlib import nullcontext

from dagster import AssetSelection, DagsterInstance, materialize

from bench.memory import TreePeak
from pipelines import settings
from pipelines.warehouse.resources import Warehouse, kept_open
from pipelines.warehouse.sql_models import discover_models

STAGES = ("load", "trade_load", "sql", "validation", "charts", "notebooks", "report")
# The table stages run with the warehouse held open from the first step to the last, as `make run`
# runs its table steps (pipelines/__main__.py); charts, notebooks and the report open it themselves.
TABLE_STAGES = ("load", "trade_load", "sql", "validation")
# Python assets of the mapping layer, run and counted with the SQL models they sit between.
PYTHON_MAPPING_STEPS = ("rule_keyword_hits",)


def selection(stage: str, names: list[str], sql_models: list[str]) -> AssetSelection:
    """The assets (or, for validation, the checks) that make up a stage."""
    if stage == "validation":
        return AssetSelection.all_asset_checks()
    chosen = {
        # registers, reference tables, feeds and the Python tables the SQL models read
        "load": AssetSelection.groups("sources")
        - AssetSelection.assets("comtrade_snapshots", "raw_comtrade")
        | AssetSelection.assets(
            "indicators",
            "run_parameters",
            "candidates",
            "codebook",
            "codebook_mechanisms",
            "codebook_rungs",
        ),
        "trade_load": AssetSelection.assets("raw_comtrade"),
        "sql": AssetSelection.assets(
            *sql_models, *PYTHON_MAPPING_STEPS, "scorecard_history", "scorecard_changes"
        ),
        "charts": AssetSelection.assets(*[n for n in names if n.startswith("chart_")]),
        "notebooks": AssetSelection.assets(*[n for n in names if n.startswith("notebook_")]),
        "report": AssetSelection.assets("data_docs", "report"),
    }[stage]
    return chosen.without_checks()


def step_seconds(instance, run_id: str) -> dict[str, float]:
    """Seconds spent in each step of the run, by step (asset or check) name."""
    return {
        s.step_key: round((s.end_time or 0) - (s.start_time or 0), 3)
        for s in instance.get_run_step_stats(run_id)
    }


def validation_metadata(result) -> dict[str, dict]:
    """What each suite checked, by table: its rows, how many expectations ran on all of them,
    and how many rows the row-wise rest saw (a sample past the validation sample size)."""
    keys = ("rows", "full_row_expectations", "rows_validated", "sampled_expectations")
    return {
        e.asset_key.path[-1]: {k: e.metadata[k].value for k in keys if k in e.metadata}
        for e in result.get_asset_check_evaluations()
    }


def main(stage: str) -> None:
    from pipelines.definitions import defs

    names = [key.path[-1] for key in defs.resolve_all_asset_keys()]
    models = [m.name for m in discover_models(settings.SQL_DIR)]
    instance = DagsterInstance.ephemeral()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    # The stage's peak is that of its whole process tree: notebook kernels and any other child
    # run beside this process, so their memory adds to it.
    held = kept_open(settings.warehouse_path()) if stage in TABLE_STAGES else nullcontext()
    with TreePeak() as tree, held:
        result = materialize(
            [*defs.assets, *defs.asset_checks],
            selection=selection(stage, names, models),
            instance=instance,
            resources={"warehouse": Warehouse(database=str(settings.warehouse_path()))},
            raise_on_error=False,
        )
    wall = time.perf_counter() - started
    # A child's spike shorter than one sampling interval still shows in its own high-water mark.
    largest_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    failed = [e.asset_key.path[-1] for e in result.get_asset_check_evaluations() if not e.passed]
    print(json.dumps({"stage": stage, "success": result.success, "wall_s": round(wall, 2),
                      "peak_rss_mb": round(max(tree.peak_mb, largest_child), 1),
                      "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                      "failed_checks": failed, "steps": step_seconds(instance, result.run_id),
                      "validation": validation_metadata(result) if stage == "validation" else {}}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
