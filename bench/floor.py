"""The floors a stage is compared with, measured in the same run on the same inputs.

- sql: DuckDB executing the same sql/ models directly, in dependency order, in one process and
  without Dagster, on a copy of the warehouse as the load stage left it.
- read: DuckDB reading the same Comtrade files into a bare table (no ids, no checks, no staging).
- keywords: the single-pass cost of the mapping: read every register row's text once from the
  warehouse and find every keyword of every rule in it (one Aho-Corasick scan per field column,
  all occurrences, nothing decided about rules), reading and scanning as the mapping does. The
  mapping layer cannot do less than that.
"""

import json
import shutil
import sys
import time
from pathlib import Path

import duckdb

from bench.memory import peak_rss_mb
from pipelines import settings
from pipelines.assets.rule_keyword_hits import (
    FIELDS,
    column_batches,
    rule_keyword_sets,
    write_rule_keyword_hits,
)
from pipelines.assets.trade import RAW_COMTRADE_COLUMNS, comtrade_store
from pipelines.mapping.keyword_matcher import KeywordMatcher, ascii_automaton, fold
from pipelines.warehouse.sql_models import discover_models

# Python steps between the SQL models: (tables read, how to build the table).
PYTHON_STEPS = {"rule_keyword_hits": ({"event_rows", "evidence_rules"}, write_rule_keyword_hits)}


def sql_floor(loaded: Path, work: Path) -> dict:
    database = work / "floor.duckdb"
    shutil.copy(loaded, database)
    models = {m.name: m for m in discover_models(settings.SQL_DIR)}
    done: set[str] = set()
    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        existing = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        reads = {n: m.tables_read() - {n} for n, m in models.items()}
        reads |= {n: tables for n, (tables, _) in PYTHON_STEPS.items()}
        pending = set(reads)
        base = existing - set(reads)
        while pending:
            ready = sorted(n for n in pending if reads[n] <= done | base)
            if not ready:
                break  # the rest needs tables that Python assets write after the SQL stages
            for name in ready:
                if name in PYTHON_STEPS:
                    PYTHON_STEPS[name][1](con)
                else:
                    models[name].build(con)
                pending.discard(name)
                done.add(name)
    return {"floor": "sql", "wall_s": round(time.perf_counter() - started, 2), "models": sorted(done),
            "peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip


def read_floor(work: Path) -> dict:
    store = comtrade_store()
    files = [str(store.folder / row["file"]) for row in store.newest()]
    struct = ", ".join(f"{name} {kind}" for name, kind in RAW_COMTRADE_COLUMNS.items())
    started = time.perf_counter()
    with duckdb.connect(str(work / "bare.duckdb")) as con:
        con.execute(
            f"""CREATE OR REPLACE TABLE bare AS SELECT unnest(data, recursive := true)
            FROM read_json(?, columns = {{'data': 'STRUCT({struct})[]'}}, maximum_object_size = 1073741824)""",
            [files],
        )
        rows = con.execute("SELECT count(*) FROM bare").fetchone()[0]
    return {"floor": "read", "wall_s": round(time.perf_counter() - started, 2), "rows": rows,
            "peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip


def keyword_floor(database: Path) -> dict:
    """Every register row's text read once and every keyword found in it: each field's column
    read as one joined string (as the mapping reads it, rule_keyword_hits.column_batches) and
    scanned once by one automaton of all literals (a byte DFA, as the mapping scans ASCII)."""
    with duckdb.connect(str(database), read_only=True) as con:
        sets = rule_keyword_sets(con)
        used = [f for f in FIELDS if any(f in s.fields for s in sets)]
        matcher = KeywordMatcher(sets, used)
        automaton, ascii_scan = matcher.automaton, ascii_automaton(matcher.literals)
        started = time.perf_counter()
        cpu = time.process_time()
        rows = found = 0
        for _, texts, lengths in column_batches(con, used):
            for text in texts:
                folded = fold(text)
                if folded.isascii():
                    found += len(
                        ascii_scan.find_matches_as_indexes(folded.encode("ascii"), overlapping=True)
                    )
                else:
                    found += len(automaton.find_matches_as_indexes(folded, overlapping=True))
            rows += len(lengths[0])
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    return {"floor": "keywords", "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "rows": rows,
            "occurrences": found, "peak_rss_mb": round(peak_rss_mb(), 1)}  # fmt: skip


if __name__ == "__main__":
    kind, work = sys.argv[1], Path(sys.argv[2])
    if kind == "sql":
        print(json.dumps(sql_floor(Path(sys.argv[3]), work)))
    elif kind == "keywords":
        print(json.dumps(keyword_floor(Path(sys.argv[3]))))
    else:
        print(json.dumps(read_floor(work)))
