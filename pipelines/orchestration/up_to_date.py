"""Skip what is up to date: a step is recomputed only when its code, settings or inputs changed.

Every asset and check of the offline job records, when it finishes, a fingerprint of what it was
computed from and of what it wrote, in `build/up_to_date.json`:

- `code`: a hash of the step's code and settings: its SQL file, its notebook, the Python package,
  its suite, the lock file, the data files a loader or the report reads (a register's loader its
  own register and the data besides the registers, other loaders the data besides the
  registers), today's date (several models compare with `current_date`) and the settings read
  from the environment;
- `inputs`: the content version of every upstream asset as it was read;
- `output`: the content version of what the step wrote.

A content version is a hash of a table's columns and rows (order-free: DuckDB's hash of every
row, summed), of a view's model and the versions of the tables it reads (reading its rows would
compute it), or of the bytes of the files a step writes; within one run a table is hashed once
(`_RunTables`: the version a step recorded for its output is the input version of the steps that
read it). A step is up to date when its code hash is the same, every input has the recorded
version and its output still has the recorded version (a deleted or edited chart, notebook,
report or table is rebuilt). `plan` decides this for the whole job before it runs; steps
downstream of a stale step are decided again when they run, once their inputs are rebuilt, so a
model rebuilt to the same rows does not rebuild what reads it.
Only `python -m pipelines run` skips (it sets TRACKER_SKIP_UP_TO_DATE=1); `--force`
(`make run FORCE=1`) recomputes everything, and so do runs started elsewhere, which still record
what they built.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from filelock import FileLock

from pipelines import settings

STORE_NAME = "up_to_date.json"
SKIP_ENV = "TRACKER_SKIP_UP_TO_DATE"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the pipelines package
LOCK_FILE = settings.PROJECT_ROOT / "uv.lock"
# Settings a step can read from the environment; a change to any of them recomputes every step.
_SETTINGS = ("TRACKER_AS_OF", "TRACKER_LIVE", "TRACKER_VALIDATION_SAMPLE_ROWS")

UP_TO_DATE, RECOMPUTED, NOT_RUN = "up to date", "recomputed", "not run"

# What each step of the last plan and run came to: step name -> (UP_TO_DATE | RECOMPUTED, why).
outcomes: dict[str, tuple[str, str]] = {}


def skipping_enabled() -> bool:
    """Only `python -m pipelines run` (without --force) skips; materializations started from the
    UI, a schedule or a test recompute as before, and still record what they built."""
    return os.environ.get(SKIP_ENV) == "1"


def store_path() -> Path:
    return settings.build_dir() / STORE_NAME


# --- content versions -------------------------------------------------------------------------


def files_version(paths: Iterable[Path], root: Path) -> str | None:
    """A hash of the names (relative to root) and bytes of files; None when there are none."""
    digest, found = hashlib.sha256(), False
    for path in sorted(p for p in paths if p.is_file() and "__pycache__" not in p.parts):
        found = True
        name = path.relative_to(root) if path.is_relative_to(root) else path.name
        digest.update(str(name).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest() if found else None


def tree_version(folder: Path) -> str | None:
    return files_version(folder.rglob("*"), folder) if folder.is_dir() else None


def package_version() -> str | None:
    """The Python package, less the command line, this module and how the run's events are
    written: they decide what runs and how it is recorded, not what a step computes."""
    skipped = {
        PACKAGE_DIR / n
        for n in ("__main__.py", "orchestration/up_to_date.py", "orchestration/event_log.py")
    }
    return files_version((p for p in PACKAGE_DIR.rglob("*") if p not in skipped), PACKAGE_DIR)


def table_version(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str = "",
    params=(),
    version_of: Callable[[str], str | None] | None = None,
) -> str | None:
    """Columns, row count and the sum of every row's hash: equal for equal contents, in any order.

    A view of a SQL model is not read: its version is its model's SELECT and the versions of the
    tables that reads (`version_of`, by default this function), which decide its rows.
    Reading it would compute it, which for evidence_rule_matches is the whole cost of the rules."""
    # duckdb_columns(): the same names and types as information_schema.columns, in half the time
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = 'main' AND table_name = ? AND NOT internal "
        "ORDER BY column_index",
        [table],
    ).fetchall()
    if not columns:
        return None
    if not where and (view := _view_of_model(con, table)) is not None:
        select, reads = view
        version_of = version_of or (lambda name: table_version(con, name))
        inputs = {name: version_of(name) for name in sorted(reads)}
        return hashlib.sha256(json.dumps([columns, select, inputs]).encode()).hexdigest()
    # The name is an asset key checked against the warehouse's own catalogue just above.
    rows, total = con.execute(
        f'SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM "{table}" AS t {where}',  # noqa: S608
        list(params),
    ).fetchone()
    return hashlib.sha256(json.dumps([columns, rows, total]).encode()).hexdigest()


def _view_of_model(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, set[str]] | None:
    """(the model's SELECT, the tables it reads) when `name` is a view built from a model of
    sql/; None for a table, or a view no model file describes. The model file, not the view's
    stored text: DuckDB stores a view's text as written and, once the file is reopened, as it
    prints the parsed query, so the stored text changes without the view changing."""
    from pipelines.warehouse.sql_parse import is_view, tables_read

    model = _sql_files().get(name) if is_view(con, name) else None
    if model is None:
        return None
    select = model.read_text(encoding="utf-8")
    return select, tables_read(select, str(model)) - {name}


# --- what each step is computed from and writes -----------------------------------------------


def _sql_files() -> dict[str, Path]:
    # sql/<layer>/<table>.sql, as pipelines.warehouse.sql_models reads them (without importing Dagster)
    return {p.stem: p for p in settings.SQL_DIR.glob("*/*.sql")}


def _file_outputs(name: str) -> tuple[Path, list[Path]] | None:
    """(root, files) that a step writes instead of a table, or None for a table."""
    from pipelines.warehouse.validation import runtime_dir

    if name in ("feed_snapshots", "comtrade_snapshots"):
        folder = settings.snapshots_dir() / ("feeds" if name == "feed_snapshots" else "comtrade")
        return folder, list(folder.rglob("*"))

    charts = settings.build_dir() / "report" / "charts"
    if name == "chart_mechanism_timelines":
        return charts, list(charts.glob("timeline_*"))
    if name.startswith("chart_"):
        chart = name.removeprefix("chart_")
        return charts, [*charts.glob(f"{chart}.*"), *charts.glob(f"{chart}--*")]
    if name.startswith("notebook_"):
        folder = settings.build_dir() / "report" / "notebooks"
        return folder, list(folder.glob(f"{name.removeprefix('notebook_')}.*"))
    if name == "data_docs":
        folder = runtime_dir() / "data_docs"
        return folder, list(folder.rglob("*"))
    if name == "report":
        folder = settings.build_dir() / "report"
        return folder, list(folder.rglob("*"))
    return None


def _data_inputs() -> list[str | None]:
    """Every data file a loader may read: the bundled data and the folders settings redirect."""
    folders = [settings.DATA_DIR, settings.registers_dir(), settings.snapshots_dir()]
    return [tree_version(f) for f in [*folders, settings.review_dir()]]


def _data_but_registers() -> list[str | None]:
    """The data files besides the registers. Only a register's own loader reads a register
    (`raw_<name>` reads `<name>.csv`), so an edited register row reaches one loader, not all.
    The bundled registers are left out too when TRACKER_REGISTERS_DIR points elsewhere: then
    nothing reads them."""
    registers = {settings.registers_dir().resolve(), (settings.DATA_DIR / "registers").resolve()}
    bundled = (
        p
        for p in settings.DATA_DIR.rglob("*")
        if not any(p.resolve().is_relative_to(r) for r in registers)
    )
    others = [settings.snapshots_dir(), settings.review_dir()]
    return [files_version(bundled, settings.DATA_DIR), *(tree_version(f) for f in others)]


def register_file(name: str) -> Path | None:
    """The register a loader reads, for `raw_<name>` when the registers folder holds `<name>.csv`."""
    path = settings.registers_dir() / f"{name.removeprefix('raw_')}.csv"
    return path if name.startswith("raw_") and path.is_file() else None


def _releases() -> str | None:
    from pipelines.releases.freeze import releases_dir

    root = releases_dir()
    return (
        files_version(root.glob("*/report/exports/scorecard.csv"), root) if root.is_dir() else None
    )


# Hashes of files (the package, the data folders, the lock file, the SQL files) shared by every
# plan and step of one command (`shared_file_hashes`): they are read once per command, not once
# per step. Table and output versions are never shared: steps change them.
_shared: dict[str, object] | None = None
# Versions of tables and outputs, shared by the plans of one command until a run starts
# (`forget_outputs`): the check before Dagster loads and the plan after it read the same tables.
_plan_outputs: dict[str, object] | None = None


@contextmanager
def shared_file_hashes() -> Iterator[None]:
    """While the block runs, the code and data files are hashed once, not by every step. A file
    edited meanwhile is seen by the next command: its hash then differs from the one recorded."""
    global _shared, _plan_outputs
    previous, _shared, _plan_outputs = (_shared, _plan_outputs), {}, {}
    try:
        yield
    finally:
        _shared, _plan_outputs = previous


def forget_outputs() -> None:
    """A run is about to write tables and files: plans after it read them again."""
    if _plan_outputs is not None:
        _plan_outputs.clear()


@dataclass
class _RunTables:
    """Versions of warehouse tables known within one in-process run, so that a table a step wrote
    (its version computed as the step's output) or read is not hashed again by every step that
    reads it. A step forgets the tables it writes (its own assets') before writing them; any
    other write to the warehouse (a step that is not guarded, another process, a connection
    taken outside `Warehouse`) changes its files, and then every version is forgotten."""

    run: tuple[str, str] | None = None  # (run id, warehouse)
    state: tuple | None = None  # the warehouse files when `versions` were last known right
    versions: dict[str, object] = field(default_factory=dict)


_run_tables = _RunTables()


def _tables_of_run(run_id: str, database: str, wrote: bool = False) -> dict[str, object]:
    """The versions known in this run: ask while holding a connection to the warehouse. `wrote`:
    the step that asks has just written the warehouse (its own tables, forgotten before)."""
    from pipelines.warehouse.resources import files_state, written_elsewhere

    key, state = (run_id, str(Path(database).resolve())), files_state(database)
    changed = _run_tables.state != state and not wrote
    if _run_tables.run != key or changed or written_elsewhere(database):
        _run_tables.run, _run_tables.versions = key, {}
    _run_tables.state = state
    return _run_tables.versions


def forget_tables(names: Iterable[str]) -> None:
    """A step is about to write these tables: what was known of them no longer holds."""
    for name in names:
        _run_tables.versions.pop(f"out:{name}", None)


def _is_table(name: str) -> bool:
    """A step's output that is one whole table (not files, nor a version derived from tables)."""
    return ":" not in name and _file_outputs(name) is None


class _Memo:
    """Hashes computed once per plan or step: the package and the data folders do not change
    while one step decides."""

    def __init__(self, outputs: dict[str, object] | None = None, tables_only: bool = False) -> None:
        self._values: dict[str, object] = {}
        self._files = _shared if _shared is not None else self._values
        self._outputs = outputs if outputs is not None else self._values
        # the run's versions hold tables only: files a step writes are not watched
        self._tables_only = tables_only

    def get(self, key: str, compute: Callable[[], object]) -> object:
        values = self._outputs if key.startswith("out:") else self._files
        if self._tables_only and values is self._outputs and not _is_table(key[4:]):
            values = self._values
        if key not in values:
            values[key] = compute()
        return values[key]


def _run_memo(context, warehouse, wrote: bool = False) -> _Memo:
    """A step's memo whose table versions are the run's (`_tables_of_run`): ask while holding a
    connection to the warehouse."""
    known = _tables_of_run(context.run.run_id, warehouse.database, wrote=wrote)
    return _Memo(outputs=known, tables_only=True)


@functools.cache
def _catalogue(path: Path, modified: int, size: int) -> dict[str, dict]:
    from pipelines.curated.catalogue import read_entries

    return {entry.get("id"): entry for entry in read_entries(path)}


def _catalogue_entry(chart: str) -> dict | None:
    """The catalogue's entry for a chart, parsed once per version of the file (not per chart)."""
    path = settings.DATA_DIR / "indicators.yaml"
    stat = path.stat()
    return _catalogue(path, stat.st_mtime_ns, stat.st_size).get(chart)


def code_version(name: str, memo: _Memo | None = None) -> str:
    """Everything a step is computed from besides its upstream assets."""
    memo = memo or _Memo()
    common = memo.get(
        "common",
        lambda: [
            date.today().isoformat(),
            {k: os.environ.get(k) for k in _SETTINGS},
            files_version([LOCK_FILE], LOCK_FILE.parent),
        ],
    )
    package = lambda: memo.get("package", package_version)  # noqa: E731
    data = lambda: memo.get("data", _data_inputs)  # noqa: E731
    table = name.split(":")[0]
    if name in ("feed_snapshots", "comtrade_snapshots") and settings.live_sources_enabled():
        # What a live source holds now is only known by fetching it: never up to date.
        parts = [datetime.now(UTC).isoformat()]
    elif ":" in name:  # a check: its suite, the validation code and the Great Expectations config
        gx = settings.EXPECTATIONS_DIR / "gx"
        parts = [
            files_version(
                [gx / "expectations" / f"{table}.json", gx / "great_expectations.yml"], gx
            ),
            package(),
        ]
    elif (sql := memo.get("sql", _sql_files).get(name)) is not None:
        parts = [
            files_version([sql], settings.SQL_DIR),
            files_version([PACKAGE_DIR / "warehouse" / "sql_models.py"], PACKAGE_DIR),
        ]
    elif name.startswith("notebook_"):
        notebook = settings.NOTEBOOKS_DIR / f"{name.removeprefix('notebook_')}.py"
        parts = [files_version([notebook], settings.NOTEBOOKS_DIR), package()]
    elif name.startswith("chart_"):
        parts = [
            package(),
            files_version([settings.DATA_DIR / "indicators.yaml"], settings.DATA_DIR),
        ]
    elif name == "data_docs":
        parts = [package(), tree_version(settings.EXPECTATIONS_DIR)]
    elif name == "report":
        failures = settings.run_failures_file()
        parts = [package(), data(), files_version([failures], failures.parent), _releases()]
    elif (register := register_file(name)) is not None:
        parts = [package(), memo.get("data_but_registers", _data_but_registers),
                 files_version([register], register.parent)]  # fmt: skip
    else:  # a loader of other data, or Python that reads tables
        parts = [package(), memo.get("data_but_registers", _data_but_registers)]
    return hashlib.sha256(json.dumps([name, common, parts]).encode()).hexdigest()


def _chart_inputs(name: str, con: duckdb.DuckDBPyConnection) -> dict[str, str | None] | None:
    """A chart of the catalogue reads its own indicator's rows only: an edit that changes other
    indicators leaves it up to date. Minerals and timeline charts read whole tables."""
    chart = name.removeprefix("chart_")
    entry = _catalogue_entry(chart)
    if entry is None or entry.get("chart") == "minerals":
        return None
    return {
        "indicator_values": table_version(
            con, "indicator_values", "WHERE indicator_id = ?", [chart]
        ),
        "indicators": table_version(con, "indicators"),
    }


def output_version(
    name: str, con: duckdb.DuckDBPyConnection, memo: _Memo | None = None
) -> str | None:
    outputs = _file_outputs(name)
    if outputs is None:
        # a view's inputs are looked up as a step's are: once per run or plan (the memo)
        memo = memo or _Memo()
        inputs = lambda t: memo.get(f"out:{t}", lambda: output_version(t, con, memo))  # noqa: E731
        return table_version(con, name, version_of=inputs)
    root, files = outputs
    return files_version(files, root)


def input_versions(
    name: str, deps: Iterable[str], con: duckdb.DuckDBPyConnection, memo: _Memo | None = None
) -> dict[str, str | None]:
    memo = memo or _Memo()
    if name.startswith("chart_"):
        narrow = memo.get(f"out:{name}:inputs", lambda: _chart_inputs(name, con))
        if narrow is not None:
            return narrow
    return {
        dep: memo.get(f"out:{dep}", lambda dep=dep: output_version(dep, con, memo))
        for dep in sorted(deps)
    }


# --- the record -------------------------------------------------------------------------------


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}  # an unreadable record only costs a full recompute


def _update_json(path: Path, changes: dict) -> None:
    """Merge `changes` into the JSON object at `path`: locked against other runs, replaced whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        data = _read_json(path)
        data.update(changes)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=0, sort_keys=True), encoding="utf-8")
        temporary.replace(path)


def load_store() -> dict[str, dict]:
    return _read_json(store_path())


def save_records(records: dict[str, dict]) -> None:
    _update_json(store_path(), records)


def why_stale(
    name: str, record: dict | None, code: str, inputs: dict, output: Callable[[], str | None]
) -> str | None:
    """None when the step is up to date, else the first reason it is not. `output` gives the
    version of what the step wrote last time: asked only when it decides (hashing a 10^6-row
    table costs a quarter of a second, and a step about to be recomputed anyway need not)."""
    if not skipping_enabled():
        return "forced" if os.environ.get(SKIP_ENV) == "0" else "skipping is off"
    if record is None:
        return "never built"
    if record.get("code") != code:
        return "code, data files or settings changed"
    if record.get("output") != (output := output()) or output is None:
        return "output missing or changed since it was built"
    changed = sorted(k for k in inputs.keys() | record.get("inputs", {}).keys()
                     if inputs.get(k) != record.get("inputs", {}).get(k))  # fmt: skip
    if changed:
        return "input changed: " + ", ".join(changed[:4]) + (" …" if len(changed) > 4 else "")
    return None


# --- the plan, before a run ---------------------------------------------------------------------


@dataclass
class Graph:
    """What the plan needs of a job: each asset's upstream assets, each check's table, and the
    assets that can only run together. Saved after a plan, so that a later run can find
    everything up to date without loading Dagster."""

    assets: dict[str, list[str]]
    checks: dict[str, str]
    together: list[list[str]] = field(default_factory=list)

    @classmethod
    def of_job(cls, job_def) -> Graph:
        graph = job_def.asset_layer.asset_graph
        keys = set(job_def.asset_layer.selected_asset_keys)
        # A multi-asset's own assets are written by the same step: not inputs of one another.
        assets = {
            key.to_user_string(): sorted(
                p.to_user_string()
                for p in graph.get(key).parent_keys - graph.assets_def_for_key(key).keys
            )
            for key in keys
        }
        checks = {
            f"{c.asset_key.to_user_string()}:{c.name}": c.asset_key.to_user_string()
            for c in graph.asset_check_keys
            if c.asset_key in keys
        }
        together = {
            tuple(sorted(k.to_user_string() for k in graph.assets_def_for_key(key).keys & keys))
            for key in keys
            if not graph.assets_def_for_key(key).can_subset
        }
        return cls(assets, checks, [list(group) for group in sorted(together) if len(group) > 1])


@dataclass
class Plan:
    """Steps of a job that must run (asset and check names); the rest are up to date."""

    stale_assets: set[str] = field(default_factory=set)
    stale_checks: set[str] = field(default_factory=set)

    @property
    def nothing_to_do(self) -> bool:
        return not self.stale_assets and not self.stale_checks


def plan(job_def, warehouse: Path) -> tuple[Plan, object, object]:
    """Decide every asset and check of a Dagster job: the plan, and its stale asset and check
    keys to select."""
    from dagster import AssetCheckKey, AssetKey

    graph = Graph.of_job(job_def)
    _save_graph(job_def.name, graph)
    decided = decide(graph, warehouse)
    assets = {AssetKey.from_user_string(name) for name in decided.stale_assets}
    checks = set()
    for name in decided.stale_checks:
        table, check = name.rsplit(":", 1)
        checks.add(AssetCheckKey(AssetKey.from_user_string(table), check))
    return decided, assets, checks


def everything_up_to_date(job: str, warehouse: Path) -> bool:
    """True when the job's saved graph still holds and every step in it is up to date: decided
    without importing Dagster. False when anything may have to run (Dagster then decides)."""
    if not skipping_enabled() or not warehouse.exists():
        return False
    saved = _graphs().get(job)
    if saved is None or saved.get("key") != _graph_key():
        return False
    graph = Graph(saved["assets"], saved["checks"], saved["together"])
    return decide(graph, warehouse).nothing_to_do


def _graph_key() -> str:
    """What the job's graph is made from: models, notebooks, the catalogue, suites and code."""
    parts = [
        package_version(),
        tree_version(settings.SQL_DIR),
        tree_version(settings.NOTEBOOKS_DIR),
        tree_version(settings.EXPECTATIONS_DIR),
        files_version([settings.DATA_DIR / "indicators.yaml"], settings.DATA_DIR),
        files_version([LOCK_FILE], LOCK_FILE.parent),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _graphs_path() -> Path:
    return settings.build_dir() / "up_to_date.graphs.json"


def _graphs() -> dict:
    return _read_json(_graphs_path())


def _save_graph(job: str, graph: Graph) -> None:
    saved = {"key": _graph_key(), "assets": graph.assets, "checks": graph.checks,
             "together": graph.together}  # fmt: skip
    _update_json(_graphs_path(), {job: saved})


def decide(graph: Graph, warehouse: Path) -> Plan:
    """A step is up to date when nothing it was computed from changed and every upstream step of
    the job is up to date too; a stale step's downstream is decided again when it runs."""
    outcomes.clear()
    names = set(graph.assets)
    parents = {name: set(deps) & names for name, deps in graph.assets.items()}
    order = _topological(names, parents)
    store, memo = load_store(), _Memo(outputs=_plan_outputs)
    stale: dict[str, str] = {}
    result = Plan()
    with _read_only(warehouse) as con:
        for name in order:
            if any(p in stale for p in parents[name]):
                continue  # decided below, with the steps it runs with
            reason = why_stale(
                name,
                store.get(name),
                code_version(name, memo),
                input_versions(name, graph.assets[name], con, memo) if con else {},
                lambda n=name: (
                    memo.get(f"out:{n}", lambda: output_version(n, con, memo)) if con else None
                ),
            )
            if reason:
                stale[name] = reason
        _close_downstream(graph, parents, order, stale)
        for name, table in graph.checks.items():
            if table in stale:
                reason = "its table is rebuilt"
            else:
                recorded = store.get(name) or {}
                reason = why_stale(
                    name,
                    store.get(name),
                    code_version(name, memo),
                    input_versions(name, [table], con, memo) if con else {},
                    lambda recorded=recorded: recorded.get("output"),
                )
                blocking = name.endswith(":great_expectations")
                if reason is None and blocking and recorded.get("output") != "passed":
                    reason = "failed last time"
            if reason:
                result.stale_checks.add(name)
                outcomes[name] = (NOT_RUN, reason)
            else:
                outcomes[name] = (UP_TO_DATE, "table, suite and code unchanged")
    result.stale_assets = set(stale)
    for name in names:
        if name in stale:
            outcomes[name] = (NOT_RUN, stale[name])
        else:
            outcomes[name] = (UP_TO_DATE, "inputs, code and output unchanged")
    return result


def _close_downstream(graph: Graph, parents: dict, order: list, stale: dict) -> None:
    """Everything downstream of a stale step waits for it; a multi-asset that cannot run part
    of its assets runs them all. Repeated until nothing more is added."""
    together = {name: group for group in graph.together for name in group}
    added = True
    while added:
        added = False
        for name in order:
            if name in stale:
                continue
            upstream = sorted(p for p in parents[name] if p in stale)
            siblings = [s for s in together.get(name, []) if s in stale]
            if upstream:
                stale[name] = "upstream rebuilt first: " + ", ".join(upstream[:3])
            elif siblings:
                stale[name] = f"runs with {siblings[0]}"
            else:
                continue
            added = True


def summary() -> str:
    """'N up to date, M recomputed' over the steps of the last plan and run."""
    counts = {state: 0 for state in (UP_TO_DATE, RECOMPUTED, NOT_RUN)}
    for state, _ in outcomes.values():
        counts[state] += 1
    text = f"{counts[UP_TO_DATE]} up to date, {counts[RECOMPUTED]} recomputed"
    return text + (f", {counts[NOT_RUN]} not run" if counts[NOT_RUN] else "")


def _topological(names: set, parents: dict) -> list:
    ordered, seen = [], set()

    def visit(name) -> None:
        if name in seen:
            return
        seen.add(name)
        for parent in sorted(parents[name]):
            visit(parent)
        ordered.append(name)

    for name in sorted(names):
        visit(name)
    return ordered


@contextmanager
def _read_only(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to the warehouse, or None when there is none yet."""
    if not path.exists():
        yield None
        return
    from pipelines.warehouse.resources import read_only_warehouse

    with read_only_warehouse(path, lock_timeout_s=-1) as con:  # a plan waits as long as a run
        yield con


# --- the guard, while a step runs ---------------------------------------------------------------


def _decide(name: str, deps: list[str], con, memo: _Memo) -> tuple[str | None, dict]:
    """(why the step must run or None, what to record as its code and inputs)."""
    code = code_version(name, memo)
    inputs = input_versions(name, deps, con, memo)
    record = load_store().get(name)
    if ":" in name:  # a check's output is its last verdict
        output = lambda: (record or {}).get("output")  # noqa: E731
    else:
        output = lambda: memo.get(f"out:{name}", lambda: output_version(name, con, memo))  # noqa: E731
    reason = why_stale(name, record, code, inputs, output)
    if reason is None and name.endswith(":great_expectations") and output() != "passed":
        reason = "failed last time"
    return reason, {"code": code, "inputs": inputs}


def _stamp(fingerprint: dict, output: str | None, context) -> dict:
    return {
        **fingerprint,
        "output": output,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": context.run.run_id,
    }


def _warehouse_of(args, kwargs):
    from pipelines.warehouse.resources import Warehouse

    for value in [*args, *kwargs.values()]:
        if isinstance(value, Warehouse):
            return value
    return Warehouse(database=str(settings.warehouse_path()))


def asset_steps(context) -> dict[str, list[str]]:
    """Selected asset names of this step and what each depends on, in the order the step must
    yield them: an asset after those of the same step it reads (Dagster requires it)."""
    specs = {spec.key: spec for spec in context.assets_def.specs}
    selected = {key.to_user_string(): key for key in context.selected_asset_keys}
    within = {
        name: {d.asset_key.to_user_string() for d in specs[key].deps} & selected.keys()
        for name, key in selected.items()
    }
    return {
        name: [
            dep.asset_key.to_user_string()
            for dep in specs[selected[name]].deps
            if dep.asset_key not in specs
        ]
        for name in _topological(set(selected), within)
    }


def partition(context, warehouse, steps: dict[str, list[str]]) -> tuple[set[str], dict]:
    """Decide each asset of a running step: (the up-to-date names, every name's fingerprint)."""
    fresh, fingerprints = set(), {}
    with warehouse.get_connection() as con:
        memo = _run_memo(context, warehouse)
        for name, deps in steps.items():
            reason, fingerprints[name] = _decide(name, deps, con, memo)
            if reason is None:
                fresh.add(name)
                outcomes[name] = (UP_TO_DATE, "inputs, code and output unchanged")
            else:
                outcomes[name] = (RECOMPUTED, reason)
                context.log.info(f"{name}: recomputed ({reason})")
    return fresh, fingerprints


def record(context, warehouse, fingerprints: dict[str, dict]) -> None:
    """After a step wrote its outputs: remember what they were computed from."""
    if _shared is not None and not fingerprints.keys() <= _sql_files().keys():
        _shared.clear()  # a step other than a SQL model may have written files that are hashed
    with warehouse.get_connection() as con:
        # what the step wrote is what the steps reading it find as their input
        memo = _run_memo(context, warehouse, wrote=True)
        versions = {
            n: memo.get(f"out:{n}", lambda n=n: output_version(n, con, memo)) for n in fingerprints
        }
        save_records({n: _stamp(f, versions[n], context) for n, f in fingerprints.items()})


def skipped(name: str):
    from dagster import AssetKey, MaterializeResult, MetadataValue

    return MaterializeResult(
        asset_key=AssetKey(name),
        metadata={"up_to_date": MetadataValue.text("inputs, code and output unchanged")},
    )


def guarded(fn: Callable) -> Callable:
    """Wrap an asset's compute function so that it returns at once when it is up to date.

    The assets of one step run together: when one of them is stale, all are recomputed."""

    def _prepare(args, kwargs):
        from dagster import AssetExecutionContext

        context = AssetExecutionContext.get()
        warehouse = _warehouse_of(args, kwargs)
        try:
            fresh, fingerprints = partition(context, warehouse, asset_steps(context))
        except duckdb.ConnectionException:
            # The file is already open in this process with another configuration (a caller
            # reading it while it materializes): decide nothing, record nothing, just run.
            _run_tables.versions.clear()
            return context, None, False, {}
        if fresh and len(fresh) < len(fingerprints):
            for name in fresh:
                outcomes[name] = (RECOMPUTED, "runs with the other assets of its step")
        up_to_date = len(fresh) == len(fingerprints)
        if not up_to_date:  # every table the step writes, selected or not
            forget_tables(key.to_user_string() for key in context.assets_def.keys)
        return context, warehouse, up_to_date, fingerprints

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def _wrapped_generator(*args, **kwargs) -> Iterator:
            context, warehouse, up_to_date, fingerprints = _prepare(args, kwargs)
            if up_to_date:
                yield from (skipped(name) for name in fingerprints)
                return
            yield from fn(*args, **kwargs)
            if warehouse is not None:
                record(context, warehouse, fingerprints)

        return _wrapped_generator

    @functools.wraps(fn)
    def _wrapped(*args, **kwargs):
        context, warehouse, up_to_date, fingerprints = _prepare(args, kwargs)
        if up_to_date:
            return skipped(next(iter(fingerprints)))
        result = fn(*args, **kwargs)
        if warehouse is not None:
            record(context, warehouse, fingerprints)
        return result

    return _wrapped


def guarded_check(table: str, check_name: str = "great_expectations", warning: bool = False):
    """Wrap a check's function: a passing check on the same rows, suite and code is not re-run.

    A failed blocking check always runs again; a `warning` check (freshness) reports its last
    verdict again, so that a warning does not force a run every time."""
    name = f"{table}:{check_name}"

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def _wrapped(*args, **kwargs):
            from dagster import (
                AssetCheckExecutionContext,
                AssetCheckResult,
                AssetCheckSeverity,
                MetadataValue,
            )

            context = AssetCheckExecutionContext.get()
            warehouse = _warehouse_of(args, kwargs)
            try:
                with warehouse.get_connection() as con:
                    memo = _run_memo(context, warehouse)
                    reason, fingerprint = _decide(name, [table], con, memo)
            except duckdb.ConnectionException:  # open here with another configuration: just run
                return fn(*args, **kwargs)
            if reason is None:
                recorded = load_store()[name]
                outcomes[name] = (UP_TO_DATE, "table, suite and code unchanged")
                return AssetCheckResult(
                    passed=recorded["output"] == "passed",
                    severity=AssetCheckSeverity.WARN if warning else AssetCheckSeverity.ERROR,
                    metadata={
                        "up_to_date": MetadataValue.text(
                            f"{recorded['output']} on the same inputs at {recorded['at']}"
                        )
                    },
                )
            outcomes[name] = (RECOMPUTED, reason)
            result = fn(*args, **kwargs)
            output = "passed" if result.passed else "failed"
            save_records({name: _stamp(fingerprint, output, context)})
            return result

        return _wrapped

    return decorate
