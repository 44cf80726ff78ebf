"""KMS keys (rotation, least-privilege policies) and the backup jobs' writer/reader roles."""

from __future__ import annotations

from components.github.oidc import backup_environment, environment_subject, restore_environment
from tests.backup.support import BUCKET, KEY, ROLE, ROLE_POLICY, TIERS, backup_settings, vault_resource
from tests.support.policy_documents import as_list, policy_document, statement_with_sid

ROOT = "arn:aws:iam::123456789012:root"
OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def test_keys_rotate_and_live_in_their_bucket_region(stack):
    for suffix, region in (("primary-key", "us-east-1"), ("replica-key", "us-west-2")):
        key = vault_resource(stack, KEY, suffix).plain_inputs
        assert key["enableKeyRotation"] is True
        assert key["region"] == region
        assert key["deletionWindowInDays"] == (30 if stack.stack == "production" else 7)
        assert "bypassPolicyLockoutSafetyCheck" not in key or key["bypassPolicyLockoutSafetyCheck"] is False


def test_key_policies_are_least_privilege(stack):
    replication_role = vault_resource(stack, ROLE, "replication").plain_outputs["arn"]
    admins = backup_settings(stack).kms_admin_arns
    for suffix, region, replication_actions in (
        ("primary-key", "us-east-1", ["kms:Decrypt"]),
        ("replica-key", "us-west-2", ["kms:Encrypt", "kms:GenerateDataKey"]),
    ):
        document = policy_document(vault_resource(stack, KEY, suffix))
        for st in document["Statement"]:
            assert st["Effect"] == "Allow"
            assert "kms:*" not in as_list(st["Action"]), "no kms:* for anyone"
            assert st["Principal"] != "*", "no * principal"
            assert "*" not in as_list(st["Principal"].get("AWS", [])), "no * principal"
        admin = statement_with_sid(document, "KeyAdministration")
        assert as_list(admin["Principal"]["AWS"]) == [ROOT, *admins], "the account root keeps the key manageable"
        assert "kms:PutKeyPolicy" in admin["Action"]
        assert "kms:ScheduleKeyDeletion" in admin["Action"]
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(admin["Action"]), "admins cannot read"
        via_s3 = {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": "123456789012"}
        use = statement_with_sid(document, "UseThroughS3InThisAccount")
        assert use["Principal"] == {"AWS": ROOT}
        assert use["Condition"] == {"StringEquals": via_s3}
        replication = statement_with_sid(document, "S3Replication")
        assert replication["Principal"] == {"AWS": replication_role}
        assert replication["Action"] == replication_actions
        assert replication["Condition"] == {"StringEquals": via_s3}


def test_writer_role_puts_under_tier_prefixes_of_the_primary(stack):
    repository = "lodgetix/lodgetix-app"
    role = vault_resource(stack, ROLE, "lodgetix-app-writer")
    trust = policy_document(role, "assumeRolePolicy")
    (only,) = trust["Statement"]
    assert only["Principal"] == {"Federated": OIDC}
    assert only["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert only["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": environment_subject(repository, backup_environment(stack.stack)),
    }
    primary = vault_resource(stack, BUCKET, "primary").plain_outputs["arn"]
    document = policy_document(vault_resource(stack, ROLE_POLICY, "lodgetix-app-writer"))
    put = statement_with_sid(document, "PutBackupsUnderOwnPrefixes")
    assert sorted(put["Action"]) == ["s3:AbortMultipartUpload", "s3:PutObject"]
    assert put["Resource"] == [f"{primary}/{t}lodgetix-app/*" for t in TIERS]
    metrics = statement_with_sid(document, "PublishBackupMetrics")
    assert metrics["Action"] == "cloudwatch:PutMetricData"
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Platform/Backups"}}
    kms = statement_with_sid(document, "EncryptWithTheBucketKey")
    assert kms["Resource"] == vault_resource(stack, KEY, "primary-key").plain_outputs["arn"]
    assert sorted(kms["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    actions = {a for s in document["Statement"] for a in as_list(s["Action"])}
    assert not {"s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"} & actions, (
        "the writer cannot read or delete"
    )


def test_reader_role_reads_the_replica_only(stack):
    repository = "lodgetix/lodgetix-app"
    trust = policy_document(vault_resource(stack, ROLE, "lodgetix-app-reader"), "assumeRolePolicy")
    assert trust["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        environment_subject(repository, restore_environment(stack.stack))
    )
    replica = vault_resource(stack, BUCKET, "replica").plain_outputs["arn"]
    document = policy_document(vault_resource(stack, ROLE_POLICY, "lodgetix-app-reader"))
    listing = statement_with_sid(document, "ListOwnPrefixes")
    assert (sorted(listing["Action"]), listing["Resource"]) == (["s3:ListBucket", "s3:ListBucketVersions"], replica)
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{t}lodgetix-app/*" for t in TIERS]}}
    read = statement_with_sid(document, "ReadOwnObjects")
    assert sorted(read["Action"]) == ["s3:GetObject", "s3:GetObjectVersion"]
    assert read["Resource"] == [f"{replica}/{t}lodgetix-app/*" for t in TIERS]
    kms = statement_with_sid(document, "DecryptWithTheReplicaKey")
    assert (kms["Action"], kms["Resource"]) == (
        "kms:Decrypt",
        vault_resource(stack, KEY, "replica-key").plain_outputs["arn"],
    )
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}
    primary = vault_resource(stack, BUCKET, "primary").plain_outputs["arn"]
    assert not [r for s in document["Statement"] for r in as_list(s["Resource"]) if r.startswith(primary)]


def test_roles_are_attached_to_their_policies(stack):
    for suffix in ("lodgetix-app-writer", "lodgetix-app-reader", "replication"):
        assert (
            vault_resource(stack, ROLE_POLICY, suffix).plain_inputs["role"]
            == vault_resource(stack, ROLE, suffix).plain_outputs["id"]
        )
