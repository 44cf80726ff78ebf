"""S3 rules. A bucket's settings live in standalone resources (pulumi-aws v7) that name the bucket in their
`bucket` prop, so every rule here is a stack rule that joins a bucket to its configuration resources.

Bucket roles, identified by convention (documented in policies/README.md; components/backup follows it):
- log bucket: tag `purpose=s3-access-logs` AND a name matching `logBucketPattern` (`<prefix>-<env>-access-logs-<region>`).
  Both are required, so neither a name nor a tag alone exempts a data bucket. Log buckets receive server access
  logs: they are not logged themselves and may use SSE-S3 (AWS's documented default for log targets; the backup
  component chose it) or SSE-KMS with a customer key (`logBucketAlgorithms`).
- backup bucket: tag `purpose=backups`, OR a name matching `backupBucketPattern` (`<prefix>-<env>-backups-<region>`).
The deprecated inline `Bucket` arguments (`versioning`, `serverSideEncryptionConfiguration`, ...) are not
recognised: the rules ask for the standalone resources, which is what the backup component uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    PRODUCTION_STACKS_SCHEMA,
    StackView,
    as_list,
    denies_insecure_transport,
    document,
    first,
    get,
    identifiers,
    is_production,
    matching,
    regex,
    statements,
    tags_of,
    truthy,
)

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING_TYPES = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
PUBLIC_ACCESS_TYPES = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
POLICY_TYPES = ("aws:s3/bucketPolicy:BucketPolicy",)
OWNERSHIP_TYPES = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)
ACL_TYPES = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
LIFECYCLE_TYPES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
LOGGING_TYPES = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
REPLICATION_TYPES = ("aws:s3/bucketReplicationConfig:BucketReplicationConfig",)
OBJECT_LOCK_TYPES = (
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
)

DEFAULT_LOG_PATTERN = r"-access-logs(-|$)"
DEFAULT_BACKUP_PATTERN = r"(^|[-.])backups?([-.]|$)"
ROLE_SCHEMA: dict[str, dict[str, Any]] = {
    "logBucketPattern": {
        "type": "string",
        "default": DEFAULT_LOG_PATTERN,
        "description": "Regex on the name of a server-access-log bucket (which must also be tagged "
        "purpose=s3-access-logs).",
    },
    "backupBucketPattern": {
        "type": "string",
        "default": DEFAULT_BACKUP_PATTERN,
        "description": "Regex on the bucket name that marks a backup bucket (primary or replica).",
    },
}
LOG_PURPOSES = {"s3-access-logs", "access-logs"}
BACKUP_PURPOSES = {"backups", "backup"}


def bucket_name(bucket: PolicyResource) -> str:
    value = bucket.props.get("bucket") or bucket.props.get("id") or bucket.name
    return str(value)


def is_log_bucket(bucket: PolicyResource, config: Mapping[str, Any]) -> bool:
    tagged = str(tags_of(bucket.props).get("purpose", "")).lower() in LOG_PURPOSES
    return tagged and bool(regex(config, "logBucketPattern", DEFAULT_LOG_PATTERN).search(bucket_name(bucket)))


def is_backup_bucket(bucket: PolicyResource, config: Mapping[str, Any]) -> bool:
    if is_log_bucket(bucket, config):
        return False
    if str(tags_of(bucket.props).get("purpose", "")).lower() in BACKUP_PURPOSES:
        return True
    return bool(regex(config, "backupBucketPattern", DEFAULT_BACKUP_PATTERN).search(bucket_name(bucket)))


class Buckets:
    """The stack's buckets and, for each, the configuration resources that reference it."""

    def __init__(self, resources: list[PolicyResource]) -> None:
        self.view = StackView(resources)
        self.buckets = self.view.of_type(*BUCKET_TYPES)

    def config_of(self, bucket: PolicyResource, types: tuple[str, ...]) -> list[PolicyResource]:
        return matching(self.view.by_prop(types, "bucket"), identifiers(bucket, "bucket", "id"))

    def production_backups(self, config: Mapping[str, Any]) -> list[PolicyResource]:
        return [b for b in self.buckets if is_production(b.urn, config) and is_backup_bucket(b, config)]


