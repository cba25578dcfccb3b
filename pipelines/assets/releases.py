"""A draft release each quarter: the report frozen for an analyst to review before publishing."""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from pipelines import settings
from pipelines.releases.freeze import make_release
from pipelines.settings import OWNERS


def draft_releases_dir():
    """Drafts stay under build/ (not committed); a published release goes to releases/."""
    return settings.build_dir() / "draft_releases"


@asset(owners=OWNERS, group_name="reports", kinds={"python"}, deps=["report"])
def draft_release(context: AssetExecutionContext) -> MaterializeResult:
    """Freeze the freshly built report as a draft; publish it with `make release ID=...`."""
    now = datetime.now(UTC)
    draft_id = f"{now.year}Q{(now.month - 1) // 3 + 1}-draft-{now:%Y%m%dT%H%M%S}"
    made = make_release(draft_id, target_dir=draft_releases_dir(), draft=True)
    context.log.info(f"draft release {draft_id} in {made.folder}")
    return MaterializeResult(
        metadata={
            "folder": MetadataValue.path(str(made.folder)),
            "notes": MetadataValue.path(str(made.folder / "NOTES.md")),
        }
    )
