"""What changed in the scorecard since the previous materialization that changed it.

`scorecard_history` keeps one version of the scorecard per distinct content, so re-running on the
same inputs adds nothing; `scorecard_changes` compares the newest version with the one before it and
says why a status moved: the codebook changed (its version differs) or the data did.
"""

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.warehouse.resources import Warehouse

_COLUMNS = (
    "commitment_id, kind, status, codebook_version, coverage_through, "
    "coalesce(n_baseline, 0) AS n_baseline, coalesce(n_post, 0) AS n_post"
)

_CREATE_HISTORY = """
CREATE TABLE IF NOT EXISTS scorecard_history (
    version INTEGER, recorded_at TIMESTAMP, content_hash VARCHAR,
    commitment_id VARCHAR, kind VARCHAR, status VARCHAR, codebook_version VARCHAR,
    coverage_through DATE, n_baseline BIGINT, n_post BIGINT
)"""

# A history from before the codebook lacks its columns: add them (NULL for old versions).
_UPGRADE_HISTORY = [
    f"ALTER TABLE scorecard_history ADD COLUMN IF NOT EXISTS {column} {kind}"
    for column, kind in (
        ("kind", "VARCHAR"), ("codebook_version", "VARCHAR"), ("coverage_through", "DATE"),
    )
]  # fmt: skip

_CURRENT_HASH = f"""
SELECT md5(string_agg(c::VARCHAR, '|' ORDER BY commitment_id))
FROM (SELECT {_COLUMNS} FROM scorecard) AS c"""  # noqa: S608 (constants)

_APPEND_VERSION = f"""
INSERT INTO scorecard_history BY NAME
SELECT (SELECT coalesce(max(version), 0) + 1 FROM scorecard_history) AS version,
       now()::TIMESTAMP AS recorded_at, ? AS content_hash, c.*
FROM (SELECT {_COLUMNS} FROM scorecard) AS c"""  # noqa: S608 (constants)

_CHANGES = """
CREATE OR REPLACE TABLE scorecard_changes AS
WITH versions AS (SELECT max(version) AS latest FROM scorecard_history),
latest AS (SELECT h.* FROM scorecard_history AS h, versions WHERE h.version = versions.latest),
previous AS (SELECT h.* FROM scorecard_history AS h, versions WHERE h.version = versions.latest - 1)
SELECT
    l.commitment_id,
    p.status AS previous_status,
    l.status,
    p.codebook_version AS previous_codebook_version,
    l.codebook_version,
    p.coverage_through AS previous_coverage_through,
    l.coverage_through,
    p.n_baseline AS previous_n_baseline,
    l.n_baseline,
    p.n_post AS previous_n_post,
    l.n_post,
    CASE WHEN p.commitment_id IS NULL THEN 'first scorecard'
         WHEN p.status IS DISTINCT FROM l.status THEN 'status changed'
         ELSE 'evidence changed' END AS change,
    CASE WHEN p.commitment_id IS NULL THEN NULL
         WHEN p.codebook_version IS DISTINCT FROM l.codebook_version
              OR p.kind IS DISTINCT FROM l.kind THEN 'codebook changed'
         ELSE 'data changed' END AS cause,
    p.recorded_at AS previous_recorded_at,
    l.recorded_at
FROM latest AS l
LEFT JOIN previous AS p USING (commitment_id)
WHERE p.commitment_id IS NULL OR p.status IS DISTINCT FROM l.status
   OR p.kind IS DISTINCT FROM l.kind
   OR p.codebook_version IS DISTINCT FROM l.codebook_version
   OR p.coverage_through IS DISTINCT FROM l.coverage_through
   OR p.n_post <> l.n_post OR p.n_baseline <> l.n_baseline
ORDER BY l.commitment_id"""


@multi_asset(
    specs=[
        AssetSpec(
            "scorecard_history",
            owners=OWNERS,
            group_name="marts",
            kinds={"duckdb"},
            deps=["scorecard"],
            description="One version of the scorecard per distinct content, oldest first.",
        ),
        AssetSpec(
            "scorecard_changes",
            owners=OWNERS,
            group_name="marts",
            kinds={"duckdb"},
            deps=["scorecard_history"],
            description="Commitments whose status, kind, coverage or counts changed in the newest "
            "version, and whether the codebook or the data moved them.",
        ),
    ],  # fmt: skip
)
@guarded
def scorecard_versions(context: AssetExecutionContext, warehouse: Warehouse):
    with warehouse.get_connection() as con:
        con.execute(_CREATE_HISTORY)
        for statement in _UPGRADE_HISTORY:
            con.execute(statement)
        current = con.execute(_CURRENT_HASH).fetchone()[0]
        latest = con.execute(
            "SELECT content_hash FROM scorecard_history ORDER BY version DESC LIMIT 1"
        ).fetchone()
        if latest is None or latest[0] != current:
            con.execute(_APPEND_VERSION, [current])
            context.log.info("scorecard changed: recorded a new version")
        con.execute(_CHANGES)
        versions = con.execute("SELECT count(DISTINCT version) FROM scorecard_history").fetchone()[
            0
        ]
        changed = con.execute("SELECT count(*) FROM scorecard_changes").fetchone()[0]
    yield MaterializeResult(
        asset_key="scorecard_history", metadata={"versions": MetadataValue.int(versions)}
    )
    yield MaterializeResult(
        asset_key="scorecard_changes", metadata={"dagster/row_count": MetadataValue.int(changed)}
    )
