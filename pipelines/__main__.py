"""Command line: `python -m pipelines run | coverage | classify | evaluate-classifier | evaluate-mapping`.

Each command imports what it needs when it runs: `classify` must start in a fraction of a second,
not pay for Dagster, DuckDB or pandas.
"""

import gc
import os
import sys
import time
from functools import cache
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@cache
def console() -> "Console":
    """Messages go to stderr through rich, loaded only when there is one to print."""
    from rich.console import Console

    return Console(stderr=True)


@app.callback()
def _commands() -> None:
    """Japan–India security-cooperation tracker."""


@app.command()
def run(
    job: str = typer.Option("offline_refresh", help="The Dagster job to execute in-process."),
    log_level: str = typer.Option(
        "WARNING", help="Dagster log level shown on the console (INFO shows every event)."
    ),
    timings: bool = typer.Option(False, "--timings", help="Print the time every step took."),
    force: bool = typer.Option(
        False, "--force", help="Recompute every step, also those whose inputs have not changed."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Say for every step whether it was recomputed, and why."
    ),
) -> None:
    """Materialize every asset from the bundled data, showing progress and a short summary.

    Steps whose code, data files and input tables have not changed since they were last built
    are up to date and not recomputed (build/up_to_date.json); --force recomputes them all."""
    started = time.perf_counter()
    console().print(f"[bold]{job}[/bold]: checking inputs …", highlight=False)
    from pipelines.settings import warehouse_path

    if job == "report_only" and not warehouse_path().exists():
        _fail(f"no warehouse at {warehouse_path()}: run `make run` first, then `make report`")
    _preflight_or_exit()
    console().print(
        f"inputs checked ({time.perf_counter() - started:.0f} s); loading the pipeline …",
        highlight=False,
    )
    previous = os.environ.get("TRACKER_SKIP_UP_TO_DATE")
    os.environ["TRACKER_SKIP_UP_TO_DATE"] = "0" if force else "1"
    try:
        _run(job, log_level, timings, explain, started)
    finally:  # the setting is this command's alone, also when it is called in-process
        if previous is None:
            os.environ.pop("TRACKER_SKIP_UP_TO_DATE", None)
        else:
            os.environ["TRACKER_SKIP_UP_TO_DATE"] = previous


def _run(job: str, log_level: str, timings: bool, explain: bool, started: float) -> None:
    from pipelines.orchestration import up_to_date

    with up_to_date.shared_file_hashes():
        _plan_and_execute(job, log_level, timings, explain, started)


def _plan_and_execute(job: str, log_level: str, timings: bool, explain: bool, started: float):
    from pipelines.orchestration import up_to_date
    from pipelines.settings import warehouse_path

    # With nothing changed since the last run, the answer needs neither Dagster nor the job.
    if up_to_date.everything_up_to_date(job, warehouse_path()):
        _nothing_to_do(explain or timings, started)
        return
    from pipelines.definitions import defs
    from pipelines.reporting.notebooks import start_kernels, stop_kernels
    from pipelines.settings import NOTEBOOKS_DIR, notebook_kernel_env

    # Modules and definitions live as long as the command: kept out of the collector's reach,
    # each collection during the run scans only what the run itself allocates.
    gc.freeze()

    job_names = sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__"))
    if job not in job_names:
        _fail(f"no job named {job!r}; choose one of: {', '.join(job_names)}")
    job_def = defs.resolve_job_def(job)
    plan, stale_assets, stale_checks = up_to_date.plan(job_def, warehouse_path())
    if plan.nothing_to_do:
        _nothing_to_do(explain or timings, started)
        return
    notebooks = [key for key in stale_assets if key.to_user_string().startswith("notebook_")]
    if notebooks:
        # Their kernels start now, on the other core, while the tables are built.
        start_kernels(len(notebooks), notebook_kernel_env(str(warehouse_path())), NOTEBOOKS_DIR)
    try:
        _execute_plan(
            job_def, plan, stale_assets, stale_checks, log_level, timings, explain, started
        )
    finally:
        stop_kernels()