def _stack_rule(
    name: str,
    description: str,
    *,
    check: Any,
    severity: Severity,
    remediation: str,
    level: EnforcementLevel = EnforcementLevel.MANDATORY,
    extra_schema: dict[str, dict[str, Any]] | None = None,
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = args.get_config() or {}
        buckets = Buckets(args.resources)
        if not buckets.buckets:
            args.not_applicable("the stack has no S3 buckets")
        for bucket in buckets.buckets:
            problem = check(bucket, buckets, config)
            if problem:
                report(f"bucket {bucket_name(bucket)}: {problem}", bucket.urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=level,
        severity=severity,
        remediation_steps=remediation,
        config_schema=PolicyConfigSchema(properties={**ROLE_SCHEMA, **(extra_schema or {})}),
    )


# --------------------------------------------------------------------------------------------------
# Checks: each returns a problem description, or None when the bucket complies (or is out of scope).


def _is_customer_key(key_id: Any) -> bool:
    return isinstance(key_id, str) and key_id != "" and "alias/aws/" not in key_id


def check_encryption(bucket: PolicyResource, buckets: Buckets, config: Mapping[str, Any]) -> str | None:
    configs = buckets.config_of(bucket, SSE_TYPES)
    if not configs:
        return "has no BucketServerSideEncryptionConfiguration (default SSE-S3 only)"
    rule = first(configs[0].props.get("rules"))
    by_default = get(rule, "applyServerSideEncryptionByDefault")
    algorithm = get(by_default, "sseAlgorithm")
    log_bucket = is_log_bucket(bucket, config)
    if log_bucket and algorithm in as_list(config.get("logBucketAlgorithms", ["AES256", "aws:kms"])):
        if algorithm != "aws:kms":
            return None
    elif algorithm not in ("aws:kms", "aws:kms:dsse"):
        return f"default encryption is {algorithm!r}, not SSE-KMS with a customer-managed key"
    if not _is_customer_key(get(by_default, "kmsMasterKeyId")):
        return "SSE-KMS must name a customer-managed key (kmsMasterKeyId), not the AWS-managed aws/s3 key"
    if algorithm == "aws:kms" and not truthy(get(rule, "bucketKeyEnabled")):
        return "S3 Bucket Key is off (bucketKeyEnabled): every object request calls KMS"
    return None


def check_versioning(bucket: PolicyResource, buckets: Buckets, _config: Mapping[str, Any]) -> str | None:
    for versioning in buckets.config_of(bucket, VERSIONING_TYPES):
        if get(versioning.props, "versioningConfiguration", "status") == "Enabled":
            return None
    return "versioning is not Enabled (no BucketVersioning with status Enabled)"


PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def check_public_access(bucket: PolicyResource, buckets: Buckets, _config: Mapping[str, Any]) -> str | None:
    blocks = buckets.config_of(bucket, PUBLIC_ACCESS_TYPES)
    if not blocks:
        return "has no BucketPublicAccessBlock"
    missing = [flag for flag in PUBLIC_ACCESS_FLAGS if not truthy(blocks[0].props.get(flag))]
    return f"public access block flags not true: {', '.join(missing)}" if missing else None


def check_tls_only(bucket: PolicyResource, buckets: Buckets, _config: Mapping[str, Any]) -> str | None:
    for policy in buckets.config_of(bucket, POLICY_TYPES):
        for statement in statements(document(policy.props.get("policy"))):
            resources = [str(r) for r in as_list(statement.get("Resource"))]
            if denies_insecure_transport(statement, ["s3:*"]) and any(r.endswith("/*") for r in resources):
                return None
    return "no bucket policy denies s3:* on the bucket and its objects when aws:SecureTransport is false"


def check_ownership(bucket: PolicyResource, buckets: Buckets, _config: Mapping[str, Any]) -> str | None:
    if buckets.config_of(bucket, ACL_TYPES) or bucket.props.get("acl") or bucket.props.get("grants"):
        return "uses ACLs; manage access with policies only"
    for controls in buckets.config_of(bucket, OWNERSHIP_TYPES):
        if get(first(controls.props.get("rule")), "objectOwnership") == "BucketOwnerEnforced":
            return None
    return "object ownership is not BucketOwnerEnforced (ACLs still possible)"


def check_lifecycle(bucket: PolicyResource, buckets: Buckets, config: Mapping[str, Any]) -> str | None:
    max_days = float(config.get("maxAbortDays", 7))
    for lifecycle in buckets.config_of(bucket, LIFECYCLE_TYPES):
        for rule in as_list(lifecycle.props.get("rules")):
            days = get(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation")
            if get(rule, "status") == "Enabled" and isinstance(days, (int, float)) and 0 < days <= max_days:
                return None
    return f"no enabled lifecycle rule aborts incomplete multipart uploads within {max_days:g} days"


def check_logging(bucket: PolicyResource, buckets: Buckets, config: Mapping[str, Any]) -> str | None:
    if is_log_bucket(bucket, config):
        return None  # a log bucket logging to itself would loop; it is the destination
    for logging in buckets.config_of(bucket, LOGGING_TYPES):
        target = logging.props.get("targetBucket")
        if isinstance(target, str) and target and target not in identifiers(bucket, "bucket", "id"):
            return None
    return "server access logging is off (no BucketLogging to a separate log bucket)"


def _rtc_enabled(rule: Any) -> bool:
    destination = get(rule, "destination")
    return (
        get(rule, "status") == "Enabled"
        and get(destination, "replicationTime", "status") == "Enabled"
        and get(destination, "replicationTime", "time", "minutes") == 15
        and get(destination, "metrics", "status") == "Enabled"
    )


def check_replication(bucket: PolicyResource, buckets: Buckets, config: Mapping[str, Any]) -> str | None:
    if not (is_production(bucket.urn, config) and is_backup_bucket(bucket, config)):
        return None
    arns = identifiers(bucket, "arn")
    for replication in buckets.view.of_type(*REPLICATION_TYPES):
        if any(get(r, "destination", "bucket") in arns for r in as_list(replication.props.get("rules"))):
            return None  # the DR replica: the destination of a replication
    configs = buckets.config_of(bucket, REPLICATION_TYPES)
    if not configs:
        return "production backup bucket is not replicated (no BucketReplicationConfig)"
    rules = as_list(configs[0].props.get("rules"))
    if not rules or not all(_rtc_enabled(r) for r in rules):
        return "every replication rule needs status Enabled, Replication Time Control (15 min) and metrics"
    return None


def check_object_lock(bucket: PolicyResource, buckets: Buckets, config: Mapping[str, Any]) -> str | None:
    if not (is_production(bucket.urn, config) and is_backup_bucket(bucket, config)):
        return None
    if not truthy(bucket.props.get("objectLockEnabled")):
        return "production backup bucket was not created with objectLockEnabled"
    min_days = float(config.get("minRetentionDays", 1))
    modes = as_list(config.get("modes", ["GOVERNANCE", "COMPLIANCE"]))
    for lock in buckets.config_of(bucket, OBJECT_LOCK_TYPES):
        retention = get(first(lock.props.get("rule")), "defaultRetention")
        days = get(retention, "days") or 0
        years = get(retention, "years") or 0
        if get(retention, "mode") in modes and (days >= min_days or years > 0):
            return None
    return f"no Object Lock default retention ({'/'.join(modes)}, >= {min_days:g} days)"


ENCRYPTION = _stack_rule(
    "s3-bucket-kms-encryption",
    "Ensure every S3 bucket is encrypted by default with SSE-KMS, a customer-managed key and an S3 Bucket Key "
    "(log buckets may use SSE-S3, see logBucketAlgorithms).",
    check=check_encryption,
    severity=Severity.HIGH,
    remediation="Add an aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm 'aws:kms', kms_master_key_id of a "
    "customer-managed aws.kms.Key and bucket_key_enabled=True.",
    extra_schema={
        "logBucketAlgorithms": {
            "type": "array",
            "items": {"type": "string", "enum": ["AES256", "aws:kms", "aws:kms:dsse"]},
            "default": ["AES256", "aws:kms"],
            "description": "Default encryption accepted on server-access-log buckets.",
        }
    },
)
VERSIONING = _stack_rule(
    "s3-bucket-versioning",
    "Ensure every S3 bucket has versioning enabled, so overwritten or deleted objects can be recovered.",
    check=check_versioning,
    severity=Severity.MEDIUM,
    remediation="Add an aws.s3.BucketVersioning with versioning_configuration status 'Enabled'.",
)
PUBLIC_ACCESS = _stack_rule(
    "s3-bucket-public-access-block",
    "Ensure every S3 bucket blocks public ACLs and policies with all four public access block settings.",
    check=check_public_access,
    severity=Severity.HIGH,
    remediation="Add an aws.s3.BucketPublicAccessBlock with block_public_acls, block_public_policy, ignore_public_acls and "
    "restrict_public_buckets all True.",
)
TLS_ONLY = _stack_rule(
    "s3-bucket-tls-only",
    "Ensure every S3 bucket policy denies requests that do not use TLS (aws:SecureTransport false).",
    check=check_tls_only,
    severity=Severity.HIGH,
    remediation="Add a Deny statement for Principal '*', Action 's3:*', Resource [bucket ARN, bucket ARN + '/*'] with "
    "Condition Bool aws:SecureTransport 'false' to the bucket's aws.s3.BucketPolicy.",
)
OWNERSHIP = _stack_rule(
    "s3-bucket-ownership-enforced",
    "Ensure every S3 bucket disables ACLs (object ownership BucketOwnerEnforced, no bucket ACL resources).",
    check=check_ownership,
    severity=Severity.MEDIUM,
    remediation="Add an aws.s3.BucketOwnershipControls with rule object_ownership 'BucketOwnerEnforced' and remove BucketAcl "
    "resources and acl/grants arguments.",
)
LIFECYCLE = _stack_rule(
    "s3-bucket-lifecycle-abort-multipart",
    "Ensure every S3 bucket has a lifecycle rule that aborts incomplete multipart uploads.",
    check=check_lifecycle,
    severity=Severity.LOW,
    remediation="Add abort_incomplete_multipart_upload {days_after_initiation: 1..maxAbortDays} to an enabled rule of the "
    "bucket's aws.s3.BucketLifecycleConfiguration.",
    level=EnforcementLevel.ADVISORY,
    extra_schema={
        "maxAbortDays": {
            "type": "integer",
            "minimum": 1,
            "default": 7,
            "description": "Latest day after initiation an unfinished upload must be aborted.",
        }
    },
)
ACCESS_LOGGING = _stack_rule(
    "s3-bucket-access-logging",
    "Ensure every S3 bucket except log buckets writes server access logs to a separate log bucket.",
    check=check_logging,
    severity=Severity.MEDIUM,
    remediation="Add an aws.s3.BucketLogging with target_bucket set to the stack's log bucket (named '...-access-logs-...' and "
    "tagged purpose=s3-access-logs).",
)
REPLICATION = _stack_rule(
    "s3-backup-replication-rtc",
    "Ensure production backup buckets replicate cross-region with Replication Time Control (15 minutes) and metrics.",
    check=check_replication,
    severity=Severity.HIGH,
    remediation="Add an aws.s3.BucketReplicationConfig whose rules are Enabled with destination replication_time "
    "{status: Enabled, time: {minutes: 15}} and metrics {status: Enabled, event_threshold: {minutes: 15}}.",
    extra_schema={"productionStacks": PRODUCTION_STACKS_SCHEMA},
)
OBJECT_LOCK = _stack_rule(
    "s3-backup-object-lock",
    "Ensure production backup buckets are created with Object Lock and a default retention.",
    check=check_object_lock,
    severity=Severity.HIGH,
    remediation="Create the bucket with object_lock_enabled=True (only possible at creation) and add an "
    "aws.s3.BucketObjectLockConfiguration with rule.default_retention {mode, days}.",
    extra_schema={
        "productionStacks": PRODUCTION_STACKS_SCHEMA,
        "modes": {
            "type": "array",
            "items": {"type": "string", "enum": ["GOVERNANCE", "COMPLIANCE"]},
            "default": ["GOVERNANCE", "COMPLIANCE"],
            "description": "Object Lock modes accepted as the default retention.",
        },
        "minRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "Shortest accepted default retention in days.",
        },
    },
)

POLICIES = [
    ENCRYPTION,
    VERSIONING,
    PUBLIC_ACCESS,
    TLS_ONLY,
    OWNERSHIP,
    LIFECYCLE,
    ACCESS_LOGGING,
    REPLICATION,
    OBJECT_LOCK,
]
