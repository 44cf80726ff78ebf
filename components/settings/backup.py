"""Backup and disaster-recovery settings (runbook IF-009, IF-010, IF-003)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Arn, AwsRegion, Environment, FieldError, Severity, StrictSettings, must_match
from .github import split_repository

_BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$")
_MAX_BUCKET_NAME = 63  # S3 bucket-name limit
_LONGEST_ENVIRONMENT: Environment = "production"
_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,254}$")

# S3 Replication Time Control's SLA: 99.99 % of objects reach the DR replica within 15 minutes.
REPLICATION_LAG_MINUTES = 15
# Cron keeps these intervals evenly spaced all day: divisors of an hour, or whole hours dividing a day.
# GitHub runs scheduled workflows at most every 5 minutes.
CRON_INTERVALS_MINUTES = (5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440)
# Newest drill result the daily age job looks for (CloudWatch keeps 5-minute data 63 days).
DRILL_LOOKBACK_DAYS = 62
_CRON_MINUTE = 7


def backup_identity(repository: str) -> str:
    """The backup identity of a managed repository (`owner/name`): its lowercased name.

    The one place that names an app's backups: its S3 prefix in every tier (`daily/<identity>/...`), its
    roles and its metric dimension. Repository names are unique per owner regardless of case, so two
    repositories never share an identity.
    """
    return split_repository(repository)[1].lower()


def incremental_cron(interval_minutes: int) -> str:
    """The cron (UTC) of a dump every `interval_minutes`, one of CRON_INTERVALS_MINUTES."""
    if interval_minutes not in CRON_INTERVALS_MINUTES:
        raise ValueError(f"{interval_minutes} is not one of {CRON_INTERVALS_MINUTES}")
    # Off the top of the hour, where GitHub documents its highest load (and the most delayed runs).
    if interval_minutes < 60:
        return f"{_CRON_MINUTE % interval_minutes}-59/{interval_minutes} * * * *"
    hours = interval_minutes // 60
    hour = {1: "*", 24: "0"}.get(hours, f"*/{hours}")
    return f"{_CRON_MINUTE} {hour} * * *"


def backup_bucket_name(prefix: str, environment: Environment, region: str) -> str:
    """Name of a backup bucket: `<prefix>-<env>-backups-<region>`."""
    return f"{prefix}-{environment}-backups-{region}"


def access_log_bucket_name(prefix: str, environment: Environment, region: str) -> str:
    """Name of a server-access-log bucket; `-access-logs` marks it as a log bucket for people and policies."""
    return f"{prefix}-{environment}-access-logs-{region}"


class RetentionSettings(StrictSettings):
    """How long each backup tier is kept (IF-009 `retention`)."""

    daily_days: int = Field(default=7, ge=1, description="Days a `daily/` full dump is kept.")
    weekly_days: int = Field(default=28, ge=1, description="Days a `weekly/` dump is kept (4 weeks).")
    monthly_days: int = Field(default=365, ge=1, description="Days a `monthly/` dump is kept (12 months).")
    incremental_days: int | None = Field(
        default=None, ge=1, description="Days an `incremental/` dump is kept; defaults to `daily_days`."
    )
    pre_migration_days: int | None = Field(
        default=None,
        ge=1,
        description="Days a `pre-migration/` dump (IF-003, taken before each database migration) is kept; defaults to `weekly_days`.",
    )
    noncurrent_days: int = Field(default=7, ge=1, description="Days a replaced or deleted object version is kept.")
    abort_multipart_days: int = Field(
        default=1, ge=1, description="Days before an unfinished multipart upload is aborted."
    )

    @model_validator(mode="after")
    def _ordered(self) -> RetentionSettings:
        if not self.daily_days <= self.weekly_days <= self.monthly_days:
            raise FieldError(
                "weekly_days" if self.daily_days > self.weekly_days else "monthly_days",
                "retention must be ordered: daily_days <= weekly_days <= monthly_days",
            )
        return self

    @property
    def incremental(self) -> int:
        return self.incremental_days or self.daily_days

    @property
    def pre_migration(self) -> int:
        return self.pre_migration_days or self.weekly_days

    def tiers(self) -> dict[str, int]:
        """Days each tier prefix is kept, in the order the lifecycle rules are written."""
        return {
            "daily/": self.daily_days,
            "weekly/": self.weekly_days,
            "monthly/": self.monthly_days,
            "incremental/": self.incremental,
            "pre-migration/": self.pre_migration,
        }


class TransitionSettings(StrictSettings):
    """Moves to cheaper storage classes where the retention makes them pay."""

    enabled: bool = Field(default=True, description="Add storage-class transitions to tiers that live long enough.")
    standard_ia_after_days: int = Field(default=30, ge=30, description="Days before STANDARD_IA (S3 minimum 30).")
    glacier_ir_after_days: int = Field(default=90, ge=30, description="Days before GLACIER_IR.")

    @model_validator(mode="after")
    def _ordered(self) -> TransitionSettings:
        # Standard-IA bills at least 30 days, so leaving it earlier than that never saves money.
        if self.glacier_ir_after_days < self.standard_ia_after_days + 30:
            raise FieldError(
                "glacier_ir_after_days",
                "must be at least 30 days after standard_ia_after_days (Standard-IA bills 30 days minimum)",
            )
        return self


class ObjectLockSettings(StrictSettings):
    """S3 Object Lock: WORM protection of backups. It can only be turned on when a bucket is created."""

    enabled: bool = Field(default=False, description="Create the backup buckets with Object Lock (production).")
    mode: Literal["GOVERNANCE", "COMPLIANCE"] = Field(default="GOVERNANCE", description="Default retention mode.")
    retention_days: int = Field(default=7, ge=1, description="Default retention of each object version, in days.")


class DumpSettings(StrictSettings):
    """The scheduled logical dumps (GitHub Actions) and the terms of their recovery point."""

    interval_minutes: int | None = Field(
        default=None,
        description=(
            "Minutes between data-only dumps; one of 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, "
            "1440. Unset: the longest interval that still meets `rpo_minutes`."
        ),
    )
    duration_allowance_minutes: int = Field(
        default=15, ge=1, le=720, description="Longest a dump and its upload may take (the job measures it)."
    )
    schedule_delay_minutes: int = Field(
        default=30,
        ge=0,
        le=720,
        description="Margin for GitHub starting a scheduled run late (often 10-30 minutes, more under load).",
    )

    @field_validator("interval_minutes")
    @classmethod
    def _cron_interval(cls, value: int | None) -> int | None:
        if value is not None and value not in CRON_INTERVALS_MINUTES:
            raise ValueError(
                f"must be one of {list(CRON_INTERVALS_MINUTES)}: GitHub schedules run at most every 5 minutes,"
                " and cron spaces other intervals unevenly"
            )
        return value


class PointInTimeRecoverySettings(StrictSettings):
    """A statement that something other than the dumps meets the RPO, e.g. Supabase PITR (WAL archiving).

    The program cannot see or switch it on: declaring it is a claim the owners make and the drill must test.
    """

    mechanism: Literal["supabase-pitr"] = Field(description="The point-in-time recovery that meets the RPO.")
    recovery_point_minutes: int = Field(
        ge=1, description="Its worst-case data loss in minutes (Supabase PITR archives WAL every 2 minutes)."
    )
    retention_days: int = Field(ge=1, description="How far back it can restore (IF-009: 7 days).")


class RestoreDrillSettings(StrictSettings):
    """The restore drill's cadence as the alarms see it."""

    interval_days: int = Field(default=31, ge=1, description="Longest gap between scheduled drills (monthly: 31 days).")
    margin_days: int = Field(default=2, ge=1, description="Slack before a missing drill alarms.")
    severity: Severity = Field(default="high", description="Alert tier of the drill alarms.")

    @model_validator(mode="after")
    def _within_lookback(self) -> RestoreDrillSettings:
        if self.interval_days + self.margin_days >= DRILL_LOOKBACK_DAYS:
            raise FieldError(
                "interval_days",
                f"interval_days + margin_days must stay below {DRILL_LOOKBACK_DAYS}: the daily age job looks back"
                f" {DRILL_LOOKBACK_DAYS} days for the last successful drill",
            )
        return self