def _execute_plan(job_def, plan, stale_assets, stale_checks, log_level, timings, explain, started):
    from filelock import FileLock

    from pipelines.orchestration import up_to_date
    from pipelines.orchestration.event_log import local_instance, write_without_fsync
    from pipelines.settings import warehouse_path
    from pipelines.warehouse.resources import kept_open

    write_without_fsync()
    # Two runs starting on a new DAGSTER_HOME would race to create its SQLite tables.
    with FileLock(os.path.join(os.environ["DAGSTER_HOME"], ".instance.lock")):
        instance = local_instance()
    graph = job_def.asset_layer.asset_graph
    tables = {key for key in stale_assets if graph.get(key).group_name != _REPORTS}
    # Split only where no table waits on a report asset being rebuilt.
    reports_first = any(
        parent in stale_assets and graph.get(parent).group_name == _REPORTS
        for key in tables
        for parent in graph.get(key).parent_keys
    )
    results, stats, decided = [], [], {}
    with instance:
        if (
            up_to_date.skipping_enabled()
            and tables
            and tables != stale_assets
            and not reports_first
        ):
            # Tables first, then the report group planned again: a chart or notebook whose
            # tables came out the same is then left out instead of entering the run to skip.
            first = job_def.get_subset(asset_selection=tables, asset_check_selection={
                c for c in stale_checks if graph.get(c.asset_key).group_name != _REPORTS})  # fmt: skip
            # Every table step reads the warehouse in this process: it stays open for the run.
            with kept_open(warehouse_path()):
                results.append(_execute(first, instance, log_level, started))
            stats += instance.get_run_step_stats(results[-1].run_id)
            decided = dict(up_to_date.outcomes)
            if results[-1].success:
                plan, stale_assets, stale_checks = up_to_date.plan(job_def, warehouse_path())
                for name, outcome in decided.items():
                    if outcome[0] == up_to_date.RECOMPUTED or name not in up_to_date.outcomes:
                        up_to_date.outcomes[name] = outcome
        if not results or (results[-1].success and not plan.nothing_to_do):
            rest = job_def.get_subset(
                asset_selection=stale_assets, asset_check_selection=stale_checks
            )
            results.append(_execute(rest, instance, log_level, started))
            stats += instance.get_run_step_stats(results[-1].run_id)
    if timings:
        _print_breakdown(stats, time.perf_counter() - started)
    _print_outcomes(up_to_date.outcomes, explain or timings)
    console().print(f"{up_to_date.summary()} (--explain says why)", highlight=False)
    _print_summary(stats, time.perf_counter() - started)
    if not results[-1].success:
        _print_failures(results[-1])
        console().print(
            "[red]run failed[/red]; tables upstream of the failure were written, the rest kept"
        )
        raise typer.Exit(1)
    ids = " then ".join(result.run_id for result in results)
    console().print(f"[green]run {ids} succeeded[/green]; outputs are in build/")


# Charts, notebooks, Data Docs and the report: planned again once the tables they read are built.
_REPORTS = "reports"


def _execute(job_def, instance, log_level: str, started: float):
    """One in-process run of `job_def` on `instance`, showing its progress."""
    import uuid

    from pipelines.orchestration import up_to_date
    from pipelines.orchestration.progress import RunProgress

    up_to_date.forget_outputs()
    run_id = str(uuid.uuid4())
    steps = len(job_def.graph.nodes)
    console().print(
        f"running {steps} steps ({time.perf_counter() - started:.0f} s)", highlight=False
    )
    with RunProgress(instance, run_id, steps, console(), started):
        return job_def.execute_in_process(
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )


def _nothing_to_do(explain: bool, started: float) -> None:
    from pipelines.orchestration import up_to_date

    _print_outcomes(up_to_date.outcomes, explain)
    console().print(
        f"[green]nothing to recompute[/green]: {up_to_date.summary()} "
        f"in {time.perf_counter() - started:.1f} s (--force recomputes them)",
        highlight=False,
    )


def _preflight_or_exit() -> None:
    from pipelines.preflight import preflight

    result = preflight()
    for warning in result.warnings:
        console().print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
    if not result.ok:
        for problem in result.problems:
            console().print(f"[red]preflight:[/red] {problem}", soft_wrap=True)
        console().print(f"[red]{len(result.problems)} problem(s); nothing was run[/red]")
        raise typer.Exit(2)


@app.command()
def preflight() -> None:
    """Check settings and every data file a run reads, in seconds, one line per problem."""
    _preflight_or_exit()
    console().print("[green]preflight passed[/green]")


@app.command()
def dev(
    host: str = typer.Option("127.0.0.1", help="Interface the UI listens on."),
    port: int = typer.Option(3000, help="Port of the UI."),
) -> None:
    """The Dagster UI and daemon, and the report for chart previews; Ctrl-C or SIGTERM stops all."""
    from pipelines.orchestration.dev import run_dev

    raise typer.Exit(run_dev(host, port, console()))


def _fail(message: str, code: int = 2) -> NoReturn:
    """A mistake the user can fix: one line on stderr naming the remedy, no traceback."""
    console().print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _print_failures(result) -> None:
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:
                error = error.cause  # the user-code error, not Dagster's wrapper
            console().print(
                f"[red]{event.step_key} failed:[/red] {error.message.strip() if error else ''}"
            )
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            failing = evaluation.metadata.get("failing_expectations")
            console().print(
                f"[red]check {evaluation.asset_key.to_user_string()} failed:[/red] "
                f"{failing.value if failing else ''}"
            )


