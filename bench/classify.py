"""`make bench-classify`: 1,000 press items through `python -m pipelines classify`, against a floor.

The items are the labelled set's texts repeated to 1,000 lines of `{"id", "text"}`. The floor is
measured in the same run on the same file: read every line, parse it and split its text into
words, which any classifier must do. The command is timed end to end in its own process (start,
imports, fitting the model on the train split, classifying, printing), and in-process its two
parts apart. Machines here are shared, so the ratio to the floor is the figure to compare between
runs, and the budget of 10 seconds is checked against the command's CPU time (user and system,
which other processes on the machine do not inflate), with its wall time and the load average
beside it. Results go to bench/CLASSIFY.md.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.labelled import item_text, read_labelled
from pipelines.settings import PROJECT_ROOT

ITEMS = 1_000
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
    cpu, start = _children_cpu(), time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "classify", str(path)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    return wall, _children_cpu() - cpu, len(result.stdout.splitlines())


def in_process(path: Path) -> tuple[float, float]:
    """Seconds to fit the classifier, and to classify the batch once fitted."""
    from pipelines.classifier import load_classifier

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
        load = os.getloadavg()[0]
        wall, cpu, lines = command(path)
        fit, batch = in_process(path)
    assert lines == ITEMS, f"{lines} lines of output for {ITEMS} items"
    verdict = "within" if cpu < BUDGET_SECONDS else "OVER"
    rows = [
        ("floor: read, parse, tokenise", base, 1.0),
        ("`python -m pipelines classify`, CPU time (own process, end to end)", cpu, cpu / base),
        ("`python -m pipelines classify`, wall time", wall, wall / base),
        ("in-process: fit on train, calibrate on dev", fit, fit / base),
        ("in-process: classify the batch", batch, batch / base),
    ]
    text = "\n".join(
        [
            "# Press classifier benchmark (`make bench-classify`)",
            "",
            f"{ITEMS:,} items (the labelled texts repeated), {time.strftime('%Y-%m-%d')}, "
            f"load average {load:.1f} on {os.cpu_count()} CPUs. Budget {BUDGET_SECONDS:.0f} s "
            f"of CPU for the command: **{verdict}** ({cpu:.2f} s CPU, {wall:.2f} s wall).",
            "",
            "| step | seconds | ratio to floor |",
            "|---|---:|---:|",
            *(f"| {name} | {seconds:.3f} | {ratio:,.0f} |" for name, seconds, ratio in rows),
            "",
        ]
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0 if cpu < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