@dataclass(frozen=True)
class RpoDesign:
    """The recovery point the settings design, computed from its terms (minutes)."""

    target_minutes: int
    interval_minutes: int
    duration_allowance_minutes: int
    schedule_delay_minutes: int
    replication_lag_minutes: int
    point_in_time_recovery: PointInTimeRecoverySettings | None

    @property
    def dump_rpo_minutes(self) -> int:
        """Worst-case age of the newest dump in the DR region: a dump is due every interval, may start late,
        captures the data as it starts, and reaches the DR replica after its upload and replication."""
        return (
            self.interval_minutes
            + self.schedule_delay_minutes
            + self.duration_allowance_minutes
            + self.replication_lag_minutes
        )

    @property
    def designed_rpo_minutes(self) -> int:
        pitr = self.point_in_time_recovery
        return pitr.recovery_point_minutes if pitr else self.dump_rpo_minutes

    @property
    def met_by(self) -> str:
        pitr = self.point_in_time_recovery
        return pitr.mechanism if pitr else "scheduled logical dumps"

    @property
    def freshness_window_minutes(self) -> int:
        """No successful upload for this long means the newest dump's data is `dump_rpo_minutes` old in the DR
        region (the upload already spent the duration allowance)."""
        return self.dump_rpo_minutes - self.duration_allowance_minutes

    @property
    def incremental_cron(self) -> str:
        return incremental_cron(self.interval_minutes)

    def summary(self) -> dict[str, object]:
        """The design as plain data (stack output, dashboard, docs)."""
        pitr = self.point_in_time_recovery
        return {
            "target_minutes": self.target_minutes,
            "designed_rpo_minutes": self.designed_rpo_minutes,
            "met_by": self.met_by,
            "dump_rpo_minutes": self.dump_rpo_minutes,
            "terms_minutes": {
                "interval": self.interval_minutes,
                "schedule_delay": self.schedule_delay_minutes,
                "dump_duration": self.duration_allowance_minutes,
                "replication_lag": self.replication_lag_minutes,
            },
            "incremental_cron": self.incremental_cron,
            "freshness_window_minutes": self.freshness_window_minutes,
            "point_in_time_recovery": pitr.model_dump() if pitr else None,
        }


