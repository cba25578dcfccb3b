"""Command line: `python -m pipelines run | report ...`."""

import os
import sys
import time

import typer
from filelock import FileLock
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True)


@app.callback()
def _commands() -> None:
    """Japan–India security-cooperation tracker."""


@app.command()
def run(
    job: str = typer.Option("offline_refresh", help="The Dagster job to execute in-process."),
    log_level: str = typer.Option("INFO", help="Dagster log level shown on the console."),
) -> None:
    """Materialize every asset from the bundled data and print where the time went."""
    from dagster import DagsterInstance

    from pipelines.definitions import defs

    started = time.perf_counter()
    # Two runs starting on a new DAGSTER_HOME would race to create its SQLite tables.
    with FileLock(os.path.join(os.environ["DAGSTER_HOME"], ".instance.lock")):
        instance = DagsterInstance.get()
    with instance:
        result = defs.resolve_job_def(job).execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
        stats = instance.get_run_step_stats(result.run_id)
    _print_breakdown(stats, time.perf_counter() - started)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                while error is not None and error.cause is not None:
                    error = error.cause  # the user-code error, not Dagster's wrapper
                console.print(
                    f"[red]{event.step_key} failed:[/red] {error.message.strip() if error else ''}"
                )
        for evaluation in result.get_asset_check_evaluations():
            if not evaluation.passed:
                failing = evaluation.metadata.get("failing_expectations")
                console.print(
                    f"[red]check {evaluation.asset_key.to_user_string()} failed:[/red] "
                    f"{failing.value if failing else ''}"
                )
        console.print(
            "[red]run failed[/red]; tables upstream of the failure were written, the rest kept"
        )
        raise typer.Exit(1)
    console.print(f"[green]run {result.run_id} succeeded[/green]; outputs are in build/")


@app.command()
def coverage(
    write: bool = typer.Option(False, "--write", help="Rewrite README.md's coverage section."),
) -> None:
    """Coverage of the registers by family and year, and the known gaps, from the warehouse."""
    import duckdb

    from pipelines.coverage import coverage_markdown, replace_section
    from pipelines.settings import PROJECT_ROOT, warehouse_path

    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        body = coverage_markdown(con)
    if write:
        changed = replace_section(PROJECT_ROOT / "README.md", body)
        console.print("README.md coverage " + ("updated" if changed else "already current"))
    else:
        print(body)


def _print_breakdown(stats, total_s: float) -> None:
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
    console.print(table)


def main() -> None:
    from pipelines.settings import build_dir

    os.environ.setdefault("DAGSTER_HOME", str((build_dir() / "dagster_home").resolve()))
    os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)
    app()


if __name__ == "__main__":
    sys.exit(main())
