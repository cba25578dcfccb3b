"""Synthetic inputs in the real shapes, for benchmarks only (never bundled as data).

Registers: the four CSV files with valid, distinct events drawn from the real vocabularies.
Trade: Comtrade v1 responses (all 47 fields, 100,000 rows per file as the keyed endpoint caps
them) under a snapshot folder with a manifest, exactly as the connector stores them.
DuckDB writes both, so generating ten million rows takes seconds, not minutes.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import settings
from pipelines.curated.registers import FAMILY_COLUMNS, register_columns
from pipelines.sources.comtrade import ROW_FIELDS
from pipelines.sources.snapshots import FIELDS as MANIFEST_FIELDS

ROWS_PER_RESPONSE = 100_000
# Catalogue codes (and one outside it, 382499) that the synthetic rows cycle through.
CMD_CODES = "['260500', '282200', '810520', '280530', '284610', '740311', '750110', '810110', '811292', '382499']"
FAMILY_PREFIX = {"exercises": "EX", "port_calls": "PC", "rd_projects": "RD", "dialogues": "DL"}
FAMILY_FIELDS = {
    "exercises": "'bilateral' AS exercise_type, 'maritime' AS domains",
    "port_calls": "'JS Test (DD-101)' AS vessels, 'Kochi' AS port, 'JP->IN' AS direction, 'navy' AS service",
    "rd_projects": "'ATLA; DRDO' AS partners, 'joint_research' AS stage, 'robotics' AS technology_area",
    "dialogues": "(['nsa_dialogue', 'staff_talks', 'two_plus_two', 'coast_guard_commandants'])[1 + i % 4] AS mechanism",
}


def write_registers(folder: Path, n_events: int) -> None:
    """n_events spread evenly over the four registers, dated 2015 to mid-2026."""
    folder.mkdir(parents=True, exist_ok=True)
    # A run reads every register of the folder: the others are copied as bundled, and the
    # bundled events are kept beside the synthetic ones, since manual links, same-event records
    # and reviews name them and a load rejects links to events that no register holds.
    bundled = settings.DATA_DIR / "registers"
    for path in bundled.glob("*.csv"):
        if path.stem not in FAMILY_PREFIX:
            shutil.copyfile(path, folder / path.name)
    per_family = max(1, n_events // len(FAMILY_COLUMNS))
    with duckdb.connect() as con:
        for family, prefix in FAMILY_PREFIX.items():
            columns = register_columns(family)
            target = folder / f"{family}.csv"
            con.execute(f"""
                COPY (
                    SELECT {", ".join(columns)} FROM (
                        SELECT
                            '{prefix}-' || (2015 + i % 11) || '-S' || i AS event_id,
                            'Synthetic {family} event ' || i
                                || (CASE WHEN i % 7 = 0 THEN ' with JIMEX and Quad partners' ELSE '' END) AS name,
                            strftime(DATE '2015-01-01' + CAST(i * 4000 / {per_family} AS INTEGER),
                                     '%Y-%m-%d') AS start_date,
                            strftime(DATE '2015-01-01' + CAST(i * 4000 / {per_family} AS INTEGER) + 2,
                                     '%Y-%m-%d') AS end_date,
                            'day' AS date_precision, 'Bay of Bengal' AS location,
                            (['IN', 'JP', 'other'])[1 + i % 3] AS host,
                            (['JMSDF', 'JGSDF', 'JASDF', 'JCG', 'ATLA'])[1 + i % 5] AS japan_participants,
                            (['IN-NAVY', 'IN-ARMY', 'IAF', 'ICG', 'DRDO'])[1 + i % 5] AS india_participants,
                            '' AS other_participants, 'false' AS multilateral,
                            'https://example.org/release/' || i AS source_url,
                            'Synthetic release ' || i AS source_title,
                            '2024-01-01' AS published_date, '2026-11-30' AS retrieved_date,
                            CASE WHEN i % 11 = 0 THEN 'counter-terrorism and cyber drills' ELSE '' END AS notes,
                            '' AS source_title_en,
                            {FAMILY_FIELDS[family]}
                        FROM range({per_family}) AS t(i)
                    )
                ) TO '{target}' (HEADER, DELIMITER ',')
            """)
            _append_bundled(bundled / f"{family}.csv", target, columns)


def _append_bundled(source: Path, target: Path, columns: tuple[str, ...]) -> None:
    """The bundled rows after the synthetic ones, through the csv module: quoted fields with
    line breaks defeat DuckDB's dialect sniffer, and a register without an optional trailing
    column gets it empty."""
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with target.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", restval="")
        writer.writerows(rows)


def copy_bundled_snapshots(folder: Path) -> None:
    """The bundled snapshots other than Comtrade (EIDB, feeds), so that the tables read from them hold
    rows as in a bundled run and their suites' row counts pass."""
    bundled = settings.DATA_DIR / "snapshots"
    for source in bundled.iterdir():
        if source.is_dir() and source.name != "comtrade":
            shutil.copytree(source, folder / source.name, dirs_exist_ok=True)