@app.command()
def release(
    release_id: str = typer.Argument(..., help="The release's ID, e.g. 2026Q4; never reused."),
) -> None:
    """Freeze the current build into releases/ID: report, workbook, exports, notes, manifest."""
    from pipelines.releases.freeze import ReleaseError, make_release

    try:
        made = make_release(release_id)
    except ReleaseError as error:
        _fail(str(error))
    console().print(
        f"release {made.release_id} written to {made.folder} "
        f"(notes: {made.folder / 'NOTES.md'}); commit it to publish"
    )


@app.command()
def coverage(
    write: bool = typer.Option(False, "--write", help="Rewrite README.md's coverage section."),
) -> None:
    """Coverage of the registers by family and year, and the known gaps, from the warehouse."""
    from pipelines.reporting.coverage import coverage_markdown, replace_section
    from pipelines.settings import PROJECT_ROOT, warehouse_path
    from pipelines.warehouse.resources import read_only_warehouse

    with read_only_warehouse(warehouse_path()) as con:
        body = coverage_markdown(con)
    if write:
        changed = replace_section(PROJECT_ROOT / "README.md", body)
        console().print("README.md coverage " + ("updated" if changed else "already current"))
    else:
        print(body)


@app.command()
def classify(
    file: typer.FileText = typer.Argument(  # noqa: B008 (typer's way of declaring arguments)
        ..., help='JSON lines {"id": ..., "text": ...}; - for stdin.'
    ),
) -> None:
    """Classify press items: one JSON line per input with relevance, family, commitments and why."""
    import json

    from pipelines.press.classifier import load_classifier

    ids, texts = [], []
    # every line is read and checked before any is classified: one vectorisation for the batch
    for number, line in enumerate(file, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            ids.append(item["id"])
            texts.append(str(item["text"]))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            console().print(f"[red]line {number}:[/red] not an object with id and text ({error})")
            raise typer.Exit(2) from None
    for item_id, decision in zip(ids, load_classifier().classify_many(texts), strict=True):
        print(json.dumps(decision.as_json(item_id), ensure_ascii=False))


@app.command("fit-classifier")
def fit_classifier() -> None:
    """Fit the press model on the labelled set's train split; store it in data/classifier/press_model.json."""
    from pipelines.press.press_model_fit import FitError, write_model

    try:
        document = write_model()
    except FitError as error:
        _fail(f"press model not stored: {error}")
    counts = document["weights"]
    console().print(
        f"press model fitted on {len(document['train_ids'])} train items of "
        f"{document['labelled_file']} ({1 + len(counts['family']) + len(counts['commitments'])} "
        "models, checked against scikit-learn on every labelled item): data/classifier/press_model.json"
    )


@app.command("evaluate-classifier")
def evaluate_classifier(
    labelled: str = typer.Option("", help="Labelled JSON lines; the bundled set by default."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Precision, recall and F1 of commitment assignment, relevance and family accuracy, per split.

    Train is in-sample (the model was fitted on it), dev chose the thresholds; test alone is held out.
    """
    import json
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from pipelines.press.evaluation import LABELLED_SET, evaluate_splits, read_labelled

    reports = evaluate_splits(read_labelled(Path(labelled) if labelled else LABELLED_SET))
    if as_json:
        print(json.dumps(reports, indent=1))
        return
    summary = Table(title="Press classifier per split (train: in-sample; dev: chose thresholds; "
                          "test: held out)")  # fmt: skip
    for column in ("split", "items", "pairs", "precision", "recall", "F1", "relevance", "family"):
        summary.add_column(column, justify="right")
    for split, report in reports.items():
        micro = report["micro"]
        summary.add_row(split, str(report["items"]), str(micro["support"]),
                        f"{micro['precision']:.3f}", f"{micro['recall']:.3f}", f"{micro['f1']:.3f}",
                        f"{report['relevance_accuracy']:.3f}", f"{report['family_accuracy']:.3f}")  # fmt: skip
    Console().print(summary)
    if "test" not in reports:
        return
    table = Table(title="Per commitment, test split")
    for column in ("commitment", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="right")
    for commitment, s in reports["test"]["per_commitment"].items():
        table.add_row(commitment, f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}",
                      str(s["support"]))  # fmt: skip
    Console().print(table)


@app.command("evaluate-mapping")
def evaluate_mapping(
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """The evidence rules against analysts' link reviews: held-out and tune splits, per section."""
    import json

    from rich.console import Console
    from rich.table import Table

    from pipelines.settings import warehouse_path
    from pipelines.warehouse.resources import read_only_warehouse

    with read_only_warehouse(warehouse_path()) as con:
        cursor = con.execute(
            "SELECT * FROM mapping_evaluation ORDER BY split, section = 'all' DESC, section"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    for split in ("holdout", "tune"):
        table = Table(title=f"{split}: share of rule-made links a review confirmed")
        for column in ("section", "reviewed", "confirmed", "share", "missed", "recall"):
            table.add_column(column, justify="right")
        chosen = [r for r in rows if r["split"] == split]
        for r in chosen:
            share = "-" if r["precision"] is None else f"{r['precision']:.3f}"
            recall = "-" if r["recall"] is None else f"{r['recall']:.3f}"
            table.add_row(r["section"], str(r["reviewed_rule_links"]),
                          str(r["confirmed_rule_links"]), share, str(r["missed_links"]), recall)  # fmt: skip
        Console().print(table)
        missed = next((r["missed"] for r in chosen if r["section"] == "all"), [])
        print(f"missed links ({split}): " + (", ".join(missed) if missed else "none"))


@app.command("check-registers")
def check_registers_command(
    folder: str = typer.Argument(None, help="A folder of register CSVs (default: data/registers)."),
) -> None:
    """Validate register files as a run would, and list what it would quarantine, by file and line."""
    from pathlib import Path

    from pipelines.curated.registers import FAMILY_COLUMNS, RegisterError
    from pipelines.curated.registers_check import check_registers, check_statements
    from pipelines.settings import registers_dir

    root = Path(folder) if folder else registers_dir()
    if not root.is_dir():
        _fail(f"{root} is not a folder: pass the folder that holds the register CSVs")
    # every register a run reads: a missing one fails the run, so it fails the check too
    files = {family: root / f"{family}.csv" for family in FAMILY_COLUMNS}
    statements = root / "statements.csv"
    try:
        loaded, problems = check_registers(files)
        if statements.exists():
            loaded_statements, statement_problems = check_statements(statements)
    except RegisterError as error:
        _fail(f"{error} (in the register folder {root})")
    for row in problems.itertuples():
        print(
            f"{row.source_file}:{row.line_no}: {row.event_id or '-'}: {row.column_name or 'row'}: {row.reason}"
        )
    n_loaded, n_problems = len(loaded), len(problems)
    if statements.exists():
        for row in statement_problems.itertuples():
            print(
                f"{row.source_file}:{row.line_no}: {row.statement_id or '-'}: {row.column_name or 'row'}: {row.reason}"
            )
        n_loaded, n_problems = (
            n_loaded + len(loaded_statements),
            n_problems + len(statement_problems),
        )
    console().print(f"{n_loaded} row(s) would load, {n_problems} problem(s) would be quarantined")
    if n_problems:
        raise typer.Exit(1)


def _print_summary(stats, total_s: float) -> None:
    counts: dict[str, int] = {}
    for stat in stats:
        status = str(stat.status.value if stat.status else "unknown").lower()
        counts[status] = counts.get(status, 0) + 1
    slowest = sorted(stats, key=lambda s: (s.end_time or 0) - (s.start_time or 0))[-3:]
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    console().print(f"{len(stats)} steps ({parts}) in {total_s:.1f} s", highlight=False)
    if slowest:
        console().print(
            "slowest: "
            + ", ".join(
                f"{s.step_key} {(s.end_time or 0) - (s.start_time or 0):.1f} s"
                for s in reversed(slowest)
            )
            + " (--timings for every step)",
            highlight=False,
        )


def _print_outcomes(outcomes: dict[str, tuple[str, str]], every_step: bool) -> None:
    """Per step (--explain): up to date, recomputed or not run, and why."""
    if not every_step:
        return
    from rich.table import Table

    table = Table(title="Up to date or recomputed, and why")
    for column in ("step", "state", "why"):
        table.add_column(column)
    for name, (state, why) in sorted(outcomes.items()):
        table.add_row(name, state, why)
    console().print(table)


def _print_breakdown(stats, total_s: float) -> None:
    from rich.table import Table

    table = Table(title="Where the time went", show_lines=False)
    table.add_column("step")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    for stat in sorted(stats, key=lambda s: s.start_time or 0):
        seconds = (stat.end_time or 0) - (stat.start_time or 0)
        table.add_row(
            stat.step_key, str(stat.status.value if stat.status else "?"), f"{seconds:.2f}"
        )
    table.add_row("total (wall, incl. start-up)", "", f"{total_s:.2f}")
    console().print(table)


def main() -> None:
    from pipelines.settings import build_dir

    os.environ.setdefault("DAGSTER_HOME", str((build_dir() / "dagster_home").resolve()))
    try:
        os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)
    except OSError as error:
        console().print(
            f"[red]error:[/red] cannot create {os.environ['DAGSTER_HOME']} ({error.strerror}); "
            "make the build folder writable or set TRACKER_BUILD_DIR to one that is",
            soft_wrap=True,
        )
        return 2
    try:
        app()
    finally:
        # Everything the command built dies with the process: frozen, it is not traversed again
        # by the collections of interpreter shutdown (~2 s after a run that loaded Dagster).
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
