"""Backup and disaster-recovery settings (runbook IF-009, IF-010, IF-003)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Arn, AwsRegion, Environment, FieldError, Model, Severity

_BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$")
_MAX_BUCKET_NAME = 63  # S3 bucket-name limit
_LONGEST_ENVIRONMENT: Environment = "production"


def backup_bucket_name(prefix: str, environment: Environment, region: str) -> str:
    """Name of a backup bucket: `<prefix>-<env>-backups-<region>`."""
    return f"{prefix}-{environment}-backups-{region}"


def access_log_bucket_name(prefix: str, environment: Environment, region: str) -> str:
    """Name of a server-access-log bucket; `-access-logs` marks it as a log bucket for people and policies."""
    return f"{prefix}-{environment}-access-logs-{region}"


class RetentionSettings(Model):
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


class TransitionSettings(Model):
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


class ObjectLockSettings(Model):
    """S3 Object Lock: WORM protection of backups. It can only be turned on when a bucket is created."""

    enabled: bool = Field(default=False, description="Create the backup buckets with Object Lock (production).")
    mode: Literal["GOVERNANCE", "COMPLIANCE"] = Field(default="GOVERNANCE", description="Default retention mode.")
    retention_days: int = Field(default=7, ge=1, description="Default retention of each object version, in days.")


class BackupSettings(Model):
    """Primary and DR backup buckets, replication and retention."""

    bucket_prefix: str = Field(
        description="Prefix of the bucket names (`<prefix>-<env>-backups-<region>`); lowercase, digits, hyphens."
    )
    primary_region: AwsRegion = Field(default="us-east-1", description="Region of the primary backup bucket.")
    dr_region: AwsRegion = Field(default="us-west-2", description="Disaster-recovery region of the replica bucket.")
    rpo_minutes: int = Field(default=60, description="Recovery point objective in minutes (IF-010: 1 hour).")
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
    kms_admin_arns: list[Arn] = Field(
        default_factory=list,
        description="IAM principals that administer the backup KMS keys (the account root is always included).",
    )

    @field_validator("bucket_prefix")
    @classmethod
    def _bucket_prefix(cls, value: str) -> str:
        if not _BUCKET_PREFIX.fullmatch(value):
            raise ValueError("must be 3-42 characters of lowercase letters, digits and hyphens")
        return value

    @field_validator("rpo_minutes")
    @classmethod
    def _rpo(cls, value: int) -> int:
        if value < 15:
            raise ValueError("must be at least 15: S3 Replication Time Control replicates within 15 minutes")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> BackupSettings:
        if self.primary_region == self.dr_region:
            raise FieldError("dr_region", f"must differ from primary_region ({self.primary_region})")
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
