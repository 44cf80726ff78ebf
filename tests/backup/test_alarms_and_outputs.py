"""Replication alarms to the alert topics, stack outputs, and the behaviour that depends on settings or inputs."""

from __future__ import annotations

import pytest

from ops.offline import Evaluation
from tests.backup.support import (
    ALARM,
    BACKUP,
    BUCKET,
    KEY,
    ROLE,
    ROLE_POLICY,
    evaluate_vault,
    vault_name,
    vault_resource,
    vault_s3_resource,
)
from tests.support.policy_documents import policy_document, statement_with_sid
from tests.support.programs import evaluate_with
from tests.support.resources import alert_topic_arns


def _alarms(stack: Evaluation) -> dict[str, dict]:
    prefix = vault_name(stack)
    return {
        a.name.removeprefix(f"{prefix}-"): a.plain_inputs for a in stack.of_type(ALARM) if a.name.startswith(prefix)
    }


def _replication_alarms(stack: Evaluation) -> dict[str, dict]:
    return {k: v for k, v in _alarms(stack).items() if k.startswith("replication-")}


def test_replication_alarms(stack):
    alarms = _replication_alarms(stack)
    assert set(alarms) == {"replication-latency", "replication-failed"}
    topic = alert_topic_arns(stack)["high"]
    dimensions = {
        "SourceBucket": vault_resource(stack, BUCKET, "primary").plain_inputs["bucket"],
        "DestinationBucket": vault_resource(stack, BUCKET, "replica").plain_inputs["bucket"],
        "RuleId": "backups-to-dr",
    }
    for alarm in alarms.values():
        assert alarm["namespace"] == "AWS/S3"
        assert alarm["dimensions"] == dimensions
        assert alarm["region"] == "us-east-1", "replication metrics are published in the source region"
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
        assert alarm["alarmActions"] == [topic]
        assert alarm["okActions"] == [topic]
        assert alarm["treatMissingData"] == "notBreaching"
        assert alarm["alarmDescription"].startswith("[high] ")
        assert "datapointsToAlarm" not in alarm, "deployed without it (AlarmSpec.states_datapoints)"
    latency = alarms["replication-latency"]
    assert (latency["metricName"], latency["statistic"]) == ("ReplicationLatency", "Maximum")
    assert latency["threshold"] == 15 * 60, "the replication-lag term of the RPO design (S3 RTC), in seconds"
    failed = alarms["replication-failed"]
    assert (failed["metricName"], failed["statistic"], failed["threshold"]) == ("OperationsFailedReplication", "Sum", 0)


def test_stack_outputs(stack):
    out = stack.outputs
    assert out["backup_primary_bucket_name"] == f"lodgetix-{stack.stack}-backups-us-east-1"
    assert out["backup_replica_bucket_name"] == f"lodgetix-{stack.stack}-backups-us-west-2"
    assert out["backup_primary_bucket_arn"] == vault_resource(stack, BUCKET, "primary").plain_outputs["arn"]
    assert out["backup_replica_bucket_arn"] == vault_resource(stack, BUCKET, "replica").plain_outputs["arn"]
    assert out["backup_primary_key_arn"] == vault_resource(stack, KEY, "primary-key").plain_outputs["arn"]
    assert out["backup_replica_key_arn"] == vault_resource(stack, KEY, "replica-key").plain_outputs["arn"]
    assert out["backup_replication_role_arn"] == vault_resource(stack, ROLE, "replication").plain_outputs["arn"]
    for role in ("writer", "reader"):
        arn = vault_resource(stack, ROLE, f"lodgetix-app-{role}").plain_outputs["arn"]
        assert out[f"backup_{role}_role_arns"] == {"lodgetix-app": arn}
    assert out["backup_regions"] == {"primary": "us-east-1", "dr": "us-west-2"}
    assert out["backup_rto_hours"] == 4
    design = out["backup_rpo_design"]
    terms = design["terms_minutes"]
    # Computed from the terms, never asserted: hourly dumps + 30 delay + 15 dump + 15 replication.
    assert terms == {"interval": 60, "schedule_delay": 30, "dump_duration": 15, "replication_lag": 15}
    assert design["dump_rpo_minutes"] == sum(terms.values()) == 120
    note = out["backup_rpo_note"]
    assert "keeps the RPO" not in note, "replication bounds the DR copy's lag, not the data's age"
    assert f"= {design['dump_rpo_minutes']} min in the DR region" in note
    if stack.stack == "production":
        assert out["backup_rpo_minutes"] == 60
        assert (design["designed_rpo_minutes"], design["met_by"]) == (2, "supabase-pitr")
        assert note.startswith("Designed RPO 2 min (target 60) through supabase-pitr")
    else:
        assert out["backup_rpo_minutes"] == 120
        assert (design["designed_rpo_minutes"], design["met_by"]) == (120, "scheduled logical dumps")
        assert note.startswith("Designed RPO 120 min (target 120): scheduled dumps every 60 min")


