"""Backup settings: both stacks load; every validation rejects its bad case naming the stack file and key path."""

from __future__ import annotations

import pytest

from components.settings import SettingsError
from components.settings.backup import BackupSettings, access_log_bucket_name, backup_bucket_name
from tests.backup.support import BACKUP
from tests.support.settings import problems_with_area, settings_with_area, stack_settings
from tests.support.stack_files import edit_setting

PITR = {"mechanism": "supabase-pitr", "recovery_point_minutes": 2, "retention_days": 7}


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_stack_files_are_valid(stack):
    settings = stack_settings(stack).backup
    assert (settings.primary_region, settings.dr_region) == ("us-east-1", "us-west-2")
    assert settings.rto_hours == 4  # IF-010
    # IF-010's 1 hour in production, met by the declared PITR; staging's dumps meet its own 2 hours.
    assert settings.rpo_minutes == (60 if stack == "production" else 120)
    assert settings.rpo.designed_rpo_minutes <= settings.rpo_minutes


def test_defaults_follow_the_runbook():
    # The default RPO is the runbook's hour, which dumps alone cannot meet: PITR must be declared.
    with pytest.raises(ValueError, match="scheduled dumps cannot meet rpo_minutes 60"):
        BackupSettings.model_validate({"bucket_prefix": "acme"})
    settings = BackupSettings.model_validate(
        {"bucket_prefix": "acme", "point_in_time_recovery": PITR, "dumps": {"interval_minutes": 60}}
    )
    retention = settings.retention
    # IF-009: daily 7, weekly 4 (weeks), monthly 12 (months); incremental kept as long as daily.
    assert (retention.daily_days, retention.weekly_days, retention.monthly_days, retention.incremental) == (
        7,
        28,
        365,
        7,
    )
    assert retention.pre_migration == retention.weekly_days
    assert list(retention.tiers()) == ["daily/", "weekly/", "monthly/", "incremental/", "pre-migration/"]
    assert (settings.primary_region, settings.dr_region, settings.rpo_minutes, settings.rto_hours) == (
        "us-east-1",
        "us-west-2",
        60,
        4,
    )
    assert settings.rpo.designed_rpo_minutes == 2


@pytest.mark.parametrize(
    ("stack", "path", "value", "message"),
    [
        ("staging", "dr_region", "us-east-1", "must differ from primary_region (us-east-1)"),
        ("staging", "primary_region", "us-west-2", "must differ from primary_region (us-west-2)"),
        ("staging", "rpo_minutes", 0, "must be at least 1"),
        ("staging", "dumps.interval_minutes", 7, "must be one of [5, 6, 10"),
        ("staging", "dumps.interval_minutes", 4, "GitHub schedules run at most every 5 minutes"),
        ("staging", "dumps.duration_allowance_minutes", 0, "must be at least 1"),
        ("staging", "dumps.schedule_delay_minutes", -1, "must be at least 0"),
        ("staging", "metric_namespace", "AWS/Backups", "not AWS/"),
        ("staging", "metric_namespace", "ns; rm -rf /", "must be a CloudWatch namespace"),
        ("staging", "freshness_alarm_severity", "urgent", "must be one of"),
        ("staging", "restore_drill.interval_days", 0, "must be at least 1"),
        ("staging", "restore_drill.interval_days", 60, "must stay below 62"),
        ("staging", "point_in_time_recovery.mechanism", "snapshots", "supabase-pitr"),
        ("staging", "rto_hours", 0, "must be at least 1"),
        ("staging", "retention.daily_days", 0, "must be at least 1"),
        ("staging", "retention.weekly_days", -1, "must be at least 1"),
        ("staging", "retention.monthly_days", 0, "must be at least 1"),
        ("staging", "retention.incremental_days", 0, "must be at least 1"),
        ("staging", "retention.pre_migration_days", 0, "must be at least 1"),
        ("staging", "retention.noncurrent_days", 0, "must be at least 1"),
        ("staging", "retention.abort_multipart_days", 0, "must be at least 1"),
        ("staging", "access_log_days", 0, "must be at least 1"),
        ("staging", "replica_extra_days", -1, "must be at least 0"),
        ("staging", "transitions.standard_ia_after_days", 29, "must be at least 30"),
        ("staging", "transitions.glacier_ir_after_days", 59, "must be at least 30 days after standard_ia_after_days"),
        ("staging", "object_lock.mode", "LEGAL", "must be one of"),
        ("staging", "replication_alarm_severity", "urgent", "must be one of"),
        ("staging", "bucket_prefix", "Bad_Prefix", "must be 3-42 characters"),
        ("staging", "bucket_prefix", "a" * 31, "would exceed 63 characters"),
        ("staging", "kms_admin_arns", ["admin"], "is not an AWS ARN"),
        ("staging", "protect", True, "cannot be true while protect is true"),
    ],
)
def test_bad_value_names_file_and_key(stack, path, value, message):
    problems = problems_with_area(stack, "backup", edit_setting(*path.split("."), value=value))
    key = "dr_region" if path == "primary_region" else path
    key = "force_destroy" if path == "protect" else key
    expected = f"{BACKUP}.{key}"
    assert any(p.startswith(f"{expected}: ") or p.startswith(f"{expected}[") for p in problems), problems
    assert any(message in p for p in problems), problems


def test_retention_must_be_ordered():
    weekly = problems_with_area("staging", "backup", edit_setting("retention", "weekly_days", value=6))
    assert weekly == [
        f"{BACKUP}.retention.weekly_days: retention must be ordered: daily_days <= weekly_days <= monthly_days"
    ]
    monthly = problems_with_area("staging", "backup", edit_setting("retention", "monthly_days", value=27))
    assert monthly == [
        f"{BACKUP}.retention.monthly_days: retention must be ordered: daily_days <= weekly_days <= monthly_days"
    ]
    # Equal is ordered.
    equal = settings_with_area(
        "staging", "backup", edit_setting("retention", value={"daily_days": 7, "weekly_days": 7, "monthly_days": 7})
    )
    assert equal.backup.retention.monthly_days == 7


def test_object_lock_cannot_outlive_the_shortest_tier():
    problems = problems_with_area("production", "backup", edit_setting("object_lock", "retention_days", value=8))
    assert problems == [
        f"{BACKUP}.object_lock.retention_days: must not exceed the shortest tier retention (7 days): "
        "locked versions would outlive their tier"
    ]
    # Without Object Lock the same number is harmless.
    assert (
        settings_with_area(
            "staging", "backup", edit_setting("object_lock", "retention_days", value=8)
        ).backup.object_lock.retention_days
        == 8
    )


def test_problem_lines_carry_the_stack_file():
    with pytest.raises(SettingsError) as caught:
        settings_with_area("production", "backup", edit_setting("rpo_minutes", value=1))
    assert f"Pulumi.production.yaml: {BACKUP}.point_in_time_recovery.recovery_point_minutes: 2 exceeds" in str(
        caught.value
    )


def test_longest_accepted_prefix_fits_s3_names():
    prefix = "a" * 30  # 30 + len("-production-access-logs-us-east-1") = 63
    ok = BackupSettings.model_validate({"bucket_prefix": prefix, "dr_region": "us-west-2", "rpo_minutes": 120})
    for region in (ok.primary_region, ok.dr_region):
        assert len(access_log_bucket_name(prefix, "production", region)) <= 63
        assert len(backup_bucket_name(prefix, "production", region)) <= 63
