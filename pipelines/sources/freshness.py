"""Freshness of live sources, measured from when their newest snapshot was retrieved."""

from datetime import UTC, datetime

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)

from pipelines.orchestration.up_to_date import guarded_check
from pipelines.sources.snapshots import SnapshotStore


def snapshot_freshness_check(
    asset_key: str, name: str, store_factory, max_age_days: int
) -> AssetChecksDefinition:
    """A warning check: the newest retrieval of `store_factory()` must be under `max_age_days`."""

    @asset_check(
        asset=asset_key,
        name=name,
        description=f"The newest snapshot was retrieved less than {max_age_days} days ago.",
    )
    # A warning about the clock, re-evaluated every day and whenever the snapshots change.
    @guarded_check(asset_key, name, warning=True)
    def _freshness() -> AssetCheckResult:
        store: SnapshotStore = store_factory()
        retrieved = max((row["retrieved_at"] for row in store.manifest()), default=None)
        if retrieved is None:
            return AssetCheckResult(
                passed=False,
                severity=AssetCheckSeverity.WARN,
                metadata={"newest_retrieval": "never: no snapshot yet (run a live refresh)"},
            )
        age = (datetime.now(UTC) - datetime.fromisoformat(retrieved)).days
        return AssetCheckResult(
            passed=age <= max_age_days,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "newest_retrieval": MetadataValue.text(retrieved),
                "age_days": MetadataValue.int(age),
                "max_age_days": MetadataValue.int(max_age_days),
            },
        )

    return _freshness
