"""KMS keys (rotation, least-privilege policies) and the backup jobs' writer/reader roles."""

from __future__ import annotations

from components.github.oidc import backup_environment, environment_subject, restore_environment
from tests.backup.support import BUCKET, KEY, ROLE, ROLE_POLICY, TIERS, as_list, backup_settings, doc, part, statement

ROOT = "arn:aws:iam::123456789012:root"
OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def test_keys_rotate_and_live_in_their_bucket_region(stack):
    for suffix, region in (("primary-key", "us-east-1"), ("replica-key", "us-west-2")):
        key = part(stack, KEY, suffix).plain_inputs
        assert key["enableKeyRotation"] is True
        assert key["region"] == region
        assert key["deletionWindowInDays"] == (30 if stack.stack == "production" else 7)
        assert "bypassPolicyLockoutSafetyCheck" not in key or key["bypassPolicyLockoutSafetyCheck"] is False


def test_key_policies_are_least_privilege(stack):
    replication_role = part(stack, ROLE, "replication").plain_outputs["arn"]
    admins = backup_settings(stack).kms_admin_arns
    for suffix, region, replication_actions in (
        ("primary-key", "us-east-1", ["kms:Decrypt"]),
        ("replica-key", "us-west-2", ["kms:Encrypt", "kms:GenerateDataKey"]),
    ):
        document = doc(part(stack, KEY, suffix))
        for st in document["Statement"]:
            assert st["Effect"] == "Allow"
            assert "kms:*" not in as_list(st["Action"]), "no kms:* for anyone"
            assert st["Principal"] != "*", "no * principal"
            assert "*" not in as_list(st["Principal"].get("AWS", [])), "no * principal"
        admin = statement(document, "KeyAdministration")
        assert as_list(admin["Principal"]["AWS"]) == [ROOT, *admins], "the account root keeps the key manageable"
        assert "kms:PutKeyPolicy" in admin["Action"]
        assert "kms:ScheduleKeyDeletion" in admin["Action"]
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(admin["Action"]), "admins cannot read"
        via_s3 = {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": "123456789012"}
        use = statement(document, "UseThroughS3InThisAccount")
        assert use["Principal"] == {"AWS": ROOT}
        assert use["Condition"] == {"StringEquals": via_s3}
        replication = statement(document, "S3Replication")
        assert replication["Principal"] == {"AWS": replication_role}
        assert replication["Action"] == replication_actions
        assert replication["Condition"] == {"StringEquals": via_s3}


def test_writer_role_puts_under_tier_prefixes_of_the_primary(stack):
    repository = "lodgetix/lodgetix-app"
    role = part(stack, ROLE, "lodgetix-app-writer")
    trust = doc(role, "assumeRolePolicy")
    (only,) = trust["Statement"]
    assert only["Principal"] == {"Federated": OIDC}
    assert only["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert only["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": environment_subject(repository, backup_environment(stack.stack)),
    }
    primary = part(stack, BUCKET, "primary").plain_outputs["arn"]
    document = doc(part(stack, ROLE_POLICY, "lodgetix-app-writer"))
    put = statement(document, "PutBackupsUnderOwnPrefixes")
    assert sorted(put["Action"]) == ["s3:AbortMultipartUpload", "s3:PutObject"]
    assert put["Resource"] == [f"{primary}/{t}lodgetix-app/*" for t in TIERS]
    metrics = statement(document, "PublishBackupMetrics")
    assert metrics["Action"] == "cloudwatch:PutMetricData"
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Platform/Backups"}}
    kms = statement(document, "EncryptWithTheBucketKey")
    assert kms["Resource"] == part(stack, KEY, "primary-key").plain_outputs["arn"]
    assert sorted(kms["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    actions = {a for s in document["Statement"] for a in as_list(s["Action"])}
    assert not {"s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"} & actions, (
        "the writer cannot read or delete"
    )


def test_reader_role_reads_the_replica_only(stack):
    repository = "lodgetix/lodgetix-app"
    trust = doc(part(stack, ROLE, "lodgetix-app-reader"), "assumeRolePolicy")
    assert trust["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        environment_subject(repository, restore_environment(stack.stack))
    )
    replica = part(stack, BUCKET, "replica").plain_outputs["arn"]
    document = doc(part(stack, ROLE_POLICY, "lodgetix-app-reader"))
    listing = statement(document, "ListOwnPrefixes")
    assert (sorted(listing["Action"]), listing["Resource"]) == (["s3:ListBucket", "s3:ListBucketVersions"], replica)
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{t}lodgetix-app/*" for t in TIERS]}}
    read = statement(document, "ReadOwnObjects")
    assert sorted(read["Action"]) == ["s3:GetObject", "s3:GetObjectVersion"]
    assert read["Resource"] == [f"{replica}/{t}lodgetix-app/*" for t in TIERS]
    kms = statement(document, "DecryptWithTheReplicaKey")
    assert (kms["Action"], kms["Resource"]) == ("kms:Decrypt", part(stack, KEY, "replica-key").plain_outputs["arn"])
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}
    primary = part(stack, BUCKET, "primary").plain_outputs["arn"]
    assert not [r for s in document["Statement"] for r in as_list(s["Resource"]) if r.startswith(primary)]


def test_roles_are_attached_to_their_policies(stack):
    for suffix in ("lodgetix-app-writer", "lodgetix-app-reader", "replication"):
        assert part(stack, ROLE_POLICY, suffix).plain_inputs["role"] == part(stack, ROLE, suffix).plain_outputs["id"]
