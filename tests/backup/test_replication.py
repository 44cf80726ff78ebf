"""Cross-region replication: V2 rule, KMS objects re-encrypted with the replica key, RTC 15 min + metrics,
after versioning of both buckets; a least-privilege role that only S3 (for our bucket and account) may assume."""

from __future__ import annotations

from tests.backup.support import (
    BUCKET,
    KEY,
    ROLE,
    ROLE_POLICY,
    backup_settings,
    vault_arn,
    vault_resource,
    vault_s3_resource,
)
from tests.support.policy_documents import as_list, policy_document, statement_with_sid


def test_replication_rule(stack):
    config = vault_s3_resource(stack, "BucketReplicationConfig", "replication")
    inputs = config.plain_inputs
    assert inputs["bucket"] == vault_resource(stack, BUCKET, "primary").plain_inputs["bucket"]
    assert inputs["region"] == "us-east-1"
    assert inputs["role"] == vault_arn(stack, ROLE, "replication")
    (rule,) = inputs["rules"]
    assert rule["id"] == "backups-to-dr"
    assert rule["status"] == "Enabled"
    assert rule["priority"] == 1
    assert rule["filter"] == {"prefix": ""}, "a filter (V2 rule) covering every object"
    assert "prefix" not in rule, "no legacy V1 prefix"
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    destination = rule["destination"]
    assert destination["bucket"] == vault_arn(stack, BUCKET, "replica")
    assert destination["encryptionConfiguration"] == {"replicaKmsKeyId": vault_arn(stack, KEY, "replica-key")}
    assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert destination["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}
    for suffix in ("primary-versioning", "replica-versioning"):
        assert vault_s3_resource(stack, "BucketVersioning", suffix).urn in config.depends_on
    assert vault_resource(stack, ROLE_POLICY, "replication").urn in config.depends_on


def test_replication_role_trusts_only_s3_for_our_bucket(stack):
    trust = policy_document(vault_resource(stack, ROLE, "replication"), "assumeRolePolicy")
    (only,) = trust["Statement"]
    assert only["Effect"] == "Allow"
    assert only["Principal"] == {"Service": "s3.amazonaws.com"}
    assert only["Action"] == "sts:AssumeRole"
    assert only["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": vault_arn(stack, BUCKET, "primary")},
    }


def test_replication_role_policy_is_exact(stack):
    lock = backup_settings(stack).object_lock.enabled
    primary, replica = vault_arn(stack, BUCKET, "primary"), vault_arn(stack, BUCKET, "replica")
    primary_key, replica_key = vault_arn(stack, KEY, "primary-key"), vault_arn(stack, KEY, "replica-key")
    policy = vault_resource(stack, ROLE_POLICY, "replication")
    assert policy.plain_inputs["role"] == vault_resource(stack, ROLE, "replication").plain_outputs["id"]
    document = policy_document(policy)
    resources = {r for s in document["Statement"] for r in as_list(s["Resource"])}
    assert resources == {primary, f"{primary}/*", f"{replica}/*", primary_key, replica_key}, (
        "only these buckets and keys"
    )
    assert all(s["Effect"] == "Allow" for s in document["Statement"])
    assert not [a for s in document["Statement"] for a in as_list(s["Action"]) if "*" in a], "no wildcard actions"
    config = statement_with_sid(document, "ReadSourceConfiguration")
    assert (sorted(config["Action"]), config["Resource"]) == (
        ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        primary,
    )
    read = statement_with_sid(document, "ReadSourceVersions")
    expected = ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"]
    if lock:
        expected += ["s3:GetObjectLegalHold", "s3:GetObjectRetention"]
    assert sorted(read["Action"]) == sorted(expected)
    assert read["Resource"] == f"{primary}/*"
    write = statement_with_sid(document, "WriteReplicas")
    assert sorted(write["Action"]) == ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"]
    assert write["Resource"] == f"{replica}/*"
    decrypt = statement_with_sid(document, "DecryptSourceObjects")
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", primary_key)
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    encrypt = statement_with_sid(document, "EncryptReplicas")
    assert (sorted(encrypt["Action"]), encrypt["Resource"]) == (["kms:Encrypt", "kms:GenerateDataKey"], replica_key)
    assert encrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}


def test_object_lock_only_in_production(staging, production):
    for suffix in ("primary", "replica"):
        assert vault_resource(production, BUCKET, suffix).plain_inputs["objectLockEnabled"] is True
        assert vault_resource(staging, BUCKET, suffix).plain_inputs["objectLockEnabled"] is False
        # Log buckets are never locked: their own lifecycle must be able to expire them.
        assert vault_resource(production, BUCKET, f"{suffix}-access-logs").plain_inputs["objectLockEnabled"] is False
        lock = vault_s3_resource(production, "BucketObjectLockConfiguration", f"{suffix}-object-lock")
        assert lock.plain_inputs["objectLockEnabled"] == "Enabled"
        assert lock.plain_inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 7}}
        assert lock.plain_inputs["region"] == vault_resource(production, BUCKET, suffix).plain_inputs["region"]
        assert vault_s3_resource(production, "BucketVersioning", f"{suffix}-versioning").urn in lock.depends_on
    assert not staging.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
