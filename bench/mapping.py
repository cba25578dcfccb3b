"""`make bench-mapping`: event mapping at 10^6 events through Dagster against the keyword floor.

In one run, on one copy of a warehouse loaded with the 10^6 generated events: the keyword floor
(bench/floor.py `keywords`), the event-mapping assets materialized through Dagster as `make run`
runs table steps (the warehouse held open for the run, its closing checkpoint timed and counted),
then the floor again. Each runs in its own process; wall seconds, CPU
seconds (user + system, less sensitive than wall to other work on a shared machine) and the load
average at its start are recorded in bench/work/mapping.json and in bench/RESULTS.md's mapping
section.

The warehouse is the one a large partial `make bench` leaves (bench/work/large/build); when it
is missing it is built first: registers generated, then what the mapping reads loaded and
staged through Dagster (several minutes at this size, once).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import write_registers
from bench.run import SIZES
from pipelines.settings import PROJECT_ROOT

STEPS = (
    "rule_keyword_hits", "evidence_rule_matches", "evidence_links", "evidence",
    "evidence_rejected", "mapping_evaluation",
)  # fmt: skip
WORK = PROJECT_ROOT / "bench" / "work"
RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
HEADING = "## Mapping against the single-pass floor (10^6 events)"


def _source(events: int) -> Path:
    """The folder of the generated registers and loaded warehouse: the large size's of `make bench`."""
    return WORK / "large" if events == SIZES["large"][0] else WORK / f"mapping-source-{events}"


def _env(build: Path, source: Path) -> dict[str, str]:
    return {**os.environ, "TRACKER_BUILD_DIR": str(build), "TRACKER_REGISTERS_DIR": str(source / "registers"),
            "TRACKER_SNAPSHOTS_DIR": str(source / "snapshots"), "TRACKER_LIVE": ""}  # fmt: skip


def _measured(args: list[str], env: dict[str, str]) -> dict:
    """Run `python args` in its own process: its JSON line, with wall, CPU and load at start."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {**json.loads(lines[-1]), "process_wall_s": round(wall, 2),
            "process_cpu_s": round(cpu, 2), "load_at_start": round(load, 2)}  # fmt: skip


def prepare(events: int, source: Path) -> None:
    """The loaded warehouse: registers generated, then every asset upstream of the mapping (the
    registers' load and staging; no trade) through Dagster."""
    write_registers(source / "registers", events)
    _measured(["-m", "bench.mapping", "upstream"], _env(source / "build", source))


def materialize_steps(upstream: bool) -> dict:
    """Materialize the mapping steps (or, with `upstream`, what they read) through Dagster."""
    from dagster import AssetSelection, DagsterInstance, materialize

    from bench.stage import step_seconds
    from pipelines import settings
    from pipelines.definitions import defs
    from pipelines.warehouse.resources import Warehouse, kept_open

    chosen = AssetSelection.assets(*STEPS)
    if upstream:
        chosen = chosen.upstream() - chosen - AssetSelection.assets("raw_comtrade")
    instance = DagsterInstance.ephemeral()
    database = settings.warehouse_path()
    cpu = time.process_time()
    started = time.perf_counter()
    # As `make run` runs table steps: the warehouse held open from the first to the last, and
    # closed (its checkpoint written) after them; the close is timed and counted with the steps.
    with kept_open(database):
        result = materialize(
            [*defs.assets, *defs.asset_checks],
            selection=chosen.without_checks(),
            instance=instance,
            resources={"warehouse": Warehouse(database=str(database))},
            raise_on_error=False,
        )
        closing = time.perf_counter()
    return {"success": result.success, "wall_s": round(time.perf_counter() - started, 2),
            "cpu_s": round(time.process_time() - cpu, 2),
            "close_s": round(time.perf_counter() - closing, 3),
            "steps": step_seconds(instance, result.run_id)}  # fmt: skip


def main() -> None:
    """BENCH_MAPPING_EVENTS (default 10^6) picks another size for a quick look; only the 10^6
    figures are written into bench/RESULTS.md."""
    events = int(os.environ.get("BENCH_MAPPING_EVENTS") or SIZES["large"][0])
    source = _source(events)
    loaded = source / "build" / "warehouse.duckdb"
    if not loaded.exists():
        prepare(events, source)
    build = WORK / "mapping"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    database = build / "warehouse.duckdb"
    shutil.copy(loaded, database)
    env = _env(build, source)
    floor_args = ["-m", "bench.floor", "keywords", str(build), str(database)]
    before = _measured(floor_args, env)
    stage = _measured(["-m", "bench.mapping", "stage"], env)
    after = _measured(floor_args, env)
    if not stage["success"]:
        raise SystemExit(f"the mapping stage failed: {stage}")
    figures = {"events_rows": before["rows"], "floor_before": before, "mapping": stage,
               "floor_after": after}  # fmt: skip
    (WORK / "mapping.json").write_text(json.dumps(figures, indent=2) + "\n")
    section = render(figures)
    if events == SIZES["large"][0]:
        text = RESULTS.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(HEADING) + r".*?(?=^## )", re.S | re.M)
        found = pattern.search(text)
        text = pattern.sub(lambda _: section, text) if found else text + "\n" + section
        RESULTS.write_text(text, encoding="utf-8")
    print(section)


