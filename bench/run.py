"""`make bench`: cost of every pipeline stage at growing data sizes, against floors in the same run.

For each size it generates synthetic inputs (bench/generate.py), runs each stage through Dagster
in its own process (bench/stage.py), measures the floors (bench/floor.py), and writes
bench/RESULTS.md and bench/results.json. Figures are ratios to floors measured in the same run,
because the machines are shared and noisy. BENCH_SIZES=small,medium picks sizes.
BENCH_STAGES=load,trade_load,sql runs only those stages (and their floors) and writes
bench/work/results-partial.json instead of the committed results; BENCH_TRADE_ROWS then sets
the trade rows of every size (the mapping reads events, so its figures need no 10^7 trade rows).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from bench.generate import copy_bundled_snapshots, write_comtrade, write_registers
from bench.stage import PYTHON_MAPPING_STEPS, STAGES
from pipelines.settings import PROJECT_ROOT
from pipelines.warehouse.sql_models import discover_models

SIZES = {
    "small": (1_000, 100_000),
    "medium": (100_000, 1_000_000),
    "large": (1_000_000, 10_000_000),
}
WORK = PROJECT_ROOT / "bench" / "work"
TRADE_STEPS = ("raw_comtrade", "stg_trade_rows", "minerals_trade")


def _python(args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    return json.loads(lines[-1])


def run_size(name: str, n_events: int, n_trade: int, stages_run: tuple[str, ...] = STAGES) -> dict:
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    write_registers(work / "registers", n_events)
    write_comtrade(work / "snapshots" / "comtrade", n_trade)
    copy_bundled_snapshots(work / "snapshots")
    generated_s = time.perf_counter() - started
    env = {**os.environ, "TRACKER_BUILD_DIR": str(work / "build"), "TRACKER_REGISTERS_DIR": str(work / "registers"),
           "TRACKER_SNAPSHOTS_DIR": str(work / "snapshots"), "TRACKER_LIVE": ""}  # fmt: skip
    stages = {}
    for stage in stages_run:
        if stage == "sql":  # the SQL floor starts from the same loaded warehouse
            shutil.copy(work / "build" / "warehouse.duckdb", work / "loaded.duckdb")
        print(f"[{name}] {stage} …", flush=True)
        stages[stage] = _python(["-m", "bench.stage", stage], env)
    built = work / "build" / "warehouse.duckdb"
    floors = {
        "sql": _python(["-m", "bench.floor", "sql", str(work), str(work / "loaded.duckdb")], env),
        "keywords": _python(["-m", "bench.floor", "keywords", str(work), str(built)], env),
        "read": _python(["-m", "bench.floor", "read", str(work)], env),
    }
    layers = {m.name: m.layer for m in discover_models(PROJECT_ROOT / "sql")}
    layers |= dict.fromkeys(PYTHON_MAPPING_STEPS, "mapping")
    sql_steps = stages["sql"]["steps"]
    by_layer = {layer: round(sum(s for step, s in sql_steps.items() if layers.get(step) == layer), 2)
                for layer in ("staging", "mapping", "marts")}  # fmt: skip
    trade_s = sum(
        stages[st]["steps"].get(step, 0) for st in ("trade_load", "sql") for step in TRADE_STEPS
    )
    shutil.rmtree(work / "snapshots", ignore_errors=True)  # gigabytes at the large size
    return {
        "size": name, "events": n_events, "trade_rows": n_trade, "generate_s": round(generated_s, 1),
        "stages": {k: {"wall_s": v["wall_s"], "peak_rss_mb": v["peak_rss_mb"], "success": v["success"],
                       "load_average": v.get("load_average"), "failed_checks": v["failed_checks"]}
                   for k, v in stages.items()},
        "checks": stages["validation"]["validation"] if "validation" in stages else {},
        "sql_layers_s": by_layer,
        "mapping": mapping_figures(sql_steps, layers, floors["keywords"]),
        "floors": floors,
        "sql_vs_floor": round(stages["sql"]["wall_s"] / max(floors["sql"]["wall_s"], 1e-9), 2),
        "trade_load_s": round(trade_s, 2),
        "trade_vs_bare_read": round(trade_s / max(floors["read"]["wall_s"], 1e-9), 2),
        "trade_rows_per_s": round(n_trade / max(trade_s, 1e-9)),
        "peak_rss_mb": max(v["peak_rss_mb"] for v in stages.values()),
    }  # fmt: skip


def mapping_figures(sql_steps: dict[str, float], layers: dict[str, str], floor: dict) -> dict:
    """The mapping layer's steps against the single-pass keyword floor of the same run.

    trade_by_mineral sits in the mapping layer but reads trade rows, not register text; the
    ratio is given for the whole layer and for the steps that map events.
    """
    steps = {step: s for step, s in sql_steps.items() if layers.get(step) == "mapping"}
    events = {step: s for step, s in steps.items() if step != "trade_by_mineral"}
    floor_s = max(floor["wall_s"], 1e-9)
    return {
        "layer_s": round(sum(steps.values()), 2),
        "event_mapping_s": round(sum(events.values()), 2),
        "steps": steps,
        "keyword_floor_s": floor["wall_s"],
        "layer_vs_floor": round(sum(steps.values()) / floor_s, 2),
        "event_mapping_vs_floor": round(sum(events.values()) / floor_s, 2),
    }


def warm_make_run() -> dict:
    """The bundled offline run, twice: the second is the warm figure the README quotes."""
    env = {**os.environ, "TRACKER_BUILD_DIR": str(WORK / "bundled")}
    (WORK / "bundled" / "dagster_home").mkdir(parents=True, exist_ok=True)
    env["DAGSTER_HOME"] = str(WORK / "bundled" / "dagster_home")
    walls = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipelines", "run", "--log-level", "ERROR"], cwd=PROJECT_ROOT,
                       env=env, check=True, capture_output=True)  # fmt: skip
        walls.append(round(time.perf_counter() - started, 1))
    return {"cold_s": walls[0], "warm_s": walls[1]}


def main() -> None:
    chosen = os.environ.get("BENCH_SIZES", ",".join(SIZES)).split(",")
    if os.environ.get("BENCH_STAGES"):
        stages = tuple(os.environ["BENCH_STAGES"].split(","))
        if not {"load", "trade_load", "sql"} <= set(stages):
            raise SystemExit(
                "BENCH_STAGES needs at least load, trade_load and sql (the floors read them)"
            )
        trade = {name: int(os.environ.get("BENCH_TRADE_ROWS", SIZES[name][1])) for name in chosen}
        partial = {
            "sizes": [run_size(name, SIZES[name][0], trade[name], stages) for name in chosen]
        }
        (WORK / "results-partial.json").write_text(json.dumps(partial, indent=2) + "\n")
        print("\n".join(render_mapping(partial)))
        return
    results = {
        "sizes": [run_size(name, *SIZES[name]) for name in chosen],
        "make_run": warm_make_run(),
    }
    (PROJECT_ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (PROJECT_ROOT / "bench" / "RESULTS.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); ratios compare with floors measured in the same run.",
        "",
        "## Stages through Dagster: wall seconds / peak RSS MB",
        "",
    ]
    header = "| size | events | trade rows | " + " | ".join(STAGES) + " |"
    lines += [header, "|---" * (3 + len(STAGES)) + "|"]
    for s in results["sizes"]:
        cells = [
            f"{s['stages'][st]['wall_s']} / {s['stages'][st]['peak_rss_mb']:.0f}" for st in STAGES
        ]
        lines.append(
            f"| {s['size']} | {s['events']:,} | {s['trade_rows']:,} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "## Against the floors",
        "",
        "| size | SQL models via Dagster (s) | same SQL in bare DuckDB (s) | ratio "
        "| staging / mapping / marts (s) | trade load into minerals_trade (s) "
        "| bare read of the files (s) | ratio | rows/s | peak RSS (MB) |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for s in results["sizes"]:
        layers = " / ".join(str(s["sql_layers_s"][k]) for k in ("staging", "mapping", "marts"))
        sql, floors = s["stages"]["sql"]["wall_s"], s["floors"]
        lines.append(f"| {s['size']} | {sql} | {floors['sql']['wall_s']} | {s['sql_vs_floor']} "
                     f"| {layers} | {s['trade_load_s']} | {floors['read']['wall_s']} | {s['trade_vs_bare_read']} "
                     f"| {s['trade_rows_per_s']:,} | {s['peak_rss_mb']:.0f} |")  # fmt: skip
    sizes = results["sizes"]
    if len(sizes) > 1:
        lines += ["", "## Growth", ""]
        for a, b in zip(sizes, sizes[1:], strict=False):
            trade = b["trade_rows"] / a["trade_rows"]
            events = b["events"] / a["events"]
            lines.append(
                f"- {a['size']} → {b['size']} ({trade:.0f}x the trade rows, {events:.0f}x the events): "
                f"trade load x{b['trade_load_s'] / max(a['trade_load_s'], 1e-9):.1f}, SQL models x"
                f"{b['stages']['sql']['wall_s'] / max(a['stages']['sql']['wall_s'], 1e-9):.1f}"
            )
    lines += ["", *render_mapping(results), "", *render_checks(results)]
    run = results["make_run"]
    lines += [
        "",
        "## make run on the bundled data",
        "",
        f"Cold {run['cold_s']} s, warm {run['warm_s']} s (wall, dependencies installed).",
        "",
    ]
    return "\n".join(lines)


def render_checks(results: dict) -> list[str]:
    """What the validation stage checked at each size: the expectations DuckDB ran on every row,
    and the rows the row-wise rest saw, for the largest tables."""
    lines = [
        "## What validation covered",
        "",
        "Uniqueness, compound keys, not-null, row counts and references between tables run in",
        "DuckDB on every row of every suite's table; the row-wise rest (value sets, ranges,",
        "patterns) on every row up to the validation sample size, a repeatable sample beyond it.",
        "Load average: the machine's 1-minute figure at each stage's start and end.",
        "",
        "| size | suites | expectations on every row | rows of their tables (all checked) | suites sampled "
        "| largest tables: rows / row-wise rows seen | load average per stage |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for s in results["sizes"]:
        checks = s.get("checks", {})
        full = sum(c.get("full_row_expectations", 0) for c in checks.values())
        covered = sum(c.get("rows", 0) for c in checks.values() if c.get("full_row_expectations"))
        sampled = [t for t, c in checks.items() if c.get("sampled_expectations")]
        largest = sorted(checks.items(), key=lambda item: -item[1].get("rows", 0))[:3]
        tables = "; ".join(f"{t} {c.get('rows', 0):,} / {c.get('rows_validated', 0):,}"
                           for t, c in largest)  # fmt: skip
        loads = ", ".join(f"{st} {'-'.join(str(x) for x in v['load_average'])}"
                          for st, v in s["stages"].items() if v.get("load_average"))  # fmt: skip
        lines.append(f"| {s['size']} | {len(checks)} | {full} | {covered:,} "
                     f"| {len(sampled)} | {tables} | {loads} |")  # fmt: skip
    return lines


def render_mapping(results: dict) -> list[str]:
    lines = [
        "## Mapping against the single-pass floor",
        "",
        "The floor reads every register row's text once from the warehouse and finds every keyword",
        "of every rule in it (bench/floor.py `keywords`); the mapping steps ran through Dagster in",
        "the same run. Event mapping is the mapping layer without trade_by_mineral (trade rows).",
        "",
        "| size | events | mapping layer (s) | event mapping (s) | rule_keyword_hits (s) "
        "| evidence_rule_matches (s) | keyword floor (s) | event mapping / floor | layer / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results["sizes"]:
        m = s["mapping"]
        lines.append(f"| {s['size']} | {s['events']:,} | {m['layer_s']} | {m['event_mapping_s']} "
                     f"| {m['steps'].get('rule_keyword_hits', '')} | {m['steps'].get('evidence_rule_matches', '')} "
                     f"| {m['keyword_floor_s']} | {m['event_mapping_vs_floor']} | {m['layer_vs_floor']} |")  # fmt: skip
    return lines


if __name__ == "__main__":
    main()
