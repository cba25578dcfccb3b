"""A stage's peak memory counts the processes it starts (notebook kernels), not only its own."""

import os
import subprocess
import sys
import time

from bench.memory import TreePeak, peak_rss_mb, tree_rss_mb

# A child that holds 200 MB resident (bytes written, so the pages are real) until stdin closes.
HOLDER = "import sys; block = bytearray(200 * 2**20); block[::4096] = b'x' * len(block[::4096]); print('ready', flush=True); sys.stdin.read()"  # noqa: E501


def _holder() -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def test_the_tree_sum_includes_a_child_holding_memory():
    alone = tree_rss_mb(os.getpid())
    child = _holder()
    try:
        with_child = tree_rss_mb(os.getpid())
    finally:
        child.communicate("")
    assert with_child - alone >= 190
    assert tree_rss_mb(os.getpid()) < with_child - 150  # the child's memory leaves with it


def test_the_peak_keeps_a_child_that_has_ended():
    # Against the tree's memory now, not this process's high-water mark (peak_rss_mb): a test
    # worker's mark may stand far above what it holds, after earlier tests.
    before = tree_rss_mb(os.getpid())
    with TreePeak(interval=0.02) as tree:
        child = _holder()
        time.sleep(0.2)  # several samples while the child holds its block
        child.communicate("")
    assert tree.sampled_mb >= before + 150
    assert tree.peak_mb >= max(tree.sampled_mb, peak_rss_mb())
