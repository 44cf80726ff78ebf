"""Backup freshness and restore-drill alarms, on the metrics the backup and drill jobs publish.

The jobs publish into `backup.metric_namespace`, per `Environment` and `Repository` (the backup identity):
- `BackupCompletedAt` (Unix seconds) after each upload that S3 accepted with a verified SHA-256 checksum,
  and `BackupDurationSeconds` (dump plus upload);
- `RestoreDrillSucceeded` (1 or 0) and `RestoreDrillDurationSeconds` after each drill;
- `RestoreDrillAgeDays` daily: days since the newest successful drill.

CloudWatch limits an alarm's evaluation to one day for periods under an hour and seven days otherwise,
so the freshness window is counted in 5-minute periods (1-hour periods past a day), and the monthly drill
is watched through its daily age metric instead of a 31-day window.
"""

from __future__ import annotations

from components.settings.backup import BackupSettings
from components.settings.base import Environment

from .alarms import AlarmSpec

BACKUP_COMPLETED = "BackupCompletedAt"
BACKUP_DURATION = "BackupDurationSeconds"
DRILL_SUCCEEDED = "RestoreDrillSucceeded"
DRILL_DURATION = "RestoreDrillDurationSeconds"
DRILL_AGE = "RestoreDrillAgeDays"

DAY_SECONDS = 86400
_SHORT_PERIOD = 300
_LONG_PERIOD = 3600
MAX_SHORT_EVALUATION = DAY_SECONDS  # periods under an hour: at most one day evaluated
MAX_LONG_EVALUATION = 7 * DAY_SECONDS  # otherwise at most seven days


def dimensions(environment: Environment, identity: str) -> dict[str, str]:
    return {"Environment": environment, "Repository": identity}


def window_periods(window_minutes: int) -> tuple[int, int]:
    """(period seconds, evaluation periods) covering at most `window_minutes`, within CloudWatch's limits.

    Rounding down makes the alarm fire up to one period early, never late.
    """
    seconds = window_minutes * 60
    if seconds <= MAX_SHORT_EVALUATION:
        return _SHORT_PERIOD, max(1, seconds // _SHORT_PERIOD)
    if seconds > MAX_LONG_EVALUATION:
        raise ValueError(f"a {window_minutes}-minute window exceeds CloudWatch's 7-day alarm evaluation")
    return _LONG_PERIOD, seconds // _LONG_PERIOD


def app_alarm_specs(settings: BackupSettings, environment: Environment, identity: str) -> list[AlarmSpec]:
    """The backup and drill alarms of one app."""
    rpo = settings.rpo
    drill = settings.restore_drill
    window = rpo.freshness_window_minutes
    period, periods = window_periods(window)
    dims = dimensions(environment, identity)
    where = f"{environment}/{identity}"
    common = {"namespace": settings.metric_namespace, "dimensions": dims}
    allowance = rpo.duration_allowance_minutes
    drill_limit = drill.interval_days + drill.margin_days
    return [
        AlarmSpec(
            key="backup-freshness",
            severity=settings.freshness_alarm_severity,
            description=(
                f"No verified backup of {where} uploaded for {window} min: the newest dump is older than its designed"
                f" RPO of {rpo.dump_rpo_minutes} min. Check first: the latest run of backup.yml in the repository"
                " (failed, or not started: GitHub disables schedules of public repositories after 60 days without"
                " activity), then the"
                " SUPABASE_DB_URL secret and the backup environment's variables."
            ),
            metric_name=BACKUP_COMPLETED,
            statistic="SampleCount",
            period=period,
            evaluation_periods=periods,
            threshold=1,
            comparison="LessThanThreshold",
            # No data is the failure this alarm exists for: a job that never ran publishes nothing.
            treat_missing_data="breaching",
            **common,
        ),
        AlarmSpec(
            key="backup-duration",
            severity=settings.freshness_alarm_severity,
            description=(
                f"A backup of {where} took longer than the {allowance}-minute dump duration allowance the RPO design"
                " assumes. Check first: the database size and the dump step's timing in backup.yml's log; raise"
                " backup.dumps.duration_allowance_minutes (the settings then recompute the RPO) or shorten the dump."
            ),
            metric_name=BACKUP_DURATION,
            statistic="Maximum",
            period=_SHORT_PERIOD,
            evaluation_periods=1,
            threshold=allowance * 60,
            comparison="GreaterThanThreshold",
            # Between dumps there is nothing to judge: the last dump's verdict stands until the next one (the
            # freshness alarm covers dumps that never finish).
            treat_missing_data="ignore",
            **common,
        ),
        AlarmSpec(
            key="drill-failed",
            severity=drill.severity,
            description=(
                f"The restore drill of {where} failed: the newest dump could not be restored and verified. Check"
                " first: the failed step of restore-drill.yml's log (download or checksum, restore, integrity"
                " checks), then whether the newest dump under daily/ is complete."
            ),
            metric_name=DRILL_SUCCEEDED,
            statistic="Minimum",
            period=DAY_SECONDS,
            evaluation_periods=1,
            threshold=1,
            comparison="LessThanThreshold",
            # A drill runs monthly: keep the last result until the next one (the age alarm catches silence).
            treat_missing_data="ignore",
            **common,
        ),
        AlarmSpec(
            key="drill-over-rto",
            severity=drill.severity,
            description=(
                f"The restore drill of {where} took longer than the {settings.rto_hours}-hour RTO. Check first: the"
                " drill's summary (download vs restore time) and the dump's size; a restore this slow misses the RTO."
            ),
            metric_name=DRILL_DURATION,
            statistic="Maximum",
            period=DAY_SECONDS,
            evaluation_periods=1,
            threshold=settings.rto_hours * 3600,
            comparison="GreaterThanThreshold",
            treat_missing_data="ignore",
            **common,
        ),
        AlarmSpec(
            key="drill-age",
            severity=drill.severity,
            description=(
                f"No successful restore drill of {where} for more than {drill_limit} days (interval"
                f" {drill.interval_days} + margin {drill.margin_days}), or the daily drill-age job stopped"
                " reporting. Check first: restore-drill.yml's recent runs (the monthly drill and the daily age job),"
                " then run the drill by hand (workflow_dispatch)."
            ),
            metric_name=DRILL_AGE,
            statistic="Maximum",
            period=DAY_SECONDS,
            evaluation_periods=1,
            threshold=drill_limit,
            comparison="GreaterThanThreshold",
            # The age job publishes daily: silence means it stopped, which hides a missing drill.
            treat_missing_data="breaching",
            **common,
        ),
    ]
