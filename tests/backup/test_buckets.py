"""Backup and access-log buckets on both stacks: regions, names, ACLs off, public access blocked, versioning,
encryption, TLS-only and right-key-only policies, access logging and retention."""

from __future__ import annotations

from ops.offline import Evaluation
from tests.backup.support import BUCKET, SUFFIXES, TIERS, backup_settings, vault_resource, vault_s3_resource
from tests.support.policy_documents import as_list, policy_document, statement_with_sid


def _regions(stack: Evaluation) -> dict[str, str]:
    settings = backup_settings(stack)
    return {
        "primary": settings.primary_region,
        "replica": settings.dr_region,
        "primary-access-logs": settings.primary_region,
        "replica-access-logs": settings.dr_region,
    }


def test_four_buckets_named_and_placed_by_region(stack):
    settings = backup_settings(stack)
    env = stack.stack
    expected = {
        "primary": f"lodgetix-{env}-backups-us-east-1",
        "replica": f"lodgetix-{env}-backups-us-west-2",
        "primary-access-logs": f"lodgetix-{env}-access-logs-us-east-1",
        "replica-access-logs": f"lodgetix-{env}-access-logs-us-west-2",
    }
    for suffix, region in _regions(stack).items():
        bucket = vault_resource(stack, BUCKET, suffix).plain_inputs
        assert bucket["bucket"] == expected[suffix]
        assert bucket["region"] == region
        assert bucket["forceDestroy"] is settings.force_destroy
        purpose = "s3-access-logs" if suffix.endswith("access-logs") else "backups"
        assert bucket["tags"]["purpose"] == purpose
        assert bucket["tags"]["component"] == "backup"  # central cost tags reached the bucket
        # Deprecated inline configuration is never used (standalone resources only).
        for inline in ("versioning", "logging", "lifecycleRules", "serverSideEncryptionConfiguration", "policy"):
            assert inline not in bucket


def test_staging_may_be_torn_down_production_may_not(staging, production):
    assert vault_resource(staging, BUCKET, "primary").plain_inputs["forceDestroy"] is True
    assert vault_resource(production, BUCKET, "primary").plain_inputs["forceDestroy"] is False


def test_acls_off_public_access_blocked_versioning_on(stack):
    for suffix, region in _regions(stack).items():
        name = vault_resource(stack, BUCKET, suffix).plain_inputs["bucket"]
        ownership = vault_s3_resource(stack, "BucketOwnershipControls", f"{suffix}-ownership").plain_inputs
        assert ownership == {"bucket": name, "region": region, "rule": {"objectOwnership": "BucketOwnerEnforced"}}
        block = vault_s3_resource(stack, "BucketPublicAccessBlock", f"{suffix}-public-access-block").plain_inputs
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
            assert block[flag] is True, flag
        assert (block["bucket"], block["region"]) == (name, region)
        versioning = vault_s3_resource(stack, "BucketVersioning", f"{suffix}-versioning").plain_inputs
        assert versioning["versioningConfiguration"] == {"status": "Enabled"}
        assert (versioning["bucket"], versioning["region"]) == (name, region)


def test_backup_buckets_use_their_own_regional_customer_key(stack):
    for suffix, region in (("primary", "us-east-1"), ("replica", "us-west-2")):
        key = vault_resource(stack, "aws:kms/key:Key", f"{suffix}-key")
        assert key.plain_inputs["region"] == region
        (rule,) = vault_s3_resource(
            stack, "BucketServerSideEncryptionConfiguration", f"{suffix}-encryption"
        ).plain_inputs["rules"]
        default = rule["applyServerSideEncryptionByDefault"]
        assert default == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key.plain_outputs["arn"]}
        assert f":kms:{region}:" in default["kmsMasterKeyId"]
        assert rule["bucketKeyEnabled"] is True


def test_access_log_buckets_use_sse_s3(stack):
    # Deliberate (see components/backup/buckets.py): SSE-S3 is the documented encryption of a log target.
    for suffix in ("primary-access-logs", "replica-access-logs"):
        (rule,) = vault_s3_resource(
            stack, "BucketServerSideEncryptionConfiguration", f"{suffix}-encryption"
        ).plain_inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
        assert "-access-logs-" in vault_resource(stack, BUCKET, suffix).plain_inputs["bucket"]


def test_backup_bucket_policy_denies_plain_http_and_foreign_encryption(stack):
    for suffix in ("primary", "replica"):
        bucket_arn = vault_resource(stack, BUCKET, suffix).plain_outputs["arn"]
        key_arn = vault_resource(stack, "aws:kms/key:Key", f"{suffix}-key").plain_outputs["arn"]
        policy = vault_s3_resource(stack, "BucketPolicy", f"{suffix}-policy")
        document = policy_document(policy)
        assert all(s["Effect"] == "Deny" for s in document["Statement"]), "a backup bucket policy only denies"
        tls = statement_with_sid(document, "DenyInsecureTransport")
        assert tls["Principal"] == "*"
        assert tls["Action"] == "s3:*"
        assert as_list(tls["Resource"]) == [bucket_arn, f"{bucket_arn}/*"]
        assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        not_kms = statement_with_sid(document, "DenyUploadsNotSseKms")
        assert not_kms["Action"] == "s3:PutObject"
        assert not_kms["Condition"] == {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}
        other_key = statement_with_sid(document, "DenyUploadsWithAnotherKey")
        assert other_key["Condition"] == {
            "ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}
        }
        managed_key = statement_with_sid(document, "DenyUploadsWithTheAwsManagedKey")
        assert managed_key["Condition"]["Null"] == {"s3:x-amz-server-side-encryption-aws-kms-key-id": "true"}
        # The policy lands after the public-access block.
        block = vault_s3_resource(stack, "BucketPublicAccessBlock", f"{suffix}-public-access-block")
        assert block.urn in policy.depends_on


