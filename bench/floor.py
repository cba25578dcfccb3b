"""The floors a stage is compared with, measured in the same run on the same inputs.

- sql: DuckDB executing the same sql/ models directly, in dependency order, in one process and
  without Dagster, on a copy of the warehouse as the load stage left it.
- read: DuckDB reading the same Comtrade files into a bare table (no ids, no checks, no staging).
"""

import json
import shutil
import sys
import time
from pathlib import Path

import duckdb

from bench.memory import peak_rss_mb
from pipelines import settings
from pipelines.assets.trade import RAW_COMTRADE_COLUMNS, comtrade_store
from pipelines.sql_models import discover_models


def sql_floor(loaded: Path, work: Path) -> dict:
    database = work / "floor.duckdb"
    shutil.copy(loaded, database)
    models = {m.name: m for m in discover_models(settings.SQL_DIR)}
    done: set[str] = set()
    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        existing = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        pending = dict(models)
        while pending:
            ready = [
                n
                for n, m in pending.items()
                if (m.tables_read() - {n}) <= done | (existing - set(models))
            ]
            if not ready:
                break  # the rest needs tables that Python assets write after the SQL stages
            for name in ready:
                con.execute(f"CREATE OR REPLACE TABLE {name} AS\n{pending.pop(name).sql}")
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


if __name__ == "__main__":
    kind, work = sys.argv[1], Path(sys.argv[2])
    print(json.dumps(sql_floor(Path(sys.argv[3]), work) if kind == "sql" else read_floor(work)))
