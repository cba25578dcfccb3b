"""`make dev`: the Dagster UI and daemon, the report beside them, and a stop within seconds.

`dagster dev` alone takes 20-80 s to stop on a loaded machine and can leave its code server
behind, so it runs here in a process group of its own: Ctrl-C or SIGTERM is passed on to that
whole group, which gets a few seconds to shut down before what is left of it is killed.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from rich.console import Console

from pipelines import settings

GRACE_S = 5.0
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # one line per chart the UI loads would bury the daemon's log


def serve_report(host: str) -> ThreadingHTTPServer | None:
    """Serve build/report where `settings.report_url()` says, when that is this machine."""
    where = urlsplit(settings.report_url())
    if where.hostname not in _LOCAL_HOSTS or where.port is None:
        return None
    handler = functools.partial(_QuietHandler, directory=str(settings.report_dir()))
    server = ThreadingHTTPServer((host, where.port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_dev(host: str, port: int, console: Console) -> int:
    """Run `dagster dev` until it exits or this process is asked to stop; its exit status."""
    dagster = shutil.which("dagster", path=os.path.dirname(sys.executable)) or "dagster"
    stop = threading.Event()

    def _stop(signum, frame) -> None:
        stop.set()

    # Set explicitly: a shell that starts a job in the background makes it ignore SIGINT.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    try:
        report = serve_report(host)
    except OSError as error:
        console.print(
            f"[yellow]warning:[/yellow] chart previews will not load: cannot serve the report at "
            f"{settings.report_url()} ({error.strerror}); set TRACKER_REPORT_URL to a free port",
            soft_wrap=True,
        )
        report = None
    if report:
        console.print(f"report and chart previews: {settings.report_url()}/", highlight=False)
    ui = subprocess.Popen(
        [dagster, "dev", "-m", "pipelines.definitions", "-h", host, "-p", str(port)],
        start_new_session=True,
    )
    while ui.poll() is None and not stop.wait(0.5):
        pass
    if ui.poll() is None:
        console.print("stopping the Dagster UI and daemon …")
        _signal_group(ui.pid, signal.SIGINT)
        deadline = time.monotonic() + GRACE_S
        while ui.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    # Whatever outlived `dagster dev` in its group (its code server) goes too.
    _signal_group(ui.pid, signal.SIGKILL)
    ui.wait()
    if report:
        report.shutdown()
    return 0 if stop.is_set() else ui.returncode


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass  # the group is already gone