def render(f: dict) -> str:
    stage, before, after = f["mapping"], f["floor_before"], f["floor_after"]
    steps = {k: v for k, v in stage["steps"].items() if k in STEPS}
    total = round(sum(steps.values()) + stage["close_s"], 2)
    floor_lo, floor_hi = sorted((before["wall_s"], after["wall_s"]))
    cpu_lo, cpu_hi = sorted((before["cpu_s"], after["cpu_s"]))
    lines = [
        HEADING,
        "",
        f"Written by `make bench-mapping` (bench/mapping.py) on {time.strftime('%Y-%m-%d')}, on the "
        f"{f['events_rows']:,} register rows of the large generated size: the keyword floor",
        "(bench/floor.py `keywords`: every row's text read once, as the mapping reads it, and every",
        "keyword of every rule found in it), then the event-mapping assets through Dagster, then the",
        "floor again, in one run on one warehouse. The steps run as `make run` runs table steps:",
        "the warehouse held open from the first to the last, then closed, which writes its",
        "checkpoint; the close is counted in the total. CPU seconds are user + system of the process.",
        "",
        "| step (through Dagster) | seconds |",
        "|---|---:|",
        *[f"| {name} | {steps.get(name, '')} |" for name in STEPS],
        f"| closing the warehouse (its checkpoint) | {stage['close_s']} |",
        f"| **event mapping, total** | **{total}** |",
        "",
        "| | wall s | CPU s | load average at start |",
        "|---|---:|---:|---:|",
        f"| keyword floor, before | {before['wall_s']} | {before['cpu_s']} | {before['load_at_start']} |",
        f"| mapping stage (Dagster run, all steps) | {stage['wall_s']} | {stage['cpu_s']} "
        f"| {stage['load_at_start']} |",
        f"| keyword floor, after | {after['wall_s']} | {after['cpu_s']} | {after['load_at_start']} |",
        "",
        f"Event mapping / floor: {total / max(floor_hi, 1e-9):.2f} to {total / max(floor_lo, 1e-9):.2f} "
        f"(wall); mapping CPU / floor CPU: {stage['cpu_s'] / max(cpu_hi, 1e-9):.2f} to "
        f"{stage['cpu_s'] / max(cpu_lo, 1e-9):.2f}. Bar: at most 20 s and 3x the floor.",
        "",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["stage"]:
        print(json.dumps(materialize_steps(upstream=False)))
    elif sys.argv[1:] == ["upstream"]:
        print(json.dumps(materialize_steps(upstream=True)))
    else:
        main()
