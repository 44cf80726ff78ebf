"""IAM, bucket and key policy documents of the backup vault, built as Python data from plain strings.

Pure functions: the component hands them resolved ARNs through `components.shared.json_document`, and tests
can call them directly. Every document must pass parliament with zero findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.shared.kms_actions import KEY_ADMIN_ACTIONS

Document = dict[str, Any]

VERSION = "2012-10-17"

# What S3 does with a bucket's key for SSE-KMS with bucket keys (uploads, downloads, replication).
S3_KEY_USE_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]

REPLICATION_SOURCE_OBJECT_ACTIONS = [
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionTagging",
]
# Object Lock replication: the role must read each version's retention and legal hold on the source.
OBJECT_LOCK_READ_ACTIONS = ["s3:GetObjectLegalHold", "s3:GetObjectRetention"]
REPLICATION_DESTINATION_ACTIONS = ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"]


def s3_service(region: str) -> str:
    return f"s3.{region}.amazonaws.com"


def account_root(partition: str, account_id: str) -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def _statement(
    sid: str,
    action: str | list[str],
    resource: str | list[str] | None = None,
    *,
    effect: str = "Allow",
    principal: Any = None,
    condition: Document | None = None,
) -> Document:
    """One policy statement, its keys always in this order: Sid, Effect, Principal, Action, Resource, Condition."""
    document: Document = {"Sid": sid, "Effect": effect}
    if principal is not None:
        document["Principal"] = principal
    document["Action"] = action
    if resource is not None:
        document["Resource"] = resource
    if condition is not None:
        document["Condition"] = condition
    return document


def _deny_everyone(sid: str, action: str, resource: str | list[str], condition: Document) -> Document:
    return _statement(sid, action, resource, effect="Deny", principal="*", condition=condition)


def _deny_insecure_transport(bucket_arn: str) -> Document:
    return _deny_everyone(
        "DenyInsecureTransport", "s3:*", [bucket_arn, f"{bucket_arn}/*"], {"Bool": {"aws:SecureTransport": "false"}}
    )


def _via_s3(region: str) -> Document:
    """A key used only through S3 in the key's region."""
    return {"StringEquals": {"kms:ViaService": s3_service(region)}}


def _objects(bucket_arn: str, prefixes: Sequence[str]) -> list[str]:
    return [f"{bucket_arn}/{prefix}*" for prefix in prefixes]


def backup_bucket_policy(bucket_arn: str, key_arn: str) -> Document:
    """TLS only, and every upload encrypted with this bucket's own KMS key.

    An upload without encryption headers gets the bucket default (this key, with a bucket key), so
    only explicit headers are checked: another algorithm, another key, or `aws:kms` without a key id
    (S3 would then use the AWS-managed `aws/s3` key, not ours).
    """
    objects = f"{bucket_arn}/*"
    encryption, key_id = "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"
    return {
        "Version": VERSION,
        "Statement": [
            _deny_insecure_transport(bucket_arn),
            _deny_everyone(
                "DenyUploadsNotSseKms", "s3:PutObject", objects, {"StringNotEqualsIfExists": {encryption: "aws:kms"}}
            ),
            _deny_everyone(
                "DenyUploadsWithAnotherKey", "s3:PutObject", objects, {"ArnNotEqualsIfExists": {key_id: key_arn}}
            ),
            _deny_everyone(
                "DenyUploadsWithTheAwsManagedKey",
                "s3:PutObject",
                objects,
                {"StringEquals": {encryption: "aws:kms"}, "Null": {key_id: "true"}},
            ),
        ],
    }


