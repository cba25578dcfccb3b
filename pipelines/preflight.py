"""Preflight: every setting and every data file a run reads, checked before any asset runs.

`python -m pipelines run` calls `preflight()` first (and `python -m pipelines preflight` alone),
so a bad file fails the run in its first seconds with one line per problem, naming the file, the
line where there is one, and the remedy. The assets keep the same checks (they call the same
readers), so runs started from the UI or a schedule refuse the same inputs.

Warnings do not stop a run: a damaged press-feed snapshot only drops that source's items.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import settings
from pipelines.inputs import InputError, decode_utf8, read_bytes

MIN_FREE_BYTES = 200 * 1024 * 1024  # a full run writes ~60 MB; leave room for the warehouse
ACTIONS = ("link", "exclude")
TRADE_COLUMNS = ("figure_id", "year", "reporter", "partner", "flow", "value", "source_url")


@dataclass
class Preflight:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def preflight() -> Preflight:
    result = Preflight()
    for check in (
        _settings,
        _build_folder,
        _registers,
        _reference_files,
        _catalogue,
        _codebook,
        _classifier,
        _evidence_rules,
        _declaration,
        _snapshots,
        _review,
    ):
        try:
            check(result)
        except (InputError, ValueError, OSError) as error:  # a check's own input is unusable
            result.problems.append(" ".join(str(error).split()))
    return result


def _settings(result: Preflight) -> None:
    try:
        settings.as_of()
    except settings.SettingError as error:
        result.problems.append(str(error))
    for variable, folder in (
        ("TRACKER_REGISTERS_DIR", settings.registers_dir()),
        ("TRACKER_SNAPSHOTS_DIR", settings.snapshots_dir()),
        ("TRACKER_REVIEW_DIR", settings.review_dir()),
    ):
        if variable in os.environ and not folder.is_dir():
            result.problems.append(
                f"{variable}={folder} is not a folder; point it at one or unset it"
            )


def _build_folder(result: Preflight) -> None:
    build = settings.build_dir()
    try:
        build.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=build, prefix=".preflight-"):
            pass
    except OSError as error:
        result.problems.append(
            f"build folder {build} cannot be written ({error.strerror}); fix its permissions or "
            "set TRACKER_BUILD_DIR to a writable folder"
        )
        return
    free = shutil.disk_usage(build).free
    if free < MIN_FREE_BYTES:
        result.problems.append(
            f"build folder {build} has {free // 2**20} MB free, under {MIN_FREE_BYTES // 2**20} MB; "
            "free some space or set TRACKER_BUILD_DIR to another disk"
        )


def register_event_ids() -> tuple[set[str], list[str]]:
    """Every event id of the register files, and the problems of those that cannot be read."""
    from pipelines.curated.registers import FAMILY_COLUMNS, RegisterError, read_register

    ids, problems = set(), []
    for family in FAMILY_COLUMNS:
        path = settings.registers_dir() / f"{family}.csv"
        try:
            frame = read_register(path, family, f"data/registers/{path.name}").frame
        except RegisterError as error:
            problems.append(str(error))
            continue
        ids |= set(frame["event_id"].dropna())
    return ids, problems


def _registers(result: Preflight) -> None:
    ids, problems = register_event_ids()
    result.problems += problems
    trade = settings.registers_dir() / "published_trade_figures.csv"
    frame = _csv(result, trade, "data/registers/published_trade_figures.csv")
    if frame is not None:
        missing = [c for c in TRADE_COLUMNS if c not in frame.columns]
        if missing:
            result.problems.append(
                f"data/registers/published_trade_figures.csv, line 1: the header lacks column(s) "
                f"{', '.join(missing)}"
            )
    links = _csv(
        result, settings.DATA_DIR / "mapping" / "manual_links.csv", "data/mapping/manual_links.csv"
    )
    if links is not None and not problems:
        result.problems += manual_links_problems(links, ids)


def manual_links_problems(frame: pd.DataFrame, known_event_ids: set[str]) -> list[str]:
    """Manual links and exclusions must name an action and an event a register holds: an
    exclusion of a misspelt id would silently exclude nothing."""
    name = "data/mapping/manual_links.csv"
    missing = [c for c in ("commitment_id", "event_id", "action") if c not in frame.columns]
    if missing:
        return [f"{name}, line 1: the header lacks column(s) {', '.join(missing)}"]
    problems = []
    for line_no, row in enumerate(frame.itertuples(), start=2):
        event_id, action = str(row.event_id).strip(), str(row.action).strip()
        if action not in ACTIONS:
            problems.append(f"{name}, line {line_no}: action {action!r} must be link or exclude")
        if event_id not in known_event_ids:
            problems.append(
                f"{name}, line {line_no}: {action} names event {event_id!r}, which no register "
                "holds; correct the id or remove the line"
            )
    return problems


def _csv(result: Preflight, path: Path, label: str) -> pd.DataFrame | None:
    import io

    try:
        text = decode_utf8(read_bytes(path, label), label)
    except InputError as error:
        result.problems.append(str(error))
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype="string", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        result.problems.append(f"{label}: not a readable CSV ({' '.join(str(error).split())})")
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda column: column.str.strip())


def _reference_files(result: Preflight) -> None:
    for relative in (
        "reference/participants.csv",
        "reference/vocabularies.csv",
        "reference/critical_minerals.csv",
        "declaration/themes.csv",
    ):
        _csv(result, settings.DATA_DIR / relative, f"data/{relative}")


def _catalogue(result: Preflight) -> None:
    from pipelines.curated.catalogue import CatalogueError, read_entries

    try:
        read_entries(settings.DATA_DIR / "indicators.yaml")
    except CatalogueError as error:
        result.problems.append(str(error))


def _codebook(result: Preflight) -> None:
    from pipelines.curated.codebook import CodebookError, read_codebook
    from pipelines.curated.declaration import read_themes

    try:
        read_codebook(settings.DATA_DIR / "codebook.yaml", set(read_themes(settings.THEMES_FILE)))
    except (CodebookError, ValueError) as error:
        result.problems.append(str(error))


def _classifier(result: Preflight) -> None:
    from pipelines.press.classifier import RulesError, load_rules
    from pipelines.press.labelled import LABELLED_SET, of_split, read_labelled
    from pipelines.press.press_model import MODEL_FILE, file_sha256, stale_reason

    try:
        load_rules()
    except RulesError as error:
        result.problems.append(str(error))
    # a stale stored model still classifies (fitted afresh each run), only slower: a warning
    try:
        stored = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        train = of_split(read_labelled(LABELLED_SET), "train")
        reason = stale_reason(stored, file_sha256(LABELLED_SET), train)
    except (OSError, ValueError, KeyError, AttributeError) as error:
        reason = f"unreadable ({error})"
    if reason:
        result.warnings.append(
            f"data/classifier/{MODEL_FILE.name} is {reason}; the press model will be fitted at "
            "every run until `make classifier-model` stores it again"
        )


def evidence_rule_problems(frame: pd.DataFrame) -> list[str]:
    """Keywords of evidence rules compiled by DuckDB's RE2, as the mapping SQL will."""
    problems = []
    with duckdb.connect() as con:
        for line_no, row in enumerate(frame.itertuples(), start=2):
            keywords = str(getattr(row, "keywords", "") or "")
            if not keywords:
                continue
            try:
                con.execute("SELECT regexp_matches('', ?)", ["(?i)" + keywords])
            except duckdb.Error as error:
                reason = " ".join(str(error).split())[:160]
                problems.append(
                    f"data/mapping/evidence_rules.csv, line {line_no}: rule {row.rule_id}: keywords "
                    f"{keywords[:60]!r} are not a valid regular expression ({reason}); fix or escape it"
                )
                continue
            problems += _finite_keyword_problems(line_no, row)
    return problems


