"""Where the project's inputs and outputs live.

Everything is resolved from the repository root so that the pipeline behaves the same whether it
is started by `make run`, `dagster dev` or pytest. Outputs go under one git-ignored build folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

import os
import re
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
SQL_DIR = PROJECT_ROOT / "sql"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DECLARATION_FILE = (
    DATA_DIR / "declaration" / "japan-india-joint-declaration-security-cooperation-2025-08-29.txt"
)
THEMES_FILE = DATA_DIR / "declaration" / "themes.csv"
DECLARATION_PINS_FILE = DATA_DIR / "declaration" / "checksums.csv"

# Who answers for the assets, as shown in the Dagster UI: the team CITATION.cff names as authors.
OWNERS = ["team:Japan–India Security Cooperation Tracker contributors"]

# The declaration was signed in Tokyo on this day; every before/after comparison pivots on it.
SIGNING_DATE = date(2025, 8, 29)
# The signing summit ran on 29 and 30 August 2025: what it announced moves milestones, and is left
# out of activity counts (a summit's package of announcements is not a rate of activity).
SUMMIT_END = date(2025, 8, 30)
# Activity is compared with a fixed baseline: the three years before signing.
BASELINE_START = date(2022, 8, 29)
# The rate ratio's interval (exact, conditional on the events in both windows) and the fewest
# events in both windows together below which no direction is claimed.
INTERVAL_LEVEL = 0.90
ACTIVITY_MIN_EVENTS = 5


def build_dir() -> Path:
    """The folder for every generated file (warehouse, charts, notebooks, report)."""
    return Path(os.environ.get("TRACKER_BUILD_DIR", PROJECT_ROOT / "build"))


def warehouse_path() -> Path:
    """The DuckDB warehouse file; `TRACKER_WAREHOUSE` overrides the default under build/."""
    return Path(os.environ.get("TRACKER_WAREHOUSE", build_dir() / "warehouse.duckdb"))


def registers_dir() -> Path:
    """The curated registers; `TRACKER_REGISTERS_DIR` points a run at a draft copy."""
    return Path(os.environ.get("TRACKER_REGISTERS_DIR", DATA_DIR / "registers"))


def snapshots_dir() -> Path:
    """Raw responses of live sources; bundled ones ship under data/snapshots."""
    return Path(os.environ.get("TRACKER_SNAPSHOTS_DIR", DATA_DIR / "snapshots"))


def run_failures_file() -> Path:
    """Failed runs recorded by the run-failure sensor, shown on the report's sources page."""
    return build_dir() / "run_failures.jsonl"


def report_dir() -> Path:
    """The static report, its charts and Data Docs."""
    return build_dir() / "report"


def report_url() -> str:
    """Where the Dagster UI loads chart previews from; `make dev` serves build/report there.

    `TRACKER_REPORT_URL` points at wherever a deployment serves the report instead.
    """
    return os.environ.get("TRACKER_REPORT_URL", "http://127.0.0.1:3001").rstrip("/")


def review_dir() -> Path:
    """Reviewers' decisions on press-feed candidates; `TRACKER_REVIEW_DIR` points at a draft copy."""
    return Path(os.environ.get("TRACKER_REVIEW_DIR", DATA_DIR / "review"))


def live_sources_enabled() -> bool:
    """Live fetching is opt-in: offline runs read the bundled snapshots."""
    return os.environ.get("TRACKER_LIVE", "").lower() in {"1", "true", "yes"}


class SettingError(ValueError):
    """An environment setting that cannot be used; the message names the variable."""


def as_of() -> date:
    """The day the comparison runs to: today, or `TRACKER_AS_OF` (YYYY-MM-DD) to reproduce a past
    report. It must fall after the signing date and not in the future."""
    raw = os.environ.get("TRACKER_AS_OF", "").strip()
    if not raw:
        return date.today()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise SettingError(
            f"TRACKER_AS_OF={raw[:40]!r} is not a YYYY-MM-DD date; set e.g. TRACKER_AS_OF=2026-11-30 "
            "or unset it to use today"
        ) from None
    if day <= SIGNING_DATE:
        raise SettingError(f"TRACKER_AS_OF={raw} must be after the signing date {SIGNING_DATE}")
    if day > date.today():
        raise SettingError(f"TRACKER_AS_OF={raw} is in the future; use a past day or unset it")
    return day


