"""Processes that query the warehouse at the same time share one memory cap between them."""

import duckdb
import pytest

from pipelines import settings


@pytest.mark.parametrize(
    ("limit", "parts", "share"),
    [("1GB", 3, "317MiB"), ("4GiB", 4, "1024MiB"), ("500MB", 1, "500MB"), ("80%", 3, "80%")],
)
def test_the_cap_is_split_between_kernels(monkeypatch, limit, parts, share):
    monkeypatch.setenv("TRACKER_DUCKDB_MEMORY_LIMIT", limit)
    assert settings.duckdb_memory_share(parts) == share


def test_the_default_share_is_one_third_of_the_default_cap_and_duckdb_takes_it(monkeypatch):
    monkeypatch.delenv("TRACKER_DUCKDB_MEMORY_LIMIT", raising=False)
    share = settings.duckdb_memory_share(3)
    monkeypatch.setenv("TRACKER_DUCKDB_MEMORY_LIMIT", share)
    with duckdb.connect() as con:
        settings.apply_duckdb_config(con)
        applied = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert applied.startswith("317")  # DuckDB reports it back as "317.0 MiB"


def test_notebook_kernels_start_with_their_share(monkeypatch):
    monkeypatch.setenv("TRACKER_DUCKDB_MEMORY_LIMIT", "900MB")
    env = settings.notebook_kernel_env("warehouse.duckdb")
    assert env["TRACKER_WAREHOUSE"] == "warehouse.duckdb"
    assert env["TRACKER_DUCKDB_MEMORY_LIMIT"] == settings.duckdb_memory_share(
        settings.NOTEBOOK_KERNELS
    )
    assert env["TRACKER_DUCKDB_MEMORY_LIMIT"] == "286MiB"  # 900 MB / 3, in whole MiB