def _finite_keyword_problems(line_no: int, row) -> list[str]:
    """The mapping finds keywords by expanding each expression into the words it matches."""
    from pipelines.mapping.keyword_matcher import UnsupportedPattern, expand

    problems = []
    for column in ("keywords", "exclude_keywords"):
        pattern = str(getattr(row, column, "") or "")
        try:
            if pattern:
                expand(pattern)
        except UnsupportedPattern as error:
            problems.append(
                f"data/mapping/evidence_rules.csv, line {line_no}: rule {row.rule_id}: {column}: {error}; "
                "use words, '|', '?', groups, classes like [cs] and \\b only"
            )
    return problems


def _evidence_rules(result: Preflight) -> None:
    frame = _csv(
        result,
        settings.DATA_DIR / "mapping" / "evidence_rules.csv",
        "data/mapping/evidence_rules.csv",
    )
    if frame is not None:
        result.problems += evidence_rule_problems(frame)


def _declaration(result: Preflight) -> None:
    from pipelines.curated.declaration import (
        DeclarationFormatError,
        check_pinned,
        parse_commitments,
        read_themes,
    )

    label = f"data/declaration/{settings.DECLARATION_FILE.name}"
    text = decode_utf8(read_bytes(settings.DECLARATION_FILE, label), label)
    try:
        parsed = parse_commitments(text, read_themes(settings.THEMES_FILE))
        check_pinned(parsed, settings.DECLARATION_PINS_FILE)
    except DeclarationFormatError as error:
        result.problems.append(f"{label}: {error}")


def _snapshots(result: Preflight) -> None:
    # the folders the assets read (pipelines.assets.trade/feeds), without importing Dagster
    from pipelines.sources.feeds import SOURCES, feed_store
    from pipelines.sources.snapshots import SnapshotError, SnapshotStore

    folder = settings.snapshots_dir()
    stores = [("comtrade", SnapshotStore(folder / "comtrade", ""), True)] + [
        (f"press feed {name}", feed_store(folder / "feeds", source), False)
        for name, source in SOURCES.items()
    ]
    for label, store, blocking in stores:
        try:
            for line_no, row in enumerate(store.manifest(), start=2):
                # a path outside the folder always blocks: it is a tampered manifest
                store.path(row)
                retrieved = (row.get("retrieved_at") or "")[:10]
                if not _past_day(retrieved):
                    result.problems.append(
                        f"{store.folder / 'manifest.csv'}, line {line_no}: retrieved_at "
                        f"{retrieved!r} is not a past YYYY-MM-DD date; correct the manifest"
                    )
        except SnapshotError as error:
            result.problems.append(str(error))
            continue
        except (OSError, ValueError, KeyError) as error:
            result.problems.append(
                f"{store.folder / 'manifest.csv'}: unreadable manifest ({error})"
            )
            continue
        try:
            store.newest()
        except SnapshotError as error:
            (result.problems if blocking else result.warnings).append(f"{label}: {error}")


def _review(result: Preflight) -> None:
    from pipelines.press.review import ReviewError, read_decisions

    try:
        read_decisions(settings.review_dir() / "decisions.csv")
    except (ReviewError, UnicodeDecodeError, pd.errors.ParserError) as error:
        result.problems.append(f"data/review/decisions.csv: {' '.join(str(error).split())}")


def _past_day(text: str) -> bool:
    from datetime import date, timedelta

    try:
        return date.fromisoformat(text) <= date.today() + timedelta(days=1)
    except ValueError:
        return False
