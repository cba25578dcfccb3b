"""`make bench-classify`: 1,000 press items through `python -m pipelines classify`, against a floor.

The items are the labelled set's texts repeated to 1,000 lines of `{"id", "text"}`. The floor is
measured in the same run on the same file: read every line, parse it and split its text into
words, which any classifier must do. The command is timed end to end in its own process (start,
imports, loading the stored model and calibrating it on the dev split, classifying, printing),
several times, and in-process its two parts apart. Machines here are shared, so each run's load
average is recorded beside its wall and CPU time (user and system, which other processes do not
inflate); the budget of 10 seconds of wall time is checked against the median run, and the ratio
to the floor is the figure to compare between runs. Results go to bench/CLASSIFY.md.
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.press.labelled import item_text, read_labelled
from pipelines.settings import PROJECT_ROOT

ITEMS = 1_000
RUNS = 5
BUDGET_SECONDS = 10.0
RESULTS = PROJECT_ROOT / "bench" / "CLASSIFY.md"
WORD = re.compile(r"\w+")


def write_items(path: Path, count: int = ITEMS) -> None:
    texts = [item_text(item) for item in read_labelled()]
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps({"id": f"b{n:04d}", "text": texts[n % len(texts)]}) + "\n")


def floor(path: Path) -> float:
    """Seconds to read, parse and tokenise every item: what any classifier pays at least."""
    start = time.perf_counter()
    with path.open(encoding="utf-8") as handle:
        words = sum(len(WORD.findall(json.loads(line)["text"].lower())) for line in handle)
    assert words > 0
    return time.perf_counter() - start


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command(path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of the classify command, and how many lines it printed."""
    return _timed([sys.executable, "-m", "pipelines", "classify", str(path)])


def start_up() -> tuple[float, float]:
    """Wall and CPU seconds of starting Python and importing numpy, which any numpy model pays:
    on a loaded machine this alone can take seconds."""
    wall, cpu, _ = _timed([sys.executable, "-c", "import numpy"])
    return wall, cpu


def _timed(args: list[str]) -> tuple[float, float, int]:
    cpu, start = _children_cpu(), time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    wall = time.perf_counter() - start
    return wall, _children_cpu() - cpu, len(result.stdout.splitlines())


def in_process(path: Path) -> tuple[float, float]:
    """Seconds to load the classifier (stored model, calibration), and to classify the batch."""
    from pipelines.press.classifier import load_classifier

    start = time.perf_counter()
    classifier = load_classifier()
    fitted = time.perf_counter()
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    classifier.classify_many(texts)
    return fitted - start, time.perf_counter() - fitted


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.jsonl"
        write_items(path)
        base = min(floor(path) for _ in range(3))
        runs = []
        for _ in range(RUNS):
            load = os.getloadavg()[0]
            bare_wall, _ = start_up()
            wall, cpu, lines = command(path)
            assert lines == ITEMS, f"{lines} lines of output for {ITEMS} items"
            runs.append((wall, cpu, load, bare_wall))
        fit, batch = in_process(path)
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    quiet = min(runs, key=lambda r: r[2])  # the run that started at the lowest load
    verdict = "within" if wall < BUDGET_SECONDS else "OVER"
    rows = [
        ("floor: read, parse, tokenise", base, 1.0),
        ("`python -m pipelines classify`, wall time (median)", wall, wall / base),
        ("`python -m pipelines classify`, CPU time (median)", cpu, cpu / base),
        (f"`python -m pipelines classify`, wall time at the quietest start (load {quiet[2]:.1f})",
         quiet[0], quiet[0] / base),
        ("in-process: load the stored model, calibrate on dev", fit, fit / base),
        ("in-process: classify the batch", batch, batch / base),
    ]  # fmt: skip
    text = "\n".join(
        [
            "# Press classifier benchmark (`make bench-classify`)",
            "",
            f"{ITEMS:,} items (the labelled texts repeated), {time.strftime('%Y-%m-%d %H:%M')}, "
            f"{os.cpu_count()} CPUs shared. Budget {BUDGET_SECONDS:.0f} s of wall time for the "
            f"command: **{verdict}** (median of {RUNS} runs: {wall:.2f} s wall, {cpu:.2f} s CPU).",
            "",
            "| step | seconds | ratio to floor |",
            "|---|---:|---:|",
            *(f"| {name} | {seconds:.3f} | {ratio:,.0f} |" for name, seconds, ratio in rows),
            "",
            "| run | load average at start | wall s | CPU s | `python -c 'import numpy'` just before, wall s |",
            "|---:|---:|---:|---:|---:|",
            *(
                f"| {n} | {load:.1f} | {w:.2f} | {c:.2f} | {bare:.2f} |"
                for n, (w, c, load, bare) in enumerate(runs, 1)
            ),
            "",
        ]
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0 if wall < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
