"""Press feeds: snapshots of official releases, their items, and the candidates they propose.

Offline runs read the newest bundled snapshot of each source (data/snapshots/feeds/<source>/);
`TRACKER_LIVE=1` fetches anew. Every item is classified and turned into a proposed register row;
reviewers accept or reject candidates in data/review/decisions.csv, and accepted rows enter the
registers through raw_accepted_candidates, checked like hand-entered rows.
"""

import json

import pandas as pd
from dagster import (
    AssetExecutionContext,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    asset,
)

from pipelines import settings
from pipelines.curated.registers import FAMILY_COLUMNS, register_columns
from pipelines.orchestration.up_to_date import guarded
from pipelines.press.classifier import load_classifier
from pipelines.press.extraction import propose
from pipelines.press.review import ReviewError, parse_corrections, read_decisions
from pipelines.settings import OWNERS
from pipelines.sources.feeds import (
    PARTITION,
    SOURCES,
    FeedClient,
    FeedError,
    FeedItem,
    PibSource,
    feed_store,
    fetch,
    read_snapshot,
)
from pipelines.sources.snapshots import SnapshotError
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.tables import replace_table

REGISTER_FIELDS = list(
    dict.fromkeys(
        [*register_columns("dialogues"), *(c for cs in FAMILY_COLUMNS.values() for c in cs)]
    )
)
ITEM_COLUMNS = [
    "candidate_id", "source", "item_url", "canonical_url", "title", "published_date",
    "date_precision", "date_from", "ministry", "text", "retrieved_date", "snapshot_id", "problems",
]  # fmt: skip


def feeds_folder():
    return settings.snapshots_dir() / "feeds"


@asset(
    owners=OWNERS,
    group_name="sources",
    kinds={"python"},
    retry_policy=RetryPolicy(max_retries=2, delay=60),
    description="Official press feeds (PIB, Japan MOD) as received, in data/snapshots/feeds/.",
)
@guarded
def feed_snapshots(context: AssetExecutionContext) -> MaterializeResult:
    if not settings.live_sources_enabled():
        # Reading files cannot mend by waiting: a damaged snapshot is reported, never retried, and
        # raw_feed_items goes on with the other sources.
        kept, damaged = {}, {}
        for name, source in SOURCES.items():
            try:
                kept[name] = len(feed_store(feeds_folder(), source).newest())
            except SnapshotError as error:
                context.log.error(f"{name}: stored snapshot unusable: {error}")
                damaged[name] = str(error)
        context.log.info(f"offline: bundled feed snapshot files {kept}")
        return MaterializeResult(
            metadata={
                "mode": "offline",
                "files": MetadataValue.json(kept),
                "damaged": MetadataValue.json(damaged),
            }
        )
    client = FeedClient()
    fetched, failed = {}, []
    try:
        for name, source in SOURCES.items():
            try:
                captured = fetch(source, client)
            except FeedError as error:  # this source keeps its previous snapshot
                context.log.error(f"{name}: fetch failed, previous snapshot kept: {error}")
                failed.append(name)
                continue
            fetched[name] = feed_store(feeds_folder(), source).save_fetch(PARTITION, captured)
    finally:
        client.close()
    if failed and not fetched:
        raise Failure(f"every feed failed ({', '.join(failed)}); previous snapshots kept")
    return MaterializeResult(metadata={"mode": "live", "fetches": MetadataValue.json(fetched)})


def _item_row(item: FeedItem) -> dict:
    return {
        "candidate_id": item.candidate_id,
        "source": item.source,
        "item_url": item.url,
        "canonical_url": item.canonical_url,
        "title": item.title,
        "published_date": item.published_date.isoformat() if item.published_date else None,
        "date_precision": item.date_precision,
        "date_from": item.date_from,
        "ministry": item.ministry,
        "text": item.text,
        "retrieved_date": item.retrieved_date.isoformat() if item.retrieved_date else None,
        "snapshot_id": item.snapshot_id,
        "problems": "; ".join(item.problems) or None,
    }


