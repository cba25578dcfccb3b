"""Execute the reviewer notebooks (jupytext percent scripts) and render them to offline HTML.

A notebook names what it reads in two header comments, `# reads: table, ...` and
`# charts: indicator, ...`; its asset depends on exactly those. HTML is rendered with nbconvert's
basic template (no CDN scripts) inside a small page of our own, without the code cells.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^# (reads|charts):\s*(.+)$", re.MULTILINE)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
@font-face {{ font-family: "Tracker Devanagari"; src: url("../fonts/NotoSansDevanagari-subset.woff2") format("woff2");
  unicode-range: U+0900-097F, U+A8E0-A8FF, U+200C-200D, U+25CC; }}
@font-face {{ font-family: "Tracker Japanese"; src: url("../fonts/NotoSansJP-subset.woff2") format("woff2");
  unicode-range: U+3000-30FF, U+4E00-9FFF, U+FF01-FF60; }}
body {{ font-family: "DejaVu Sans", Helvetica, Arial, "Tracker Devanagari", "Tracker Japanese",
       "Noto Sans Devanagari", "Nirmala UI", Mangal, "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo,
       sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1.5em; }}
th, td {{ border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
.jp-OutputPrompt, .jp-InputPrompt {{ display: none; }}
svg, img {{ max-width: 100%; height: auto; }}
figure.chart {{ margin: 1em 0 2em; }}
figure.chart figcaption {{ color: #444; font-size: 0.9em; }}
.jp-OutputArea-output {{ overflow-x: auto; }}
nav a {{ margin-right: 1em; }}
</style></head>
<body><nav aria-label="Report"><a href="../index.html">Report</a><a href="index.html">Notebooks</a></nav>
<main>
{body}
</main>
</body></html>
"""


class NotebookCellError(RuntimeError):
    """A cell raised: the message names the notebook, the cell and the error."""


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    path: Path
    reads: tuple[str, ...]
    charts: tuple[str, ...]

    @property
    def title(self) -> str:
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# # "):
                return line[4:].strip()
        return self.name


def discover_notebooks(folder: Path) -> list[NotebookSpec]:
    specs = []
    for path in sorted(folder.glob("*.py")):
        header = {key: tuple(v.strip() for v in value.split(",") if v.strip())
                  for key, value in _HEADER.findall(path.read_text(encoding="utf-8"))}  # fmt: skip
        specs.append(
            NotebookSpec(path.stem, path, header.get("reads", ()), header.get("charts", ()))
        )
    return specs


def execute_notebooks(
    specs: list[NotebookSpec],
    out_dir: Path,
    env: dict[str, str],
    concurrency: int = 3,
    timeout_s: int = 600,
) -> dict[str, tuple[Path, Path] | NotebookCellError]:
    """Run notebooks, `concurrency` kernels at a time; per notebook its outputs or its error.

    Kernels are separate processes that spend much of their time starting and waiting on the
    warehouse, so three at a time keep both cores of a small machine busy.
    """
    previous = {key: os.environ.get(key) for key in env}
    os.environ.update(env)  # kernels inherit the environment of the process that starts them
    try:
        if _warm.kernels and _warm.env == env and _warm.loop is not None:
            # Kernels started ahead for these settings live on the loop that started them.
            return asyncio.run_coroutine_threadsafe(
                _execute_all(specs, out_dir, concurrency, timeout_s), _warm.loop
            ).result()
        # A fresh event loop on its own thread: the caller may already run one (Playwright, Jupyter).
        with ThreadPoolExecutor(max_workers=1) as runner:
            return runner.submit(
                asyncio.run, _execute_all(specs, out_dir, concurrency, timeout_s)
            ).result()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute_notebook(spec: NotebookSpec, out_dir: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """Run one notebook; raise NotebookCellError naming the cell that failed."""
    outcome = execute_notebooks([spec], out_dir, env)[spec.name]
    if isinstance(outcome, NotebookCellError):
        raise outcome
    return outcome


async def _execute_all(specs, out_dir: Path, concurrency: int, timeout_s: int) -> dict:
    from nbconvert import HTMLExporter

    gate = asyncio.Semaphore(concurrency)
    # One exporter for all: its templates load once, not once per notebook.
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)  # fmt: skip

    async def one(spec: NotebookSpec):
        async with gate:
            try:
                return spec.name, await _execute(spec, out_dir, timeout_s, exporter)
            except NotebookCellError as error:
                return spec.name, error

    return dict(await asyncio.gather(*(one(spec) for spec in specs)))


