"""The keywords every rule finds in every register row, found in one pass over each row's text."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, asset

from pipelines.mapping.keyword_matcher import KeywordMatcher, KeywordSet
from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.warehouse.metadata import table_metadata
from pipelines.warehouse.resources import Warehouse

# The register fields a rule may search (keyword_fields / exclude_fields name them).
FIELDS = (
    "name", "notes", "source_title", "technology_area", "mechanism", "exercise_type",
    "partners", "other_participants", "location",
)  # fmt: skip
ROLES = {"keywords": "keyword_fields", "exclude": "exclude_fields"}
_RULE_SETS = """
    SELECT rule_id, 'keywords' AS role, keywords AS pattern,
           string_split(coalesce(nullif(keyword_fields, ''), 'name'), ';') AS fields
    FROM evidence_rules WHERE nullif(keywords, '') IS NOT NULL
    UNION ALL
    SELECT rule_id, 'exclude', exclude_keywords,
           string_split(coalesce(nullif(exclude_fields, ''), 'name'), ';')
    FROM evidence_rules WHERE nullif(exclude_keywords, '') IS NOT NULL
    ORDER BY rule_id, role
"""
BATCH_ROWS = 100_000
T = TypeVar("T")


def rule_keyword_sets(con: duckdb.DuckDBPyConnection) -> list[KeywordSet]:
    """Each distinct (pattern, fields) that a rule's keywords or exclusions search."""
    roles = con.execute(_RULE_SETS).fetchall()
    return list(
        dict.fromkeys(KeywordSet(pattern, tuple(fields)) for _, _, pattern, fields in roles)
    )


def write_rule_keyword_hits(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build rule_keyword_hits from event_rows and evidence_rules; the number of rows."""
    roles = con.execute(_RULE_SETS).fetchall()
    sets = rule_keyword_sets(con)
    used = [f for f in FIELDS if any(f in s.fields for s in sets)] or ["name"]
    matcher = KeywordMatcher(sets, used)
    number = {keyword_set: i for i, keyword_set in enumerate(sets)}
    readers = pd.DataFrame(
        [(number[KeywordSet(p, tuple(f))], rule_id, role) for rule_id, role, p, f in roles],
        columns=["set_number", "rule_id", "role"],
    )
    parts = []
    # the next batch is read on its own cursor while this one is matched
    with con.cursor() as reader:
        for event_ids, texts, lengths in read_ahead(column_batches(reader, used)):
            rows, set_numbers, bounds, words = matcher.match_columns(texts, lengths)
            # most hits hold one word; NUL parts the words of the others (no keyword holds one:
            # the parser admits printable ASCII)
            matches = np.asarray(words + [""], dtype=object)[bounds[:-1]]
            for i in np.flatnonzero(np.diff(bounds) > 1).tolist():
                matches[i] = "\x00".join(words[bounds[i] : bounds[i + 1]])
            parts.append(
                pd.DataFrame(
                    {
                        "row_event_id": np.asarray(event_ids, dtype=object)[rows],
                        "set_number": set_numbers,
                        "matches": matches,
                    }
                )
            )
    columns = {"row_event_id": [], "set_number": np.zeros(0, dtype=np.int64), "matches": []}
    hits = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns)
    con.register("_hits", hits)
    con.register("_readers", readers)
    try:
        con.execute(
            """CREATE OR REPLACE TABLE rule_keyword_hits AS
            SELECT h.row_event_id::VARCHAR AS row_event_id, r.rule_id::VARCHAR AS rule_id,
                   r.role::VARCHAR AS role, string_split(h.matches, chr(0))::VARCHAR[] AS matches
            FROM _hits AS h JOIN _readers AS r USING (set_number)
            ORDER BY row_event_id, rule_id, role"""
        )
    finally:
        con.unregister("_hits")
        con.unregister("_readers")
    return con.execute("SELECT count(*) FROM rule_keyword_hits").fetchall()[0][0]


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of `items`, the next one taken on a thread while the caller works on this one.
    DuckDB releases the GIL while it runs a query, so reading a batch and matching the one before
    share two cores instead of taking turns on one."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as pool:
        done = object()
        pending = pool.submit(next, items, done)
        while (item := pending.result()) is not done:
            pending = pool.submit(next, items, done)
            yield item


def column_batches(
    con: duckdb.DuckDBPyConnection, fields: list[str], rows: int | None = None
) -> Iterator[tuple[list[str], list[str], list[list[int]]]]:
    """event_rows in batches of `rows`, each as (event ids, one joined text per field, the
    values' lengths per field). DuckDB joins each field's values as KeywordMatcher.match_columns
    reads them (each value + ' ', parted by a NUL), so no value becomes a Python object."""
    # The names come from FIELDS above, never from data.
    texts = ", ".join(
        f"string_agg(coalesce({f}, '') || ' ', chr(0) ORDER BY rowid), "
        f"list(length(coalesce({f}, '')) ORDER BY rowid)"
        for f in fields
    )
    [(last,)] = con.execute("SELECT coalesce(max(rowid), -1) FROM event_rows").fetchall()
    rows = rows or BATCH_ROWS
    for first in range(0, last + 1, rows):
        batch = con.execute(
            f"SELECT list(event_id ORDER BY rowid), {texts} "  # noqa: S608
            "FROM event_rows WHERE rowid >= ? AND rowid < ?",
            [first, first + rows],
        ).fetchall()[0]
        if batch[0] is None:
            continue
        yield batch[0], list(batch[1::2]), list(batch[2::2])


@asset(
    owners=OWNERS,
    group_name="mapping",
    kinds={"python", "duckdb"},
    deps=["event_rows", "evidence_rules"],
)
@guarded
def rule_keyword_hits(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """Each (register row, rule, role) whose keywords (role 'keywords') or exclusions (role
    'exclude') occur in the row's fields, with the matched words in order: exactly what the
    rule's case-insensitive regular expression would find, found in one pass over each row."""
    with warehouse.get_connection() as con:
        n = write_rule_keyword_hits(con)
        metadata = table_metadata(con, "rule_keyword_hits")
    context.log.info(f"rule_keyword_hits: {n} rows")
    return MaterializeResult(metadata=metadata)
