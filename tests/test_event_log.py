"""The run command's event log: the same files Dagster's own storage reads, and left alone when the
instance has a storage of its own."""

import shutil

import yaml
from dagster import AssetKey, DagsterInstance, asset, materialize

from pipelines import settings
from pipelines.orchestration.event_log import LocalEventLogStorage, local_instance


@asset
def tiny() -> int:
    return 1


def test_runs_written_by_the_run_command_read_the_same_through_the_stock_storage(
    tmp_path, monkeypatch
):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    run_ids = []
    for _ in range(2):  # the second run writes into an index and run table made by the first
        with local_instance() as instance:
            assert isinstance(instance.event_log_storage, LocalEventLogStorage)
            result = materialize([tiny], instance=instance)
            assert result.success
            run_ids.append(result.run_id)
            written = len(instance.all_logs(result.run_id))
    assert (home / "history" / "runs" / f"{run_ids[1]}.db").exists()
    with DagsterInstance.from_config(str(home)) as stock:
        assert not isinstance(stock.event_log_storage, LocalEventLogStorage)
        assert len(stock.all_logs(run_ids[1])) == written
        latest = stock.get_latest_materialization_event(AssetKey("tiny"))
        assert latest is not None and latest.run_id == run_ids[1]
        records = stock.fetch_materializations(AssetKey("tiny"), limit=10).records
        assert [record.run_id for record in records] == run_ids[::-1]


def test_an_instance_with_a_storage_of_its_own_is_left_as_configured(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    own = {
        "event_log_storage": {
            "module": "dagster._core.storage.event_log",
            "class": "ConsolidatedSqliteEventLogStorage",
            "config": {"base_dir": str(tmp_path / "events")},
        }
    }
    (home / "dagster.yaml").write_text(yaml.safe_dump(own))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with local_instance() as instance:
        assert type(instance.event_log_storage).__name__ == "ConsolidatedSqliteEventLogStorage"
        assert materialize([tiny], instance=instance).success
    assert (tmp_path / "events" / "event_log.db").exists()
