"""S3 rules, judged on the effective settings of each bucket (policies/buckets.py): every configuration
resource attached to a bucket counts, and the weakest one decides. A violation is reported on the resource
that carries the weak setting, or on the bucket when a setting is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity, StackValidationArgs

from .buckets import (
    OWNERSHIP_TYPES,
    PUBLIC_ACCESS_FLAGS,
    PUBLIC_ACCESS_TYPES,
    ROLE_SCHEMA,
    SSE_TYPES,
    VERSIONING_TYPES,
    Bucket,
    BucketIndex,
    inline_encryption_rules,
    rule_prefix,
)
from .common import (
    PRODUCTION_SCHEMA,
    Judge,
    as_list,
    as_number,
    first_block,
    integer_option,
    is_production_stack,
    stack_rule,
    string_list_option,
    truthy,
    value_at,
)
from .statements import (
    ACCOUNTS_SCHEMA,
    PolicyDocumentError,
    accounts_from,
    exposures,
    matches,
    parse_statements,
    stack_accounts,
)

S3_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutReplicationConfiguration",
    "s3:PutObjectRetention",
    "s3:BypassGovernanceRetention",
    "s3:ReplicateObject",
    "s3:ReplicateDelete",
    "s3:RestoreObject",
)
PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
PUBLIC_GRANTEES = ("acs.amazonaws.com/groups/global/AllUsers", "acs.amazonaws.com/groups/global/AuthenticatedUsers")

Problem = tuple[PolicyResource, str]
BucketCheck = Callable[[Bucket, BucketIndex, Mapping[str, Any]], list[Problem]]


def _bucket_rule(
    name: str,
    description: str,
    check: BucketCheck,
    *,
    severity: Severity,
    remediation: str,
    level: EnforcementLevel = EnforcementLevel.MANDATORY,
    scope: str = "all",
    schema: dict[str, dict[str, Any]] | None = None,
) -> Any:
    """A stack rule judging each bucket in `scope`: all, backups, or production-backups."""

    def validate(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
        index = BucketIndex(args.resources, config)
        if not index.buckets and not index.unresolved:
            args.not_applicable("the stack has no S3 buckets")
        if scope == "production-backups" and not is_production_stack(args.resources, config):
            args.not_applicable("not a production stack")
        for resource in index.unresolved:
            judge.unknown.append((resource.urn, resource.name, "the bucket it configures is not known yet"))
        buckets = index.buckets if scope == "all" else index.backups()
        for bucket in buckets:

            def run(bucket: Bucket = bucket) -> None:
                for resource, message in check(bucket, index, config):
                    if index.unresolved and resource is bucket.resource:
                        # A configuration whose bucket is not known yet (preview) may be this bucket's.
                        why = f"{message}, unless a configuration resource whose bucket is not known yet sets it"
                        judge.unknown.append((bucket.urn, f"bucket {bucket.name}", why))
                    else:
                        judge.report(f"bucket {bucket.name}: {message}", resource.urn)

            judge(bucket.resource, f"bucket {bucket.name}", run)

    extra = {**ROLE_SCHEMA, **(schema or {})}
    if scope == "production-backups":
        extra.update(PRODUCTION_SCHEMA)
    return stack_rule(
        name, description, validate, severity=severity, remediation=remediation, level=level, schema=extra
    )


# --------------------------------------------------------------------------------------------------
# Checks


def _customer_key(key_id: Any) -> bool:
    return isinstance(key_id, str) and key_id != "" and "alias/aws/" not in key_id


def check_encryption(bucket: Bucket, index: BucketIndex, config: Mapping[str, Any]) -> list[Problem]:
    rules = bucket.encryption_rules()
    if not rules:
        return [(bucket.resource, "has no default encryption configuration (SSE-S3 only)")]
    carriers = [(c, as_list(c.props.get("rules"))) for c in bucket.configs_of(SSE_TYPES)]
    carriers.append((bucket.resource, inline_encryption_rules(bucket.props)))
    problems: list[Problem] = []
    log_algorithms = [str(a) for a in as_list(config.get("logBucketAlgorithms", ["AES256", "aws:kms"]))]
    for carrier, own in carriers:
        for rule in as_list(own):
            by_default = value_at(rule, "applyServerSideEncryptionByDefault")
            algorithm = value_at(by_default, "sseAlgorithm")
            if index.is_log_bucket(bucket) and algorithm in log_algorithms and algorithm != "aws:kms":
                continue
            if algorithm not in ("aws:kms", "aws:kms:dsse"):
                problems.append(
                    (carrier, f"default encryption is {algorithm!r}, not SSE-KMS with a customer-managed key")
                )
            elif not _customer_key(value_at(by_default, "kmsMasterKeyId")):
                problems.append((carrier, "SSE-KMS must name a customer-managed key (kmsMasterKeyId), not aws/s3"))
            elif algorithm == "aws:kms" and not truthy(value_at(rule, "bucketKeyEnabled")):
                problems.append((carrier, "S3 Bucket Key is off (bucketKeyEnabled): every object request calls KMS"))
    return problems


def check_versioning(bucket: Bucket, _index: BucketIndex, _config: Mapping[str, Any]) -> list[Problem]:
    resources = bucket.configs_of(VERSIONING_TYPES)
    statuses = bucket.versioning_statuses()
    if not statuses:
        return [(bucket.resource, "versioning is not configured")]
    problems: list[Problem] = [
        (r, f"versioning status is {value_at(r.props, 'versioningConfiguration', 'status')!r}, not Enabled")
        for r in resources
        if value_at(r.props, "versioningConfiguration", "status") != "Enabled"
    ]
    inline = first_block(bucket.props.get("versioning"))
    if isinstance(inline, Mapping) and "enabled" in inline and not truthy(inline.get("enabled")):
        problems.append((bucket.resource, "inline versioning is disabled"))
    return problems


def check_public_access(bucket: Bucket, index: BucketIndex, _config: Mapping[str, Any]) -> list[Problem]:
    effective = bucket.public_access_flags(index.account_blocks)
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if not effective[flag]]
    if not off:
        return []
    blocks = bucket.configs_of(PUBLIC_ACCESS_TYPES)
    if not blocks:
        return [(bucket.resource, f"has no public access block (unblocked: {', '.join(off)})")]
    # Report on each block that leaves a flag off: any of them may be the one AWS ends up with.
    return [
        (block, f"public access block flags not true: {', '.join(weak)}")
        for block in blocks
        if (weak := [flag for flag in off if not truthy(block.props.get(flag))])
    ]


def check_exposure(bucket: Bucket, index: BucketIndex, config: Mapping[str, Any]) -> list[Problem]:
    accounts = accounts_from(index.resources, config)
    problems: list[Problem] = []
    for carrier, document in bucket.policy_documents():
        try:
            statements = parse_statements(document)
        except PolicyDocumentError as exc:
            problems.append((carrier, f"bucket policy cannot be judged: {exc}"))
            continue
        for exposure in exposures(statements, S3_ACTIONS, *accounts):
            problems.append((carrier, f"bucket policy {exposure.describe()}"))
    for carrier, grant in bucket.acl_grants():
        if grant in PUBLIC_ACLS or grant.endswith(PUBLIC_GRANTEES):
            problems.append((carrier, f"ACL {grant!r} opens the bucket to everyone"))
    return problems


def _covers(statement: Any, arn: str) -> bool:
    if statement.not_resources is not None:
        return not any(matches(p, arn) for p in statement.not_resources)
    return any(matches(p, arn) for p in statement.resources)


def check_tls_only(bucket: Bucket, _index: BucketIndex, _config: Mapping[str, Any]) -> list[Problem]:
    documents = bucket.policy_documents()
    if not documents:
        return [(bucket.resource, "no bucket policy denies requests without TLS (aws:SecureTransport false)")]
    problems: list[Problem] = []
    arn = f"arn:aws:s3:::{bucket.name}"
    for carrier, document in documents:
        try:
            statements = parse_statements(document)
        except PolicyDocumentError as exc:
            problems.append((carrier, f"bucket policy cannot be judged: {exc}"))
            continue
        denies = [
            s
            for s in statements
            if s.denies_without_tls()
            and all(s.grants_action(a) for a in S3_ACTIONS)
            and _covers(s, arn)
            and _covers(s, f"{arn}/any-object")
        ]
        if not denies:
            problems.append(
                (
                    carrier,
                    "bucket policy does not deny every s3 action on the bucket and its objects "
                    "when aws:SecureTransport is false",
                )
            )
    return problems


def check_ownership(bucket: Bucket, _index: BucketIndex, _config: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = [
        (carrier, f"uses ACLs ({grant!r}); manage access with policies only") for carrier, grant in bucket.acl_grants()
    ]
    controls = bucket.configs_of(OWNERSHIP_TYPES)
    if not controls:
        problems.append((bucket.resource, "object ownership is not BucketOwnerEnforced (no ownership controls)"))
    for control in controls:
        ownership = value_at(first_block(control.props.get("rule")), "objectOwnership")
        if ownership != "BucketOwnerEnforced":
            problems.append((control, f"object ownership is {ownership!r}, not BucketOwnerEnforced"))
    return problems


def check_abort_multipart(bucket: Bucket, _index: BucketIndex, config: Mapping[str, Any]) -> list[Problem]:
    max_days = as_number(config.get("maxAbortDays", 7)) or 7
    configs = bucket.lifecycle_configs()
    if not configs:
        return [(bucket.resource, "has no lifecycle configuration aborting incomplete multipart uploads")]
    problems: list[Problem] = []
    for carrier, rules in configs:
        whole = [
            r
            for r in rules
            if r.get("status") == "Enabled"
            and rule_prefix(r) == ""
            and 0 < (as_number(value_at(r, "abortIncompleteMultipartUpload", "daysAfterInitiation")) or 0) <= max_days
        ]
        if not whole:
            problems.append(
                (
                    carrier,
                    f"no enabled bucket-wide rule (empty filter) aborts incomplete multipart "
                    f"uploads within {max_days:g} days",
                )
            )
    return problems


def check_logging(bucket: Bucket, index: BucketIndex, _config: Mapping[str, Any]) -> list[Problem]:
    if index.is_log_bucket(bucket):
        return []
    if [t for t in bucket.logging_targets() if t not in bucket.names]:
        return []
    return [(bucket.resource, "server access logging is off (no BucketLogging to a separate log bucket)")]


def _region(bucket: Bucket) -> Any:
    return bucket.props.get("region") or bucket.props.get("bucketRegion")


def check_replication(bucket: Bucket, index: BucketIndex, config: Mapping[str, Any]) -> list[Problem]:
    destinations = {
        id(index.find(value_at(rule, "destination", "bucket")))
        for other in index.buckets
        for _, rules in other.replication_configs()
        for rule in rules
    }
    configs = bucket.replication_configs()
    if id(bucket) in destinations and not configs:
        return []  # the DR replica itself
    if not configs:
        return [(bucket.resource, "production backup bucket is not replicated (no replication configuration)")]
    own = stack_accounts(index.resources, config)
    tiers = [str(t) for t in as_list(config.get("tierPrefixes", ["daily/", "weekly/", "monthly/"]))]
    external = {str(b) for b in as_list(config.get("externalReplicaBuckets", []))}
    kms_source = any(
        value_at(r, "applyServerSideEncryptionByDefault", "sseAlgorithm") in ("aws:kms", "aws:kms:dsse")
        for r in bucket.encryption_rules()
    )
    problems: list[Problem] = []
    for carrier, rules in configs:
        enabled = [r for r in rules if r.get("status") == "Enabled"]
        if not enabled:
            problems.append((carrier, "no replication rule is Enabled"))
            continue
        covered = [p for p in (rule_prefix(r) for r in enabled) if p is not None]
        missing = [t for t in tiers if not any(t.startswith(p) for p in covered)]
        if missing:
            problems.append((carrier, f"enabled replication rules do not cover the backup tiers {missing}"))
        for rule in enabled:
            rid = rule.get("id") or "?"
            destination = value_at(rule, "destination")
            if not (
                value_at(destination, "replicationTime", "status") == "Enabled"
                and as_number(value_at(destination, "replicationTime", "time", "minutes")) == 15
                and value_at(destination, "metrics", "status") == "Enabled"
            ):
                problems.append((carrier, f"rule {rid}: needs Replication Time Control (15 minutes) and metrics"))
            account = value_at(destination, "account")
            target = index.find(value_at(destination, "bucket"))
            if account and str(account) not in own:
                problems.append((carrier, f"rule {rid}: replicates to account {account}, not ours"))
            elif target is None and str(value_at(destination, "bucket")) not in external:
                problems.append(
                    (
                        carrier,
                        f"rule {rid}: destination {value_at(destination, 'bucket')!r} is not a bucket of "
                        "this stack (list reviewed ones in externalReplicaBuckets)",
                    )
                )
            elif target is not None and _region(target) and _region(target) == _region(bucket):
                problems.append((carrier, f"rule {rid}: destination is in the same region ({_region(bucket)})"))
            if kms_source and not (
                value_at(rule, "sourceSelectionCriteria", "sseKmsEncryptedObjects", "status") == "Enabled"
                and value_at(destination, "encryptionConfiguration", "replicaKmsKeyId")
            ):
                problems.append(
                    (
                        carrier,
                        f"rule {rid}: objects are SSE-KMS encrypted but the rule does not replicate "
                        "them (sseKmsEncryptedObjects Enabled and a replicaKmsKeyId)",
                    )
                )
    return problems


def check_object_lock(bucket: Bucket, _index: BucketIndex, config: Mapping[str, Any]) -> list[Problem]:
    if not bucket.object_lock_enabled():
        return [(bucket.resource, "production backup bucket was not created with objectLockEnabled")]
    min_days = as_number(config.get("minRetentionDays", 1)) or 1
    modes = [str(m) for m in as_list(config.get("modes", ["GOVERNANCE", "COMPLIANCE"]))]
    retentions = [(c, r) for c, r in bucket.object_lock_retentions() if r is not None]
    if not retentions:
        return [(bucket.resource, f"no Object Lock default retention ({'/'.join(modes)}, >= {min_days:g} days)")]
    problems: list[Problem] = []
    for carrier, retention in retentions:
        mode, days, years = value_at(retention, "mode"), value_at(retention, "days"), value_at(retention, "years")
        if mode not in modes:
            problems.append((carrier, f"Object Lock mode {mode!r} is not one of {modes}"))
        if days is not None and as_number(days) is None:
            problems.append((carrier, f"Object Lock days is a {type(days).__name__}, not a number"))
        elif years is not None and as_number(years) is None:
            problems.append((carrier, f"Object Lock years is a {type(years).__name__}, not a number"))
        elif (as_number(days) or 0) < min_days and (as_number(years) or 0) < 1:
            problems.append((carrier, f"Object Lock default retention is shorter than {min_days:g} days"))
    return problems


def check_retention(bucket: Bucket, _index: BucketIndex, config: Mapping[str, Any]) -> list[Problem]:
    min_days = as_number(config.get("minExpirationDays", 7)) or 7
    min_noncurrent = as_number(config.get("minNoncurrentDays", 7)) or 7
    problems: list[Problem] = []
    for carrier, rules in bucket.lifecycle_configs():
        for rule in rules:
            if rule.get("status") != "Enabled":
                continue
            rid = rule.get("id") or "?"
            expiration = first_block(rule.get("expiration"))
            days = value_at(expiration, "days")
            if value_at(expiration, "date"):
                problems.append((carrier, f"rule {rid}: expires backups on a fixed date"))
            elif days is not None and (as_number(days) is None or as_number(days) < min_days):  # type: ignore[operator]
                problems.append((carrier, f"rule {rid}: expires backups after {days!r} days (< {min_days:g})"))
            noncurrent = value_at(first_block(rule.get("noncurrentVersionExpiration")), "noncurrentDays")
            if noncurrent is not None and (as_number(noncurrent) is None or as_number(noncurrent) < min_noncurrent):  # type: ignore[operator]
                problems.append(
                    (
                        carrier,
                        f"rule {rid}: deletes overwritten backups after {noncurrent!r} days (< {min_noncurrent:g})",
                    )
                )
    return problems


ENCRYPTION = _bucket_rule(
    "s3-bucket-kms-encryption",
    "Ensure every S3 bucket is encrypted by default with SSE-KMS, a customer-managed key and an S3 Bucket Key, "
    "in every encryption configuration attached to it (log buckets may use SSE-S3, see logBucketAlgorithms).",
    check_encryption,
    severity=Severity.HIGH,
    remediation="Give the bucket one aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm 'aws:kms', a "
    "customer-managed key and bucket_key_enabled=True.",
    schema={
        "logBucketAlgorithms": {
            "type": "array",
            "items": {"type": "string", "enum": ["AES256", "aws:kms", "aws:kms:dsse"]},
            "default": ["AES256", "aws:kms"],
            "description": "Default encryption accepted on server-access-log buckets.",
        }
    },
)
VERSIONING = _bucket_rule(
    "s3-bucket-versioning",
    "Ensure every S3 bucket has versioning enabled in every versioning resource attached to it.",
    check_versioning,
    severity=Severity.MEDIUM,
    remediation="Give the bucket one aws.s3.BucketVersioning with status 'Enabled'.",
)
PUBLIC_ACCESS = _bucket_rule(
    "s3-bucket-public-access-block",
    "Ensure every S3 bucket blocks public ACLs and policies with all four flags, in every public access block "
    "attached to it (or at account level).",
    check_public_access,
    severity=Severity.HIGH,
    remediation="Give the bucket one aws.s3.BucketPublicAccessBlock with all four flags True.",
)
NO_PUBLIC_OR_FOREIGN = _bucket_rule(
    "s3-bucket-policy-no-public-or-foreign-access",
    "Ensure no bucket policy or ACL grants access to any principal or to another AWS account, after the "
    "conditions that really narrow who can call.",
    check_exposure,
    severity=Severity.CRITICAL,
    remediation="Grant access to roles of this account; scope service principals with aws:SourceAccount / "
    "aws:SourceArn; list reviewed cross-account grants in trustedAccounts.",
    schema=ACCOUNTS_SCHEMA,
)
TLS_ONLY = _bucket_rule(
    "s3-bucket-tls-only",
    "Ensure every bucket policy attached to an S3 bucket denies every action on the bucket and its objects "
    "without TLS.",
    check_tls_only,
    severity=Severity.HIGH,
    remediation="Add a Deny for Principal '*', Action 's3:*', Resource [bucket ARN, bucket ARN + '/*'] with Condition "
    "Bool aws:SecureTransport 'false'.",
)
OWNERSHIP = _bucket_rule(
    "s3-bucket-ownership-enforced",
    "Ensure every S3 bucket disables ACLs (BucketOwnerEnforced in every ownership control, no ACLs).",
    check_ownership,
    severity=Severity.MEDIUM,
    remediation="Add an aws.s3.BucketOwnershipControls with object_ownership 'BucketOwnerEnforced'; remove ACLs.",
)
LIFECYCLE = _bucket_rule(
    "s3-bucket-lifecycle-abort-multipart",
    "Ensure every lifecycle configuration of an S3 bucket has an enabled bucket-wide rule (empty filter) that "
    "aborts incomplete multipart uploads. Advisory: unfinished uploads cost storage, they do not expose data.",
    check_abort_multipart,
    severity=Severity.LOW,
    remediation="Add a rule {filter: {}, status: Enabled, abort_incomplete_multipart_upload: {days_after_initiation: "
    "1}} to the bucket's aws.s3.BucketLifecycleConfiguration.",
    level=EnforcementLevel.ADVISORY,
    schema={
        "maxAbortDays": integer_option(
            7, "Latest day after initiation an unfinished upload must be aborted.", minimum=1
        )
    },
)
ACCESS_LOGGING = _bucket_rule(
    "s3-bucket-access-logging",
    "Ensure every S3 bucket except log buckets writes server access logs to a separate log bucket.",
    check_logging,
    severity=Severity.MEDIUM,
    remediation="Add an aws.s3.BucketLogging with target_bucket set to the stack's log bucket.",
)
REPLICATION = _bucket_rule(
    "s3-backup-replication",
    "Ensure production backup buckets replicate every backup tier, KMS-encrypted objects included, to a bucket "
    "of this stack in another region, with Replication Time Control (15 minutes) and metrics.",
    check_replication,
    severity=Severity.HIGH,
    remediation="Add an aws.s3.BucketReplicationConfig with an Enabled rule, empty filter, "
    "source_selection_criteria.sse_kms_encrypted_objects Enabled, destination {bucket: replica ARN, "
    "encryption_configuration.replica_kms_key_id, replication_time 15 min, metrics}.",
    scope="production-backups",
    schema={
        **ACCOUNTS_SCHEMA,
        "externalReplicaBuckets": string_list_option(
            [], "Reviewed replica bucket ARNs or names that another stack of ours manages."
        ),
    },
)
OBJECT_LOCK = _bucket_rule(
    "s3-backup-object-lock",
    "Ensure production backup buckets are created with Object Lock and a default retention.",
    check_object_lock,
    severity=Severity.HIGH,
    remediation="Create the bucket with object_lock_enabled=True and add an aws.s3.BucketObjectLockConfiguration with "
    "rule.default_retention {mode, days (a number)}.",
    scope="production-backups",
    schema={
        "modes": {
            "type": "array",
            "items": {"type": "string", "enum": ["GOVERNANCE", "COMPLIANCE"]},
            "default": ["GOVERNANCE", "COMPLIANCE"],
            "description": "Accepted Object Lock modes.",
        },
        "minRetentionDays": integer_option(1, "Shortest accepted default retention in days.", minimum=1),
    },
)
RETENTION = _bucket_rule(
    "s3-backup-retention",
    "Ensure no lifecycle rule of a production backup bucket expires backups, or overwritten versions of them, "
    "sooner than the shortest retention tier (staging keeps shorter, disposable copies).",
    check_retention,
    severity=Severity.HIGH,
    remediation="Expire each tier after its retention (daily 7, weekly 28, monthly 365 days) and noncurrent versions "
    "after at least minNoncurrentDays.",
    scope="production-backups",
    schema={
        "minExpirationDays": integer_option(7, "Shortest accepted expiration of current backup objects.", minimum=1),
        "minNoncurrentDays": integer_option(
            7, "Shortest accepted expiration of noncurrent backup versions.", minimum=1
        ),
    },
)

POLICIES = [
    ENCRYPTION,
    VERSIONING,
    PUBLIC_ACCESS,
    NO_PUBLIC_OR_FOREIGN,
    TLS_ONLY,
    OWNERSHIP,
    LIFECYCLE,
    ACCESS_LOGGING,
    REPLICATION,
    OBJECT_LOCK,
    RETENTION,
]