def design_rpo(target: int, dumps: DumpSettings, pitr: PointInTimeRecoverySettings | None) -> RpoDesign:
    """The RPO design of these settings, or a FieldError naming the term that breaks it."""
    fixed = dumps.duration_allowance_minutes + dumps.schedule_delay_minutes + REPLICATION_LAG_MINUTES
    terms = {
        "dumps.interval_minutes": dumps.interval_minutes,
        "dumps.schedule_delay_minutes": dumps.schedule_delay_minutes,
        "dumps.duration_allowance_minutes": dumps.duration_allowance_minutes,
        "rpo_minutes": REPLICATION_LAG_MINUTES,  # fixed by S3 RTC: only a larger target makes room
    }
    interval = dumps.interval_minutes
    if interval is None:
        fitting = [i for i in CRON_INTERVALS_MINUTES if i + fixed <= target]
        if fitting:
            interval = fitting[-1]
    if pitr is not None and pitr.recovery_point_minutes > target:
        raise FieldError(
            "point_in_time_recovery.recovery_point_minutes",
            f"{pitr.recovery_point_minutes} exceeds rpo_minutes ({target}): {pitr.mechanism} does not meet the RPO",
        )
    if interval is None:
        largest = max(("dumps.schedule_delay_minutes", "dumps.duration_allowance_minutes"), key=lambda k: terms[k] or 0)
        spare = target - fixed
        left = f"leave {spare} min for the dump interval" if spare >= 0 else f"exceed it by {-spare} min"
        explain = (
            f"scheduled dumps cannot meet rpo_minutes {target}: schedule delay {dumps.schedule_delay_minutes}"
            f" + dump duration {dumps.duration_allowance_minutes} + replication lag {REPLICATION_LAG_MINUTES}"
            f" (S3 RTC) = {fixed} min {left}, and GitHub schedules run at most every {CRON_INTERVALS_MINUTES[0]}"
            " minutes"
        )
        if pitr is not None:
            raise FieldError(
                "dumps.interval_minutes",
                f"must be set: {explain}. {pitr.mechanism} meets the RPO, so state the dumps' own cadence",
            )
        raise FieldError(
            largest,
            f"{explain}; the largest term is {largest} ({terms[largest]}). Lower it only if measured, raise"
            " rpo_minutes, or declare the point-in-time recovery that meets it (point_in_time_recovery)",
        )
    design = RpoDesign(
        target_minutes=target,
        interval_minutes=interval,
        duration_allowance_minutes=dumps.duration_allowance_minutes,
        schedule_delay_minutes=dumps.schedule_delay_minutes,
        replication_lag_minutes=REPLICATION_LAG_MINUTES,
        point_in_time_recovery=pitr,
    )
    if pitr is None and design.dump_rpo_minutes > target:
        values = {**terms, "dumps.interval_minutes": interval}
        largest = max(values, key=lambda k: values[k] or 0)
        raise FieldError(
            largest,
            f"scheduled dumps cannot meet rpo_minutes {target}: interval {interval} + schedule delay"
            f" {dumps.schedule_delay_minutes} + dump duration {dumps.duration_allowance_minutes} + replication lag"
            f" {REPLICATION_LAG_MINUTES} (S3 RTC) = {design.dump_rpo_minutes} min; the largest term is {largest}"
            f" ({values[largest]}). Shorten it, raise rpo_minutes, or declare the point-in-time recovery that"
            " meets it (point_in_time_recovery)",
        )
    return design


