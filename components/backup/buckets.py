"""One secured S3 bucket and its standalone configuration resources (pulumi-aws v7 style).

Every bucket here gets: explicit region, `BucketOwnerEnforced` ownership (ACLs off), all four
public-access blocks, versioning, default encryption, a lifecycle configuration and a bucket policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class SecureBucket:
    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    public_access_block: aws.s3.BucketPublicAccessBlock
    region: str

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.bucket.arn

    @property
    def name(self) -> pulumi.Output[str]:
        return self.bucket.bucket


def _on_bucket(bucket: aws.s3.Bucket, region: str, parent: pulumi.Resource, *after: pulumi.Resource) -> dict[str, Any]:
    """What every configuration resource of a bucket takes: the bucket, its region, the parent, what it waits for."""
    return {
        "bucket": bucket.id,
        "region": region,
        "opts": pulumi.ResourceOptions(parent=parent, depends_on=list(after)),
    }


def secure_bucket(
    name: str,
    bucket_name: str,
    region: str,
    *,
    parent: pulumi.Resource,
    protect: bool,
    force_destroy: bool,
    object_lock: bool,
    purpose: str,
) -> SecureBucket:
    """The bucket with ownership controls, public-access blocks and versioning.

    `object_lock` is a create-time flag: S3 cannot switch it on for an existing bucket through this
    argument, and changing it replaces the bucket (which `protect` refuses in production).
    """
    bucket = aws.s3.Bucket(
        name,
        bucket=bucket_name,
        region=region,
        force_destroy=force_destroy,
        object_lock_enabled=object_lock,
        tags={"purpose": purpose},
        # Backups must survive `pulumi destroy` and a refactoring mistake in production.
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=protect),
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership", rule={"object_ownership": "BucketOwnerEnforced"}, **_on_bucket(bucket, region, parent)
    )
    public_access_block = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access-block",
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        **_on_bucket(bucket, region, parent),
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning", versioning_configuration={"status": "Enabled"}, **_on_bucket(bucket, region, parent)
    )
    return SecureBucket(bucket=bucket, versioning=versioning, public_access_block=public_access_block, region=region)


def encrypt_with_kms(name: str, target: SecureBucket, key_arn: pulumi.Input[str], *, parent: pulumi.Resource) -> None:
    """SSE-KMS with the bucket's own customer-managed key; the S3 bucket key cuts KMS requests (and cost)."""
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key_arn},
                "bucket_key_enabled": True,
            }
        ],
        **_on_bucket(target.bucket, target.region, parent),
    )


def encrypt_with_s3_managed_keys(name: str, target: SecureBucket, *, parent: pulumi.Resource) -> None:
    """SSE-S3 (AES256), used only for server-access-log buckets.

    Why not SSE-KMS: AWS's S3 guide documents SSE-S3 as the supported default encryption for a
    server-access-log target bucket; a customer key there works only if its policy also admits
    `logging.s3.amazonaws.com`, and a mistake silently stops log delivery. The logs hold request
    metadata, never backup contents, so SSE-S3 loses nothing that matters here. The policy pack's
    encryption rule accepts AES256 only on buckets named `*-access-logs-*` tagged `purpose=s3-access-logs`.
    """
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
        **_on_bucket(target.bucket, target.region, parent),
    )


def apply_lifecycle(
    name: str, target: SecureBucket, rules: Sequence[dict[str, Any]], *, parent: pulumi.Resource
) -> aws.s3.BucketLifecycleConfiguration:
    # Lifecycle rules on noncurrent versions need versioning in place first.
    plain_rules: list[Any] = list(rules)  # plain dicts: the snake_case shape the SDK accepts
    return aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle", rules=plain_rules, **_on_bucket(target.bucket, target.region, parent, target.versioning)
    )


def apply_policy(
    name: str, target: SecureBucket, policy: pulumi.Input[str], *, parent: pulumi.Resource
) -> aws.s3.BucketPolicy:
    # After the public-access block, so a policy is never briefly evaluated without it.
    return aws.s3.BucketPolicy(
        f"{name}-policy", policy=policy, **_on_bucket(target.bucket, target.region, parent, target.public_access_block)
    )


def log_to(
    name: str,
    source: SecureBucket,
    log_bucket: SecureBucket,
    log_bucket_policy: aws.s3.BucketPolicy,
    *,
    parent: pulumi.Resource,
) -> aws.s3.BucketLogging:
    """Server access logs of `source`, under `<source bucket name>/`, partitioned by event time."""
    return aws.s3.BucketLogging(
        f"{name}-access-logging",
        target_bucket=log_bucket.bucket.bucket,
        target_prefix=source.bucket.bucket.apply(lambda b: f"{b}/"),
        target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
        # Log delivery needs the log bucket's policy (it grants logging.s3.amazonaws.com).
        **_on_bucket(source.bucket, source.region, parent, log_bucket_policy),
    )