def write_comtrade(folder: Path, n_rows: int) -> int:
    """n_rows Comtrade rows in responses of ROWS_PER_RESPONSE, with the store's manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    fetch_id = "20261130T000000000000Z"
    responses = max(1, -(-n_rows // ROWS_PER_RESPONSE))
    manifest = []
    with duckdb.connect() as con:
        for number in range(1, responses + 1):
            size = min(ROWS_PER_RESPONSE, n_rows - (number - 1) * ROWS_PER_RESPONSE)
            year = 2015 + number % 11
            relative = Path(str(year)) / f"{fetch_id}-{number:05d}.json"
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            fields = _row_fields(year)
            con.execute(f"""
                COPY (
                    SELECT '0.5 secs' AS elapsedTime, count(*) AS count, list(r) AS data, '' AS error
                    FROM (SELECT {fields} FROM range({size}) AS t(i)) AS r
                ) TO '{path}' (FORMAT JSON)
            """)
            data = path.read_bytes()
            manifest.append({
                "snapshot_id": f"{fetch_id}-{number:05d}", "fetch_id": fetch_id, "partition": str(year),
                "url": f"https://comtradeapi.un.org/data/v1/get/C/A/HS?period={year}&part={number}",
                "retrieved_at": datetime(2026, 11, 30, tzinfo=UTC).isoformat(timespec="seconds"),
                "sha256": hashlib.sha256(data).hexdigest(), "row_count": str(size),
                "licence": "synthetic benchmark data", "file": relative.as_posix(),
            })  # fmt: skip
    # One fetch per partition, as the store expects: give each year its own fetch id.
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(manifest)
    return responses


def _row_fields(year: int) -> str:
    values = {name: "NULL" for name in ROW_FIELDS}
    values.update({
        "typeCode": "'C'", "freqCode": "'A'", "refPeriodId": f"{year}0101", "refYear": str(year), "refMonth": "52",
        "period": f"'{year}'", "reporterCode": "(CASE WHEN i % 2 = 0 THEN 392 ELSE 699 END)",
        "reporterISO": "(CASE WHEN i % 2 = 0 THEN 'JPN' ELSE 'IND' END)", "reporterDesc": "'Reporter'",
        "flowCode": "(CASE WHEN i % 3 = 0 THEN 'X' ELSE 'M' END)", "flowDesc": "'Import'",
        "partnerCode": "(CASE WHEN i % 5 = 0 THEN 0 WHEN i % 2 = 0 THEN 699 ELSE 392 END)",
        "partnerISO": "'W00'", "partnerDesc": "'Partner'", "partner2Code": "0", "partner2ISO": "'W00'",
        "partner2Desc": "'World'", "classificationCode": "'H6'", "classificationSearchCode": "'HS'",
        "isOriginalClassification": "true",
        "cmdCode": f"({CMD_CODES})[1 + i % 10]",
        "cmdDesc": "'Commodity'", "aggrLevel": "6", "isLeaf": "true", "customsCode": "'C' || (i // 10)",
        "customsDesc": "'Customs'", "mosCode": "'0'", "motCode": "0", "motDesc": "'TOTAL MOT'", "qtyUnitCode": "-1",
        "qtyUnitAbbr": "'N/A'", "isQtyEstimated": "false", "altQtyUnitCode": "-1", "altQtyUnitAbbr": "'N/A'",
        "isAltQtyEstimated": "false", "netWgt": "(i % 1000) * 10.0", "isNetWgtEstimated": "false",
        "isGrossWgtEstimated": "false", "cifvalue": "(i % 997) * 1000.0", "primaryValue": "(i % 997) * 1000.0",
        "legacyEstimationFlag": "0", "isReported": "true", "isAggregate": "false",
    })  # fmt: skip
    return ", ".join(f"{expression} AS {name}" for name, expression in values.items())