def access_log_bucket_policy(log_bucket_arn: str, source_bucket_arns: Sequence[str], account_id: str) -> Document:
    """TLS only; S3's log delivery may write, and only for our own buckets in our account."""
    return {
        "Version": VERSION,
        "Statement": [
            _deny_insecure_transport(log_bucket_arn),
            _statement(
                "AllowServerAccessLogDelivery",
                "s3:PutObject",
                f"{log_bucket_arn}/*",
                principal={"Service": "logging.s3.amazonaws.com"},
                condition={
                    "ArnLike": {"aws:SourceArn": list(source_bucket_arns)},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            ),
        ],
    }


def key_policy(
    *,
    partition: str,
    account_id: str,
    region: str,
    admin_arns: Sequence[str],
    replication_role_arn: str,
    replication_actions: Sequence[str],
) -> Document:
    """Least-privilege key policy of a backup bucket key.

    - The account root (lockout protection) and the configured administrators manage the key, nothing more.
    - Principals of this account may use the key only through S3 in the key's region, and only when their
      own IAM policy allows it (the root principal delegates to IAM).
    - The replication role is named explicitly with exactly the actions replication needs on this key.
    There is no `kms:*` and no `*` principal.
    """
    root = account_root(partition, account_id)
    admins = [root, *[a for a in admin_arns if a != root]]
    via_s3 = {"StringEquals": {"kms:ViaService": s3_service(region), "kms:CallerAccount": account_id}}
    return {
        "Version": VERSION,
        "Statement": [
            # Administrators cannot decrypt backups.
            _statement(
                "KeyAdministration",
                list(KEY_ADMIN_ACTIONS),
                "*",
                principal={"AWS": admins[0] if len(admins) == 1 else admins},
            ),
            _statement("UseThroughS3InThisAccount", S3_KEY_USE_ACTIONS, "*", principal={"AWS": root}, condition=via_s3),
            _statement(
                "S3Replication",
                sorted(replication_actions),
                "*",
                principal={"AWS": replication_role_arn},
                condition=via_s3,
            ),
        ],
    }


def replication_trust_policy(account_id: str, source_bucket_arn: str) -> Document:
    """Only S3, acting for our source bucket in our account, may assume the replication role."""
    return {
        "Version": VERSION,
        "Statement": [
            _statement(
                "S3ReplicationForOurBucket",
                "sts:AssumeRole",
                principal={"Service": "s3.amazonaws.com"},
                condition={
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": source_bucket_arn},
                },
            )
        ],
    }


def replication_role_policy(
    *,
    source_bucket_arn: str,
    destination_bucket_arn: str,
    source_key_arn: str,
    destination_key_arn: str,
    source_region: str,
    destination_region: str,
    object_lock: bool,
) -> Document:
    """Exactly what S3 replication needs on these two buckets and two keys."""
    source_actions = REPLICATION_SOURCE_OBJECT_ACTIONS + (OBJECT_LOCK_READ_ACTIONS if object_lock else [])
    return {
        "Version": VERSION,
        "Statement": [
            _statement(
                "ReadSourceConfiguration", ["s3:GetReplicationConfiguration", "s3:ListBucket"], source_bucket_arn
            ),
            _statement("ReadSourceVersions", sorted(source_actions), f"{source_bucket_arn}/*"),
            _statement("WriteReplicas", REPLICATION_DESTINATION_ACTIONS, f"{destination_bucket_arn}/*"),
            _statement("DecryptSourceObjects", "kms:Decrypt", source_key_arn, condition=_via_s3(source_region)),
            _statement(
                "EncryptReplicas",
                ["kms:Encrypt", "kms:GenerateDataKey"],
                destination_key_arn,
                condition=_via_s3(destination_region),
            ),
        ],
    }


def _publish_metrics(namespace: str) -> Document:
    """PutMetricData has no resource: the `cloudwatch:namespace` condition is what limits it."""
    return _statement(
        "PublishBackupMetrics",
        "cloudwatch:PutMetricData",
        "*",
        condition={"StringEquals": {"cloudwatch:namespace": namespace}},
    )


def writer_policy(
    *, bucket_arn: str, key_arn: str, region: str, prefixes: Sequence[str], metric_namespace: str
) -> Document:
    """One app's backup job: put objects under its own tier prefixes of the primary, and publish its metrics.

    `kms:Decrypt` is there because S3 needs it to complete a multipart upload of an SSE-KMS object
    (backups are large); without `s3:GetObject` it cannot be used to read backups.
    """
    return {
        "Version": VERSION,
        "Statement": [
            _statement(
                "PutBackupsUnderOwnPrefixes",
                ["s3:AbortMultipartUpload", "s3:PutObject"],
                _objects(bucket_arn, prefixes),
            ),
            _statement(
                "EncryptWithTheBucketKey", ["kms:Decrypt", "kms:GenerateDataKey"], key_arn, condition=_via_s3(region)
            ),
            _publish_metrics(metric_namespace),
        ],
    }


def reader_policy(
    *, bucket_arn: str, key_arn: str, region: str, prefixes: Sequence[str], metric_namespace: str
) -> Document:
    """One app's restore drill: list and read its own prefixes of the DR replica, publish its drill metrics,
    and read metric statistics (the daily age job finds its last successful drill there; GetMetricStatistics
    has no resource or namespace condition, and returns numbers, never backup data)."""
    return {
        "Version": VERSION,
        "Statement": [
            _statement(
                "ListOwnPrefixes",
                ["s3:ListBucket", "s3:ListBucketVersions"],
                bucket_arn,
                condition={"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in prefixes]}},
            ),
            _statement("ReadOwnObjects", ["s3:GetObject", "s3:GetObjectVersion"], _objects(bucket_arn, prefixes)),
            _statement("DecryptWithTheReplicaKey", "kms:Decrypt", key_arn, condition=_via_s3(region)),
            _publish_metrics(metric_namespace),
            _statement("FindLastDrill", "cloudwatch:GetMetricStatistics", "*"),
        ],
    }