class _Warm:
    """Kernels started ahead of the notebooks step (`start_kernels`), on an event loop of their
    own: the step then spends its time in the notebooks' cells, not in starting Python."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.env: dict[str, str] | None = None
        self.kernels: list[Future] = []


_warm = _Warm()
# What every notebook imports first; done ahead, silently, so it neither counts as a cell nor
# leaves an output.
_PRELOAD = "import pipelines.reporting.notebook_helpers"


def start_kernels(count: int, env: dict[str, str], folder: Path) -> None:
    """Start `count` kernels now, in the background, for notebooks in `folder` run with `env`."""
    if _warm.loop is None:
        _warm.loop = asyncio.new_event_loop()
        threading.Thread(target=_warm.loop.run_forever, daemon=True).start()
    _warm.env = dict(env)
    _warm.kernels += [
        asyncio.run_coroutine_threadsafe(_start_kernel(env, folder), _warm.loop)
        for _ in range(count)
    ]


def stop_kernels() -> None:
    """Stop the kernels started ahead that no notebook took."""
    if _warm.loop is None:
        return
    waiting, _warm.kernels = _warm.kernels, []
    for future in waiting:
        asyncio.run_coroutine_threadsafe(_stop(future), _warm.loop).result()


async def _start_kernel(env: dict[str, str], folder: Path):
    from jupyter_client.manager import AsyncKernelManager

    sockets = tempfile.mkdtemp(prefix="kernel-")
    manager = AsyncKernelManager(
        kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "k")
    )
    await manager.start_kernel(env={**os.environ, **env}, cwd=str(folder))
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        sent = client.execute(_PRELOAD, silent=True, store_history=False)
        while (await client.get_shell_msg(timeout=120))["parent_header"].get("msg_id") != sent:
            pass
    finally:
        client.stop_channels()
    return manager, sockets


async def _stop(future: Future) -> None:
    try:
        manager, sockets = await asyncio.wrap_future(future)
    except Exception:  # noqa: BLE001 (a kernel that did not start has nothing to stop)
        return
    await manager.shutdown_kernel(now=True)
    shutil.rmtree(sockets, ignore_errors=True)


async def _execute(
    spec: NotebookSpec, out_dir: Path, timeout_s: int, exporter
) -> tuple[Path, Path]:
    if _warm.kernels and asyncio.get_running_loop() is _warm.loop:
        future = _warm.kernels.pop(0)
        try:
            return await _run_notebook(spec, out_dir, timeout_s, exporter, future)
        finally:
            await _stop(future)
    return await _run_notebook(spec, out_dir, timeout_s, exporter, None)


async def _run_notebook(
    spec: NotebookSpec, out_dir: Path, timeout_s: int, exporter, warm: Future | None
) -> tuple[Path, Path]:
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    notebook = jupytext.read(spec.path)
    # Cell ids are random and execution times stamped by default: fixed ids and no timing make
    # the same notebook on the same tables the same bytes, whether it ran today or was kept.
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
    # The kernel talks over Unix sockets in a private folder, not TCP: nothing listens on the
    # network, and ipykernel has no reason to warn about unencrypted TCP. The client still owns
    # (and so shuts down) the kernel manager it builds from this configuration.
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "k")}})
        # Every output has arrived when the last cell returns, and the kernel only read the
        # warehouse: it is stopped at once rather than asked to shut down and waited for.
        manager = None
        if warm is not None:
            try:
                manager, _ = await asyncio.wrap_future(warm)
            except Exception:  # noqa: BLE001 (it failed to start: start one as usual)
                manager = None
        client = NotebookClient(
            notebook, timeout=timeout_s, kernel_name="python3", config=ipc, record_timing=False,
            resources={"metadata": {"path": str(spec.path.parent)}}, shutdown_kernel="immediate",
            km=manager,
        )  # fmt: skip
        try:
            await client.async_execute()
        except CellExecutionError as error:
            raise NotebookCellError(_describe_failure(spec, notebook, error)) from None
        finally:
            if manager is not None and client.kc is not None:
                client.kc.stop_channels()
    out_dir.mkdir(parents=True, exist_ok=True)
    ipynb = out_dir / f"{spec.name}.ipynb"
    nbformat.write(notebook, ipynb)
    body, _ = exporter.from_notebook_node(notebook)
    page = out_dir / f"{spec.name}.html"
    page.write_text(PAGE.format(title=html.escape(spec.title), body=body), encoding="utf-8")
    return ipynb, page


def _describe_failure(spec: NotebookSpec, notebook, error: Exception) -> str:
    for number, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                return (f"notebook {spec.path.name}: cell {number} ({first_line[:60]!r}) failed: "
                        f"{output.get('ename')}: {output.get('evalue')}")  # fmt: skip
    return f"notebook {spec.path.name} failed: {str(error).strip().splitlines()[-1]}"
