"""IAM, bucket and key policy documents of the backup vault, built as Python data from plain strings.

Pure functions: the component feeds them resolved ARNs inside `Output.apply`, and tests can call them
directly. Every document must pass parliament with zero findings.
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


def _deny_insecure_transport(bucket_arn: str) -> Document:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def backup_bucket_policy(bucket_arn: str, key_arn: str) -> Document:
    """TLS only, and every upload encrypted with this bucket's own KMS key.

    An upload without encryption headers gets the bucket default (this key, with a bucket key), so
    only explicit headers are checked: another algorithm, another key, or `aws:kms` without a key id
    (S3 would then use the AWS-managed `aws/s3` key, not ours).
    """
    objects = f"{bucket_arn}/*"
    return {
        "Version": VERSION,
        "Statement": [
            _deny_insecure_transport(bucket_arn),
            {
                "Sid": "DenyUploadsNotSseKms",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            },
            {
                "Sid": "DenyUploadsWithAnotherKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {"ArnNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}},
            },
            {
                "Sid": "DenyUploadsWithTheAwsManagedKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {
                    "StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
                    "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "true"},
                },
            },
        ],
    }


def access_log_bucket_policy(log_bucket_arn: str, source_bucket_arns: Sequence[str], account_id: str) -> Document:
    """TLS only; S3's log delivery may write, and only for our own buckets in our account."""
    return {
        "Version": VERSION,
        "Statement": [
            _deny_insecure_transport(log_bucket_arn),
            {
                "Sid": "AllowServerAccessLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{log_bucket_arn}/*",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": list(source_bucket_arns)},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            },
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
    via_s3 = {"kms:ViaService": s3_service(region), "kms:CallerAccount": account_id}
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "KeyAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": admins[0] if len(admins) == 1 else admins},
                "Action": list(KEY_ADMIN_ACTIONS),  # administrators cannot decrypt backups
                "Resource": "*",
            },
            {
                "Sid": "UseThroughS3InThisAccount",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": S3_KEY_USE_ACTIONS,
                "Resource": "*",
                "Condition": {"StringEquals": via_s3},
            },
            {
                "Sid": "S3Replication",
                "Effect": "Allow",
                "Principal": {"AWS": replication_role_arn},
                "Action": sorted(replication_actions),
                "Resource": "*",
                "Condition": {"StringEquals": via_s3},
            },
        ],
    }


def replication_trust_policy(account_id: str, source_bucket_arn: str) -> Document:
    """Only S3, acting for our source bucket in our account, may assume the replication role."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "S3ReplicationForOurBucket",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": source_bucket_arn},
                },
            }
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
            {
                "Sid": "ReadSourceConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": source_bucket_arn,
            },
            {
                "Sid": "ReadSourceVersions",
                "Effect": "Allow",
                "Action": sorted(source_actions),
                "Resource": f"{source_bucket_arn}/*",
            },
            {
                "Sid": "WriteReplicas",
                "Effect": "Allow",
                "Action": REPLICATION_DESTINATION_ACTIONS,
                "Resource": f"{destination_bucket_arn}/*",
            },
            {
                "Sid": "DecryptSourceObjects",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": source_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": s3_service(source_region)}},
            },
            {
                "Sid": "EncryptReplicas",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": destination_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": s3_service(destination_region)}},
            },
        ],
    }


def _publish_metrics(namespace: str) -> Document:
    """PutMetricData has no resource: the `cloudwatch:namespace` condition is what limits it."""
    return {
        "Sid": "PublishBackupMetrics",
        "Effect": "Allow",
        "Action": "cloudwatch:PutMetricData",
        "Resource": "*",
        "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
    }


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
            {
                "Sid": "PutBackupsUnderOwnPrefixes",
                "Effect": "Allow",
                "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
                "Resource": [f"{bucket_arn}/{prefix}*" for prefix in prefixes],
            },
            {
                "Sid": "EncryptWithTheBucketKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": s3_service(region)}},
            },
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
            {
                "Sid": "ListOwnPrefixes",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:ListBucketVersions"],
                "Resource": bucket_arn,
                "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in prefixes]}},
            },
            {
                "Sid": "ReadOwnObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": [f"{bucket_arn}/{prefix}*" for prefix in prefixes],
            },
            {
                "Sid": "DecryptWithTheReplicaKey",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": s3_service(region)}},
            },
            _publish_metrics(metric_namespace),
            {
                "Sid": "FindLastDrill",
                "Effect": "Allow",
                "Action": "cloudwatch:GetMetricStatistics",
                "Resource": "*",
            },
        ],
    }
