"""scorecard_changes shows what moved since the previous scorecard, and re-runs add nothing."""

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
            "SELECT commitment_id, change FROM scorecard_changes ORDER BY 1"
        ).fetchall()
    return versions, changes


def test_rerun_on_same_inputs_adds_no_version_and_a_change_is_reported(built, tmp_path):
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(built / "warehouse.duckdb", database)
    versions, changes = _history(database)
    materialize_selection(VERSIONS, database)
    assert _history(database) == (versions, changes)

    with duckdb.connect(str(database)) as con:
        con.execute(
            "UPDATE scorecard SET status = 'intensified', n_post = n_post + 5 WHERE commitment_id = '2.1'"
        )
        con.execute("UPDATE scorecard SET n_baseline = n_baseline + 1 WHERE commitment_id = '6.6'")
    materialize_selection(VERSIONS, database)
    new_versions, new_changes = _history(database)
    assert new_versions == versions + 1
    assert new_changes == [("2.1", "status changed"), ("6.6", "evidence changed")]