def test_access_logs_go_to_a_secured_log_bucket_in_the_same_region(stack):
    for suffix, region in (("primary", "us-east-1"), ("replica", "us-west-2")):
        source = vault_resource(stack, BUCKET, suffix)
        logs = vault_resource(stack, BUCKET, f"{suffix}-access-logs")
        logging = vault_s3_resource(stack, "BucketLogging", f"{suffix}-access-logging")
        inputs = logging.plain_inputs
        assert inputs["bucket"] == source.plain_inputs["bucket"]
        assert inputs["targetBucket"] == logs.plain_inputs["bucket"]
        assert inputs["targetPrefix"] == f"{source.plain_inputs['bucket']}/"
        assert inputs["region"] == region == logs.plain_inputs["region"]
        log_policy = vault_s3_resource(stack, "BucketPolicy", f"{suffix}-access-logs-policy")
        assert log_policy.urn in logging.depends_on
        document = policy_document(log_policy)
        assert statement_with_sid(document, "DenyInsecureTransport")["Condition"] == {
            "Bool": {"aws:SecureTransport": "false"}
        }
        delivery = statement_with_sid(document, "AllowServerAccessLogDelivery")
        assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert delivery["Action"] == "s3:PutObject"
        assert delivery["Resource"] == f"{logs.plain_outputs['arn']}/*"
        assert delivery["Condition"] == {
            "ArnLike": {"aws:SourceArn": [source.plain_outputs["arn"]]},
            "StringEquals": {"aws:SourceAccount": "123456789012"},
        }
        # The log bucket does not log itself (that would loop).
        assert not [
            r
            for r in stack.of_type("aws:s3/bucketLogging:BucketLogging")
            if r.plain_inputs["bucket"] == logs.plain_inputs["bucket"]
        ]


def test_log_buckets_have_their_own_retention(stack):
    settings = backup_settings(stack)
    for suffix in ("primary-access-logs", "replica-access-logs"):
        (rule,) = vault_s3_resource(stack, "BucketLifecycleConfiguration", f"{suffix}-lifecycle").plain_inputs["rules"]
        assert rule["status"] == "Enabled"
        assert rule["filter"] == {}
        assert rule["expiration"] == {"days": settings.access_log_days}
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": settings.retention.noncurrent_days}
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}


def test_retention_tiers_and_the_replica_keeps_longer(stack):
    settings = backup_settings(stack)
    retention = settings.retention
    primary_rules = vault_s3_resource(stack, "BucketLifecycleConfiguration", "primary-lifecycle").plain_inputs["rules"]
    replica_rules = vault_s3_resource(stack, "BucketLifecycleConfiguration", "replica-lifecycle").plain_inputs["rules"]
    # Besides the tiers, each bucket aborts incomplete multipart uploads under every key, not only the tier prefixes.
    for rules in (primary_rules, replica_rules):
        (bucket_wide,) = [r for r in rules if r["filter"] == {}]
        assert bucket_wide["status"] == "Enabled"
        assert bucket_wide["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": retention.abort_multipart_days}
    primary = {r["filter"]["prefix"]: r for r in primary_rules if r["filter"]}
    replica = {r["filter"]["prefix"]: r for r in replica_rules if r["filter"]}
    assert list(primary) == TIERS == list(replica)
    assert {p: r["expiration"]["days"] for p, r in primary.items()} == {
        "daily/": 7,
        "weekly/": 28,
        "monthly/": 365,
        "incremental/": 7,
        "pre-migration/": 28,
    }
    for prefix, rule in primary.items():
        copy = replica[prefix]
        assert rule["status"] == copy["status"] == "Enabled"
        assert copy["expiration"]["days"] == rule["expiration"]["days"] + settings.replica_extra_days
        assert copy["expiration"]["days"] >= rule["expiration"]["days"]
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": retention.noncurrent_days}
        assert copy["noncurrentVersionExpiration"]["noncurrentDays"] >= retention.noncurrent_days
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": retention.abort_multipart_days}
        for lifecycle in (rule, copy):
            for move in lifecycle.get("transitions", []):
                assert lifecycle["expiration"]["days"] > move["days"]
                if move["storageClass"] == "STANDARD_IA":
                    assert move["days"] >= 30
    # Only the monthly tier lives long enough for cheaper storage to pay.
    assert [p for p, r in primary.items() if r.get("transitions")] == ["monthly/"]
    assert primary["monthly/"]["transitions"] == [
        {"storageClass": "STANDARD_IA", "days": 30},
        {"storageClass": "GLACIER_IR", "days": 90},
    ]


def test_lifecycle_waits_for_versioning(stack):
    for suffix in SUFFIXES:
        lifecycle = vault_s3_resource(stack, "BucketLifecycleConfiguration", f"{suffix}-lifecycle")
        assert vault_s3_resource(stack, "BucketVersioning", f"{suffix}-versioning").urn in lifecycle.depends_on
