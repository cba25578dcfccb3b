"""scorecard_changes shows what moved since the previous scorecard and why; re-runs add nothing."""

import shutil

import duckdb
from dagster import AssetSelection

from tests.helpers import materialize_selection

VERSIONS = AssetSelection.assets("scorecard_history", "scorecard_changes")


def _history(database):
    with duckdb.connect(str(database), read_only=True) as con:
        versions = con.execute("SELECT count(DISTINCT version) FROM scorecard_history").fetchone()[
            0
        ]
        changes = con.execute(
            "SELECT commitment_id, change, cause FROM scorecard_changes ORDER BY 1"
        ).fetchall()
    return versions, changes


def test_rerun_on_same_inputs_adds_no_version_and_a_change_is_reported(built, tmp_path):
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(built / "warehouse.duckdb", database)
    versions, changes = _history(database)
    materialize_selection(VERSIONS, database)
    assert _history(database) == (versions, changes)

    with duckdb.connect(str(database)) as con:
        # the data moved 6.1; a new codebook moved 1.2; 2.1 gained an event and kept its status
        con.execute(
            "UPDATE scorecard SET status = CASE WHEN status = 'overdue' THEN 'on schedule' "
            "ELSE 'overdue' END WHERE commitment_id = '6.1'"
        )
        con.execute(
            "UPDATE scorecard SET status = 'regular', codebook_version = '9.9.9' "
            "WHERE commitment_id = '1.2'"
        )
        con.execute(
            "UPDATE scorecard SET n_post = coalesce(n_post, 0) + 1 WHERE commitment_id = '2.1'"
        )
    materialize_selection(VERSIONS, database)
    new_versions, new_changes = _history(database)
    assert new_versions == versions + 1
    assert new_changes == [
        ("1.2", "status changed", "codebook changed"),
        ("2.1", "evidence changed", "data changed"),
        ("6.1", "status changed", "data changed"),
    ]
