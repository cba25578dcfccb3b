"""Command line: `python -m pipelines run | coverage | classify | evaluate-classifier | evaluate-mapping`."""

import importlib
import os
import sys
import threading
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
    # Importing great_expectations takes seconds; do it on the other core while the first,
    # check-free assets run, instead of in the first check.
    threading.Thread(
        target=importlib.import_module, args=("great_expectations",), daemon=True
    ).start()
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


@app.command()
def classify(
    file: typer.FileText = typer.Argument(  # noqa: B008 (typer's way of declaring arguments)
        ..., help='JSON lines {"id": ..., "text": ...}; - for stdin.'
    ),
) -> None:
    """Classify press items: one JSON line per input with relevance, family, commitments and why."""
    import json

    from pipelines.classifier import classify as classify_text
    from pipelines.classifier import load_rules

    rules = load_rules()
    for number, line in enumerate(file, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item_id, text = item["id"], item["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            console.print(f"[red]line {number}:[/red] not an object with id and text ({error})")
            raise typer.Exit(2) from None
        decision = classify_text(str(text), rules)
        print(json.dumps(decision.as_json(item_id), ensure_ascii=False))


@app.command("evaluate-classifier")
def evaluate_classifier(
    labelled: str = typer.Option("", help="Labelled JSON lines; the bundled set by default."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Precision, recall and F1 of commitment assignment, relevance and family accuracy."""
    import json
    from pathlib import Path

    from pipelines.evaluation import LABELLED_SET, evaluate, read_labelled

    report = evaluate(read_labelled(Path(labelled) if labelled else LABELLED_SET))
    if as_json:
        print(json.dumps(report, indent=1))
        return
    micro = report["micro"]
    print(f"items: {report['items']}")
    print(f"commitments (micro): precision {micro['precision']:.3f}  recall {micro['recall']:.3f}  "
          f"F1 {micro['f1']:.3f}  ({micro['support']} labelled pairs)")  # fmt: skip
    print(f"relevance accuracy: {report['relevance_accuracy']:.3f}")
    print(f"family accuracy (relevant items): {report['family_accuracy']:.3f}")
    table = Table(title="Per commitment")
    for column in ("commitment", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="right")
    for commitment, s in report["per_commitment"].items():
        table.add_row(commitment, f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}",
                      str(s["support"]))  # fmt: skip
    Console().print(table)


@app.command("evaluate-mapping")
def evaluate_mapping(
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """The evidence rules against analysts' link reviews: held-out and tune splits, per section."""
    import json

    import duckdb

    from pipelines.settings import warehouse_path

    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
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

    from pipelines.registers import FAMILY_COLUMNS, RegisterError
    from pipelines.registers_check import check_registers
    from pipelines.settings import registers_dir

    root = Path(folder) if folder else registers_dir()
    files = {
        family: root / f"{family}.csv"
        for family in FAMILY_COLUMNS
        if (root / f"{family}.csv").exists()
    }
    try:
        loaded, problems = check_registers(files)
    except RegisterError as error:
        console.print(f"[red]rejected:[/red] {error}")
        raise typer.Exit(2) from None
    for row in problems.itertuples():
        print(
            f"{row.source_file}:{row.line_no}: {row.event_id or '-'}: {row.column_name or 'row'}: {row.reason}"
        )
    console.print(
        f"{len(loaded)} row(s) would load, {len(problems)} problem(s) would be quarantined"
    )
    if len(problems):
        raise typer.Exit(1)


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
