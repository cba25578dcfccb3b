"""Run one stage of the pipeline through Dagster, in this process, and print its cost as JSON.

Used by bench/run.py, one subprocess per stage, so that each stage's peak memory is its own.
"""

import json
import resource
import sys
import time

from dagster import AssetSelection, DagsterInstance, materialize

from bench.memory import peak_rss_mb
from pipelines import settings
from pipelines.resources import Warehouse
from pipelines.sql_models import discover_models

STAGES = ("load", "trade_load", "sql", "validation", "charts", "notebooks", "report")
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


def main(stage: str) -> None:
    from pipelines.definitions import defs

    names = [key.path[-1] for key in defs.resolve_all_asset_keys()]
    models = [m.name for m in discover_models(settings.SQL_DIR)]
    instance = DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = materialize(
        [*defs.assets, *defs.asset_checks],
        selection=selection(stage, names, models),
        instance=instance,
        resources={"warehouse": Warehouse(database=str(settings.warehouse_path()))},
        raise_on_error=False,
    )
    wall = time.perf_counter() - started
    own = peak_rss_mb()
    kernels = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    failed = [e.asset_key.path[-1] for e in result.get_asset_check_evaluations() if not e.passed]
    print(json.dumps({"stage": stage, "success": result.success, "wall_s": round(wall, 2),
                      "peak_rss_mb": round(max(own, kernels), 1), "failed_checks": failed,
                      "steps": step_seconds(instance, result.run_id)}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