def test_settings_drive_lock_delete_markers_transitions_and_severity(tmp_path):
    def edit(config):
        backup = config[BACKUP]
        backup["object_lock"] = {"enabled": True, "mode": "COMPLIANCE", "retention_days": 3}
        backup["replicate_delete_markers"] = True
        backup["transitions"] = {"enabled": False}
        backup["replica_extra_days"] = 3
        backup["replication_alarm_severity"] = "critical"

    evaluation = evaluate_with(tmp_path, "staging", edit)
    for suffix in ("primary", "replica"):
        assert vault_resource(evaluation, BUCKET, suffix).plain_inputs["objectLockEnabled"] is True
        lock = vault_s3_resource(evaluation, "BucketObjectLockConfiguration", f"{suffix}-object-lock").plain_inputs
        assert lock["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": 3}}
    read = statement_with_sid(
        policy_document(vault_resource(evaluation, ROLE_POLICY, "replication")), "ReadSourceVersions"
    )
    assert {"s3:GetObjectRetention", "s3:GetObjectLegalHold"} <= set(read["Action"])
    (rule,) = vault_s3_resource(evaluation, "BucketReplicationConfig", "replication").plain_inputs["rules"]
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    primary = vault_s3_resource(evaluation, "BucketLifecycleConfiguration", "primary-lifecycle").plain_inputs["rules"]
    replica = vault_s3_resource(evaluation, "BucketLifecycleConfiguration", "replica-lifecycle").plain_inputs["rules"]
    assert not [r for r in primary + replica if r.get("transitions")]
    expiring = [r for r in primary if "expiration" in r], [r for r in replica if "expiration" in r]
    assert [r["expiration"]["days"] for r in expiring[1]] == [r["expiration"]["days"] + 3 for r in expiring[0]]
    topic = alert_topic_arns(evaluation)["critical"]
    for alarm in _replication_alarms(evaluation).values():
        assert alarm["alarmActions"] == [topic]
        assert alarm["okActions"] == [topic]


@pytest.fixture(scope="module")
def bare_vault(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    """A vault with no alert topics and no job subjects (before the alerting and GitHub areas are wired)."""
    return evaluate_vault(
        tmp_path_factory.mktemp("bare"),
        """
        vault = BackupVault(
            "bare",
            BackupSettings(bucket_prefix="acme", rpo_minutes=120),
            "staging",
            alarm_topic_arns={},
            oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            apps=[],
        )
        pulumi.export("writer", vault.outputs.writer_role_arns)
        pulumi.export("reader", vault.outputs.reader_role_arns)
        pulumi.export("alarms", len(vault.alarms))
        pulumi.export("rule", vault.replication_rule_id)
        """,
    )


def test_without_topics_no_alarm_is_created(bare_vault):
    # An alarm that notifies nobody would break the alerting policy; none is made (a warning says why).
    assert not bare_vault.of_type(ALARM)
    assert bare_vault.outputs["alarms"] == 0
    assert vault_s3_resource(bare_vault, "BucketReplicationConfig", "replication"), (
        "replication itself does not need topics"
    )


def test_without_apps_no_job_roles(bare_vault):
    roles = {r.name for r in bare_vault.of_type(ROLE)}
    assert roles == {"bare-replication"}
    assert {r.name for r in bare_vault.of_type(ROLE_POLICY)} == {"bare-replication"}
    assert bare_vault.outputs["writer"] == {}
    assert bare_vault.outputs["reader"] == {}
    assert bare_vault.outputs["rule"] == "backups-to-dr"
