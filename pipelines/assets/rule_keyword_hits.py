"""The keywords every rule finds in every register row, found in one pass over each row's text."""

import duckdb
import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, asset

from pipelines.keyword_matcher import KeywordMatcher, KeywordSet
from pipelines.metadata import table_metadata
from pipelines.resources import Warehouse
from pipelines.settings import OWNERS
from pipelines.up_to_date import guarded

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
    readers: dict[int, list[tuple[str, str]]] = {}
    for rule_id, role, pattern, fields in roles:
        readers.setdefault(number[KeywordSet(pattern, tuple(fields))], []).append((rule_id, role))
    ids, rules, kinds, matches = [], [], [], []
    # The names come from FIELDS above, never from data.
    cursor = con.execute(f"SELECT event_id, {', '.join(used)} FROM event_rows")  # noqa: S608
    while batch := cursor.fetchmany(BATCH_ROWS):
        event_ids, *columns = zip(*batch, strict=True)
        for (row, set_number), found in matcher.match_rows(columns).items():
            for rule_id, role in readers[set_number]:
                ids.append(event_ids[row])
                rules.append(rule_id)
                kinds.append(role)
                matches.append(found)
    hits = pd.DataFrame({"row_event_id": ids, "rule_id": rules, "role": kinds, "matches": matches})
    con.register("_hits", hits)
    try:
        con.execute(
            """CREATE OR REPLACE TABLE rule_keyword_hits AS
            SELECT row_event_id::VARCHAR AS row_event_id, rule_id::VARCHAR AS rule_id,
                   role::VARCHAR AS role, matches::VARCHAR[] AS matches
            FROM _hits ORDER BY row_event_id, rule_id, role"""
        )
    finally:
        con.unregister("_hits")
    return len(ids)


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
