"""Unattended refreshes: press feeds weekly; trade data monthly (this year and last, as figures get revised).

They start RUNNING: a deployment's daemon fires them without anyone switching them on in the UI.
"""

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from pipelines.orchestration.jobs import feeds_refresh, quarterly_draft_release, trade_refresh


def trade_partitions_for(day) -> list[str]:
    """The year partitions a refresh on `day` re-fetches: the current and the previous year."""
    return [str(day.year - 1), str(day.year)]


@schedule(
    job=trade_refresh,
    cron_schedule="0 3 2 * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)
def monthly_trade_refresh(context: ScheduleEvaluationContext):
    """On the 2nd of every month at 03:00 UTC."""
    day = context.scheduled_execution_time
    for partition in trade_partitions_for(day):
        yield RunRequest(run_key=f"{day:%Y-%m}-{partition}", partition_key=partition)


weekly_feeds_refresh = ScheduleDefinition(
    name="weekly_feeds_refresh",
    job=feeds_refresh,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Mondays at 06:00 UTC: new press releases become candidates for review.",
)

quarterly_draft = ScheduleDefinition(
    name="quarterly_draft",
    job=quarterly_draft_release,
    cron_schedule="0 5 1 1,4,7,10 *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="First day of each quarter: a draft release for an analyst to review and publish.",
)