# The row-wise sample held in pandas for Great Expectations: on the 10^7-row minerals_trade
# (13 columns) a 1,000,000-row sample took the check to 1.35 GB and 250,000 rows to 0.70 GB,
# and the validation stage holds that beside Dagster's own memory. A violation in 1 row of
# 50,000 still shows in a 250,000-row sample with probability 1 - e^-5 (99.3 %).
VALIDATION_SAMPLE_ROWS = 250_000


def validation_sample_rows() -> int:
    """Rows past which the row-wise expectations of a suite see a repeatable sample
    (`TRACKER_VALIDATION_SAMPLE_ROWS`, default VALIDATION_SAMPLE_ROWS). Uniqueness, not-null,
    row counts and references always run on every row, in DuckDB."""
    raw = os.environ.get("TRACKER_VALIDATION_SAMPLE_ROWS", "").strip()
    if not raw:
        return VALIDATION_SAMPLE_ROWS
    if not raw.isdigit() or int(raw) < 1:
        raise SettingError(
            f"TRACKER_VALIDATION_SAMPLE_ROWS={raw[:40]!r} is not a positive whole number of rows"
        )
    return int(raw)


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(|K|M|G|T)(i?)B?\s*$", re.IGNORECASE)


def duckdb_memory_share(parts: int) -> str:
    """The warehouse memory cap split `parts` ways, for processes that query at the same time
    (notebook kernels): together they stay within one connection's cap. A cap DuckDB would read
    but this does not (a percentage) is passed on whole."""
    limit = duckdb_config()["memory_limit"]
    found = _MEMORY.match(limit)
    if not found or parts < 2:
        return limit
    number, unit, binary = found.groups()
    scale = (1024 if binary else 1000) ** " KMGT".index(unit.upper())  # "" (bytes) is at 0
    return f"{max(1, int(float(number) * scale / parts) // 2**20)}MiB"


# Notebook kernels running at once; each gets this share of the warehouse memory cap.
NOTEBOOK_KERNELS = 3


def notebook_kernel_env(database: str) -> dict[str, str]:
    """The environment of a notebook kernel: the warehouse it reads, this build, and its share of
    the memory cap, so that NOTEBOOK_KERNELS kernels querying at once stay within one cap.
    Whatever starts kernels (ahead of a run or in the notebooks step) starts them with this."""
    return {
        "TRACKER_WAREHOUSE": database,
        "TRACKER_BUILD_DIR": str(build_dir()),
        "TRACKER_DUCKDB_MEMORY_LIMIT": duckdb_memory_share(NOTEBOOK_KERNELS),
    }


def duckdb_config() -> dict[str, str]:
    """Connection settings for the warehouse: DuckDB's memory cap (`TRACKER_DUCKDB_MEMORY_LIMIT`,
    default 1GB) and threads (`TRACKER_DUCKDB_THREADS`, default DuckDB's own). DuckDB otherwise
    takes up to 80 % of the machine's memory; under a cap its joins, aggregates and sorts spill to
    the temporary folder beside the warehouse instead, so no stage outgrows a small machine."""
    config = {"memory_limit": os.environ.get("TRACKER_DUCKDB_MEMORY_LIMIT", "").strip() or "1GB"}
    threads = os.environ.get("TRACKER_DUCKDB_THREADS", "").strip()
    if threads:
        config["threads"] = threads
    return config


def apply_duckdb_config(con: duckdb.DuckDBPyConnection) -> None:
    """Set `duckdb_config()` on an open connection. Set, not passed to `connect`: DuckDB refuses a
    second connection to a file opened in the same process with a different connect-time config
    (a test or notebook reading the warehouse while a step writes it), but SET leaves that check."""
    for name, value in duckdb_config().items():
        con.execute(f"SET {name} = '{str(value).replace(chr(39), '')}'")
