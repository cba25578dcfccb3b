"""Peak memory of a stage: this process and every process it starts, read from /proc (Linux)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def peak_rss_mb() -> float:
    """VmHWM: the high-water mark of resident memory of this process image (reset by exec,
    unlike getrusage's ru_maxrss, which a child inherits from the process that started it)."""
    return round(_status_kb(PROC / "self" / "status", "VmHWM") / 1024, 1)


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants now, summed. Pages two processes share
    (libraries, copy-on-write after fork) count once per process, so the sum errs high."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                # The command name in field 2 may hold spaces; ppid is the second field after it.
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the process ended between listing and reading
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    total_kb = 0
    for pid in tree:
        try:
            total_kb += _status_kb(PROC / str(pid) / "status", "VmRSS")
        except (OSError, RuntimeError):
            continue
    return round(total_kb / 1024, 1)


class TreePeak:
    """The highest summed resident memory of this process tree while the block runs, sampled
    every `interval` seconds on a background thread. `peak_mb` also takes this process's own
    high-water mark, which catches a spike of the parent shorter than one interval."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.sampled_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return max(self.sampled_mb, peak_rss_mb())

    def _sample(self) -> None:
        root = os.getpid()
        while True:
            self.sampled_mb = max(self.sampled_mb, tree_rss_mb(root))
            if self._stop.wait(self.interval):
                return


def _status_kb(path: Path, key: str) -> int:
    with path.open(encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in {path}")
