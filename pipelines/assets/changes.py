"""What changed in the scorecard since the previous materialization that changed it.

`scorecard_history` keeps one version of the scorecard per distinct content, so re-running on the
same inputs adds nothing; `scorecard_changes` compares the newest version with the one before it,
so a reviewer sees what is new: a commitment whose status or evidence counts moved.
"""

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from pipelines.resources import Warehouse
from pipelines.settings import OWNERS

_CREATE_HISTORY = """
CREATE TABLE IF NOT EXISTS scorecard_history (
    version INTEGER, recorded_at TIMESTAMP, content_hash VARCHAR,
    commitment_id VARCHAR, status VARCHAR, n_baseline BIGINT, n_post BIGINT
)"""

_CURRENT_HASH = (
    "SELECT md5(string_agg(c::VARCHAR, '|' ORDER BY commitment_id)) "
    "FROM (SELECT commitment_id, status, n_baseline, n_post FROM scorecard) AS c"
)

_APPEND_VERSION = """
INSERT INTO scorecard_history
SELECT (SELECT coalesce(max(version), 0) + 1 FROM scorecard_history), now()::TIMESTAMP, ?, c.*
FROM (SELECT commitment_id, status, n_baseline, n_post FROM scorecard) AS c"""

_CHANGES = """
CREATE OR REPLACE TABLE scorecard_changes AS
WITH versions AS (SELECT max(version) AS latest FROM scorecard_history),
latest AS (SELECT h.* FROM scorecard_history AS h, versions WHERE h.version = versions.latest),
previous AS (SELECT h.* FROM scorecard_history AS h, versions WHERE h.version = versions.latest - 1)
SELECT
    l.commitment_id,
    p.status AS previous_status,
    l.status,
    p.n_baseline AS previous_n_baseline,
    l.n_baseline,
    p.n_post AS previous_n_post,
    l.n_post,
    CASE WHEN p.commitment_id IS NULL THEN 'first scorecard'
         WHEN p.status <> l.status THEN 'status changed'
         ELSE 'evidence changed' END AS change,
    p.recorded_at AS previous_recorded_at,
    l.recorded_at
FROM latest AS l
LEFT JOIN previous AS p USING (commitment_id)
WHERE p.commitment_id IS NULL OR p.status <> l.status
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
            description="Commitments whose status or evidence counts changed in the newest version.",
        ),
    ],  # fmt: skip
)
def scorecard_versions(context: AssetExecutionContext, warehouse: Warehouse):
    with warehouse.get_connection() as con:
        con.execute(_CREATE_HISTORY)
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
