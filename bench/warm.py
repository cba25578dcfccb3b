"""Warm `python -m pipelines run` on the bundled data: nothing changed, one register row changed, forced.

Usage: `python -m bench.warm [repeats]`. Builds once into bench/work/warm (cold), then times each
case `repeats` times under /usr/bin/time: wall seconds, CPU seconds (user + sys, the process and
its notebook kernels: less sensitive than wall to what else the machine runs) and peak RSS, with
the load average at the start of each, and writes the section "Warm make run" of bench/RESULTS.md
(other sections kept).
The edited row alternates between two names, so that every repeat is a real change.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipelines.settings import PROJECT_ROOT, registers_dir

WORK = PROJECT_ROOT / "bench" / "work" / "warm"
EVENT = "PC-2016-MATSUYUKI-VISAKHAPATNAM"
SECTION = "## Warm make run"


def _timed(args: list[str], env: dict[str, str]) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times:
        load = os.getloadavg()[0]
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M %U %S", "-o", times.name, sys.executable, "-m", "pipelines",
             "run", "--log-level", "ERROR", *args],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"run failed:\n{result.stderr[-3000:]}")
        wall, rss_kb, user, system = times.read().split()[-4:]
    summary = next((line for line in result.stderr.splitlines() if "up to date," in line), "")
    return {"wall_s": float(wall), "cpu_s": float(user) + float(system),
            "rss_mb": int(rss_kb) // 1024, "load": load, "summary": summary}  # fmt: skip


def _edit(registers: Path, variant: int) -> None:
    path = registers / "port_calls.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith(EVENT + ","))
    name = lines[row].split(",")[1]
    base = re.sub(r" \(variant \d\)$", "", name)
    lines[row] = lines[row].replace(name, f"{base} (variant {variant})", 1)
    path.write_text("".join(lines), encoding="utf-8")


def measure(repeats: int) -> dict[str, list[dict]]:
    shutil.rmtree(WORK, ignore_errors=True)
    registers = WORK / "registers"
    shutil.copytree(registers_dir(), registers)
    env = {**os.environ, "TRACKER_BUILD_DIR": str(WORK / "build"),
           "TRACKER_REGISTERS_DIR": str(registers), "DAGSTER_HOME": str(WORK / "build" / "dagster_home")}  # fmt: skip
    Path(env["DAGSTER_HOME"]).mkdir(parents=True)
    cases: dict[str, list[dict]] = {"cold": [_timed([], env)], "nothing changed": [],
                                    "one register row changed": [], "forced": []}  # fmt: skip
    for repeat in range(repeats):
        cases["nothing changed"].append(_timed([], env))
        _edit(registers, repeat % 2)
        cases["one register row changed"].append(_timed([], env))
    cases["forced"].append(_timed(["--force"], env))  # once: the cold run's work again
    return cases


def render(cases: dict[str, list[dict]]) -> str:
    lines = [
        SECTION, "",
        "`python -m bench.warm`: `python -m pipelines run` on the bundled data in its own build "
        "folder, under `/usr/bin/time` (wall includes start-up, preflight and the Dagster import). "
        "Load is the 1-minute load average when each run started (2 cores).", "",
        "| case | wall s (each run) | CPU s user+sys | peak RSS MB | load | steps |",
        "|---|---|---|---|---|---|",
    ]  # fmt: skip
    for case, runs in cases.items():
        walls = ", ".join(f"{r['wall_s']:.1f}" for r in runs)
        cpu = ", ".join(f"{r['cpu_s']:.1f}" for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        load = ", ".join(f"{r['load']:.1f}" for r in runs)
        summary = runs[-1]["summary"].strip()
        lines.append(f"| {case} | {walls} | {cpu} | {rss} | {load} | {summary} |")
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = PROJECT_ROOT / "bench" / "RESULTS.md") -> None:
    """Replace this section's table in RESULTS.md, or add it at the end; other sections are kept,
    and so are the dated notes (### headings) under this one."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^### |^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_section(render(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3)))