class BackupSettings(StrictSettings):
    """Primary and DR backup buckets, replication and retention."""

    bucket_prefix: str = Field(
        description="Prefix of the bucket names (`<prefix>-<env>-backups-<region>`); lowercase, digits, hyphens."
    )
    primary_region: AwsRegion = Field(default="us-east-1", description="Region of the primary backup bucket.")
    dr_region: AwsRegion = Field(default="us-west-2", description="Disaster-recovery region of the replica bucket.")
    rpo_minutes: int = Field(
        default=60,
        ge=1,
        description="Recovery point objective in minutes (IF-010: 1 hour); the settings refuse a design that misses it.",
    )
    rto_hours: int = Field(default=4, ge=1, description="Recovery time objective in hours (IF-010: 4 hours).")
    retention: RetentionSettings = Field(default_factory=RetentionSettings)  # pyright: ignore[reportArgumentType]
    replica_extra_days: int = Field(
        default=0, ge=0, description="Extra days the DR replica keeps each tier beyond the primary."
    )
    transitions: TransitionSettings = Field(default_factory=TransitionSettings)  # pyright: ignore[reportArgumentType]
    object_lock: ObjectLockSettings = Field(default_factory=ObjectLockSettings)  # pyright: ignore[reportArgumentType]
    replicate_delete_markers: bool = Field(
        default=False,
        description="Replicate delete markers to the DR replica. Off: a delete on the primary leaves the replica intact.",
    )
    replication_alarm_severity: Severity = Field(
        default="high", description="Alert tier of the replication alarms (RPO at risk, not an outage)."
    )
    access_log_days: int = Field(default=90, ge=1, description="Days the S3 server access logs are kept.")
    protect: bool = Field(
        default=False,
        description="Mark buckets and keys protect + retain_on_delete so `pulumi destroy` cannot delete them.",
    )
    force_destroy: bool = Field(
        default=False, description="Allow `pulumi destroy` to empty and delete the buckets (staging only)."
    )
    dumps: DumpSettings = Field(default_factory=DumpSettings)  # pyright: ignore[reportArgumentType]
    point_in_time_recovery: PointInTimeRecoverySettings | None = Field(
        default=None, description="The point-in-time recovery that meets the RPO when the dumps cannot."
    )
    restore_drill: RestoreDrillSettings = Field(default_factory=RestoreDrillSettings)  # pyright: ignore[reportArgumentType]
    freshness_alarm_severity: Severity = Field(
        default="high", description="Alert tier of the alarm on no successful backup within the freshness window."
    )
    metric_namespace: str = Field(
        default="Platform/Backups",
        description="CloudWatch namespace of the backup and drill metrics (the jobs may publish only there).",
    )
    kms_admin_arns: list[Arn] = Field(
        default_factory=list,
        description="IAM principals that administer the backup KMS keys (the account root is always included).",
    )

    _bucket_prefix = field_validator("bucket_prefix")(
        must_match(_BUCKET_PREFIX, "must be 3-42 characters of lowercase letters, digits and hyphens")
    )

    @field_validator("metric_namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        # CloudWatch reserves the AWS/ prefix; keep to characters that are safe in shell and IAM conditions.
        if not _NAMESPACE.match(value) or value.startswith("AWS/"):
            raise ValueError("must be a CloudWatch namespace of letters, digits and / _ . - (not AWS/...)")
        return value

    @property
    def rpo(self) -> RpoDesign:
        return design_rpo(self.rpo_minutes, self.dumps, self.point_in_time_recovery)

    @model_validator(mode="after")
    def _cross_field(self) -> BackupSettings:
        if self.primary_region == self.dr_region:
            raise FieldError("dr_region", f"must differ from primary_region ({self.primary_region})")
        # Raises a FieldError naming the term that breaks the RPO.
        design_rpo(self.rpo_minutes, self.dumps, self.point_in_time_recovery)
        if self.protect and self.force_destroy:
            raise FieldError("force_destroy", "cannot be true while protect is true")
        shortest = min(self.retention.daily_days, self.retention.incremental)
        if self.object_lock.enabled and self.object_lock.retention_days > shortest:
            raise FieldError(
                "object_lock.retention_days",
                f"must not exceed the shortest tier retention ({shortest} days): locked versions would outlive their tier",
            )
        for region in (self.primary_region, self.dr_region):
            longest = access_log_bucket_name(self.bucket_prefix, _LONGEST_ENVIRONMENT, region)
            if len(longest) > _MAX_BUCKET_NAME:
                raise FieldError(
                    "bucket_prefix",
                    f"too long: bucket name {longest!r} would exceed {_MAX_BUCKET_NAME} characters",
                )
        return self