@asset(owners=OWNERS, group_name="sources", kinds={"python", "duckdb"}, deps=[feed_snapshots])
@guarded
def raw_feed_items(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """Items of the newest snapshot of every feed, with what each lacks named in `problems`."""
    rows, warnings, skipped = [], [], []
    for name, source in SOURCES.items():
        try:
            read = read_snapshot(feed_store(feeds_folder(), source), source)
        except (FeedError, SnapshotError) as error:
            # One damaged source must not hold back the others; its files stay on disk as they
            # are, and the error is in the log and the metadata until it is replaced.
            context.log.error(
                f"{name}: the stored snapshot cannot be read, source skipped: {error}"
            )
            skipped.append(f"{name}: {error}")
            continue
        warnings += [f"{name}: {w}" for w in read.warnings]
        rows += [_item_row(item) for item in read.items]
    for warning in warnings:
        context.log.warning(warning)
    frame = pd.DataFrame.from_records(rows, columns=ITEM_COLUMNS).astype("string")
    frame = frame.drop_duplicates("candidate_id")  # one item listed twice is one candidate
    with warehouse.get_connection() as con:
        replace_table(con, "raw_feed_items", frame)
    return MaterializeResult(
        metadata={
            "dagster/row_count": MetadataValue.int(len(frame)),
            "warnings": MetadataValue.text("\n".join(warnings) or "none"),
            "skipped_sources": MetadataValue.text("\n".join(skipped) or "none"),
        }
    )


@asset(owners=OWNERS, group_name="sources", kinds={"python", "duckdb"})
@guarded
def review_decisions(warehouse: Warehouse) -> MaterializeResult:
    """data/review/decisions.csv as received: reviewers' accept/reject of candidates."""
    try:
        frame = read_decisions(settings.review_dir() / "decisions.csv")
    except ReviewError as error:
        raise Failure(str(error)) from None
    with warehouse.get_connection() as con:
        replace_table(con, "review_decisions", frame)
    return MaterializeResult(metadata={"dagster/row_count": MetadataValue.int(len(frame))})


def _canonical(url: str | None) -> str | None:
    if not url:
        return None
    return PibSource.canonical(url.strip()).replace("http://", "https://", 1).rstrip("/")


@asset(
    owners=OWNERS,
    group_name="mapping",
    kinds={"python", "duckdb"},
    deps=["raw_feed_items", "review_decisions", *(f"raw_{family}" for family in FAMILY_COLUMNS)],
)
@guarded
def candidates(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """The review queue: every feed item classified, with the register row it proposes and why.

    Rows come surest first (`confidence`), so a reviewer with little time reads the likeliest
    evidence before the doubtful.
    """
    classifier = load_classifier()
    rules = classifier.rules
    with warehouse.get_connection() as con:
        items = con.execute("SELECT * FROM raw_feed_items ORDER BY candidate_id").df()
        decisions = con.execute("SELECT * FROM review_decisions").df()
        registered_rows = con.execute(
            " UNION ALL ".join(
                # constant table names, no values: nothing to parameterise
                f"SELECT source_url, event_id FROM raw_{family}"  # noqa: S608
                for family in FAMILY_COLUMNS
            )
        ).fetchall()
    registered = {_canonical(url): event_id for url, event_id in registered_rows if url}
    decided = {
        row.candidate_id: row for row in decisions.itertuples() if pd.notna(row.candidate_id)
    }
    feed_rows = list(items.itertuples())
    decisions = classifier.classify_many(
        [f"{_value(item.title) or ''}\n{_value(item.text) or ''}" for item in feed_rows],
        [_value(item.source) for item in feed_rows],
    )
    rows = []
    for item, decision in zip(feed_rows, decisions, strict=True):
        feed_item = FeedItem(
            source=item.source,
            url=item.item_url,
            canonical_url=item.canonical_url,
            title=_value(item.title),
            published_date=_date(item.published_date),
            date_precision=_value(item.date_precision),
            text=_value(item.text),
            retrieved_date=_date(item.retrieved_date),
        )
        proposed = propose(feed_item, decision, rules)
        review = decided.get(item.candidate_id)
        review_problems: list[str] = []
        if review is not None:
            corrections, review_problems = parse_corrections(_value(review.corrections))
            proposed.update(corrections)
        row = {
            "candidate_id": item.candidate_id,
            "source": item.source,
            "item_url": item.item_url,
            "relevant": decision.relevant,
            "family": decision.family,
            "commitments": ";".join(decision.commitments) or None,
            "confidence": decision.top_confidence,
            "why": json.dumps(decision.why, ensure_ascii=False),
            "item_problems": _value(item.problems),
            "missing_fields": ";".join(f for f in proposed.pop("missing") if not proposed.get(f))
            or None,
            "registered_event_id": registered.get(_canonical(item.canonical_url)),
            "decision": _value(review.decision) if review is not None else None,
            "reviewer": _value(review.reviewer) if review is not None else None,
            "decided_on": _value(review.decided_on) if review is not None else None,
            "decision_note": _value(review.note) if review is not None else None,
            "decision_line": int(review.line_no) if review is not None else None,
            "review_problems": "; ".join(review_problems) or None,
            **{field: proposed.get(field) for field in REGISTER_FIELDS},
        }
        row["status"] = _status(row)
        rows.append(row)
    frame = _frame(rows).sort_values(
        ["confidence", "candidate_id"], ascending=[False, True], kind="stable", ignore_index=True
    )
    unknown = sorted(set(decided) - set(frame["candidate_id"].dropna()))
    if unknown:
        context.log.warning(f"decisions for candidates not in the current feeds: {unknown}")
    with warehouse.get_connection() as con:
        replace_table(con, "candidates", frame)
    counts = frame["status"].value_counts().to_dict()
    return MaterializeResult(
        metadata={
            "dagster/row_count": MetadataValue.int(len(frame)),
            "status": MetadataValue.json({k: int(v) for k, v in counts.items()}),
        }
    )


def _status(row: dict) -> str:
    """A reviewer's decision wins; then an item already in a register; then the classifier."""
    if row["decision"] == "accept":
        return "accepted"
    if row["decision"] == "reject":
        return "rejected"
    if row["registered_event_id"]:
        return "registered"
    return "pending" if row["relevant"] else "not_relevant"


CANDIDATE_COLUMNS = [
    "candidate_id", "status", "source", "item_url", "relevant", "family", "commitments",
    "confidence", "why",
    "item_problems", "missing_fields", "registered_event_id", "decision", "reviewer", "decided_on",
    "decision_note", "decision_line", "review_problems", *REGISTER_FIELDS,
]  # fmt: skip


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=CANDIDATE_COLUMNS)
    text = [c for c in CANDIDATE_COLUMNS if c not in ("relevant", "decision_line", "confidence")]
    return frame.astype({**dict.fromkeys(text, "string"), "relevant": "boolean",
                         "decision_line": "Int64", "confidence": "float64"})  # fmt: skip


def _value(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _date(value):
    from datetime import date

    text = _value(value)
    return date.fromisoformat(text) if text else None
