"""`make bench-mapping`: event mapping at 10^6 events through Dagster against the keyword floor.

In one run, in rounds (three by default; the machine is shared, so one stage's wall moves with
what else runs): the event-mapping assets materialized through Dagster on a fresh copy of a
warehouse loaded with the 10^6 generated events, as `make run` runs table steps (the warehouse
held open for the run, its closing checkpoint timed and counted), between two measures of the
keyword floor (bench/floor.py `keywords`). Each runs in its own process; wall seconds, CPU
seconds (user + system, less sensitive than wall to other work on a shared machine) and the load
average at its start are recorded in bench/work/mapping.json and in bench/RESULTS.md's mapping
section, with each round's ratio to the mean of its two floors and the median over the rounds.

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
import statistics
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
    figures are written into bench/RESULTS.md. BENCH_MAPPING_ROUNDS (default 3) sets how many
    times the stage runs, each on a fresh copy of the warehouse and between two floors."""
    events = int(os.environ.get("BENCH_MAPPING_EVENTS") or SIZES["large"][0])
    rounds = max(1, int(os.environ.get("BENCH_MAPPING_ROUNDS") or 3))
    source = _source(events)
    loaded = source / "build" / "warehouse.duckdb"
    if not loaded.exists():
        prepare(events, source)
    build = WORK / "mapping"
    database = build / "warehouse.duckdb"
    env = _env(build, source)
    floor_args = ["-m", "bench.floor", "keywords", str(build), str(database)]
    measured = []
    for _ in range(rounds):
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        shutil.copy(loaded, database)
        # the floor only reads the rows the stage does not write: the one after a stage is the
        # one before the next
        before = measured[-1]["floor_after"] if measured else _measured(floor_args, env)
        stage = _measured(["-m", "bench.mapping", "stage"], env)
        if not stage["success"]:
            raise SystemExit(f"the mapping stage failed: {stage}")
        after = _measured(floor_args, env)
        measured.append({"floor_before": before, "mapping": stage, "floor_after": after})
    figures = {"events_rows": measured[0]["floor_before"]["rows"], "rounds": measured}
    (WORK / "mapping.json").write_text(json.dumps(figures, indent=2) + "\n")
    section = render(figures)
    if events == SIZES["large"][0]:
        text = RESULTS.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(HEADING) + r".*?(?=^## )", re.S | re.M)
        found = pattern.search(text)
        text = pattern.sub(lambda _: section, text) if found else text + "\n" + section
        RESULTS.write_text(text, encoding="utf-8")
    print(section)


def _total(stage: dict) -> float:
    """The event mapping's seconds: its steps and the closing checkpoint."""
    return round(sum(v for k, v in stage["steps"].items() if k in STEPS) + stage["close_s"], 2)


def _row(label: str, cells) -> str:
    return f"| {label} | " + " | ".join(str(c) for c in cells) + " |"


def _ratios(rounds: list[dict], of, unit: str) -> list[float]:
    """Each round's `of(stage)` over the mean of its two floors' `unit` seconds."""
    return [
        of(r["mapping"]) / statistics.mean((r["floor_before"][unit], r["floor_after"][unit]))
        for r in rounds
    ]


def render(f: dict) -> str:
    rounds = f["rounds"]
    stages = [r["mapping"] for r in rounds]
    floors = {u: [f"{r['floor_before'][u]} / {r['floor_after'][u]}" for r in rounds]
              for u in ("wall_s", "cpu_s")}  # fmt: skip
    wall = _ratios(rounds, _total, "wall_s")
    cpu = _ratios(rounds, lambda s: s["cpu_s"], "cpu_s")
    names = " | ".join(f"round {i + 1}" for i in range(len(rounds)))
    rule = "|---|" + "---:|" * len(rounds)
    lines = [
        HEADING,
        "",
        f"Written by `make bench-mapping` (bench/mapping.py) on {time.strftime('%Y-%m-%d')}, on the "
        f"{f['events_rows']:,} register rows of the large generated size, in {len(rounds)} rounds:",
        "each the event-mapping assets through Dagster on a fresh copy of the loaded warehouse,",
        "between two measures of the keyword floor (bench/floor.py `keywords`: every row's text read",
        "once, as the mapping reads it, and every keyword of every rule found in it; the floor after",
        "a round is the floor before the next). The steps run as `make run` runs table steps: the",
        "warehouse held open from the first to the last, then closed, which writes its checkpoint;",
        "the close is counted in the total. CPU seconds are user + system of the process.",
        "",
        f"| step (through Dagster), seconds | {names} |",
        rule,
        *[_row(name, [s["steps"].get(name, "") for s in stages]) for name in STEPS],
        _row("closing the warehouse (its checkpoint)", [s["close_s"] for s in stages]),
        _row("**event mapping, total**", [f"**{_total(s)}**" for s in stages]),
        "",
        f"| | {names} |",
        rule,
        _row("keyword floor before / after, wall s", floors["wall_s"]),
        _row("keyword floor before / after, CPU s", floors["cpu_s"]),
        _row(
            "mapping stage (Dagster run, all steps), wall / CPU s",
            [f"{s['wall_s']} / {s['cpu_s']}" for s in stages],
        ),  # fmt: skip
        _row("load average at the stage's start", [s["load_at_start"] for s in stages]),
        _row("event mapping / mean of its two floors, wall", [f"{x:.2f}" for x in wall]),
        _row("mapping CPU / mean of its two floors' CPU", [f"{x:.2f}" for x in cpu]),
        "",
        f"Event mapping / floor, median of the rounds: **{statistics.median(wall):.2f}** "
        f"(wall; {min(wall):.2f} to {max(wall):.2f}), {statistics.median(cpu):.2f} (CPU). "
        "Bar: at most 20 s and 3x the floor.",
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
