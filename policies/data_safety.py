"""Data-safety rules: production backups and the keys that decrypt them cannot be deleted by a `pulumi destroy`.

The engine passes `protect` to policies but not `retain_on_delete` (PolicyResourceOptions has no such field), so
this rule checks protect only; the backup component's tests assert retain_on_delete on the recorded plan.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import PRODUCTION_STACKS_SCHEMA, StackView, as_list, get, identifiers
from .s3 import REPLICATION_TYPES, ROLE_SCHEMA, SSE_TYPES, Buckets, bucket_name

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


def _key_index(view: StackView) -> dict[str, PolicyResource]:
    """Every way a bucket configuration may name a key (ARN, key id, alias name or ARN) -> the key."""
    index: dict[str, PolicyResource] = {}
    for key in view.of_type(KEY):
        for ident in identifiers(key, "arn", "keyId", "id"):
            index[ident] = key
    for alias in view.of_type(ALIAS):
        target = index.get(str(alias.props.get("targetKeyId")))
        if target is not None:
            for ident in identifiers(alias, "name", "arn"):
                index[ident] = target
    return index


def _backups_protected(args: StackValidationArgs, report: ReportViolation) -> None:
    config = args.get_config() or {}
    buckets = Buckets(args.resources)
    backups = buckets.production_backups(config)
    if not backups:
        args.not_applicable("no production backup buckets in this stack")
    keys = _key_index(buckets.view)
    for bucket in backups:
        if not bucket.opts.protect:
            report(f"production backup bucket {bucket_name(bucket)} is not protected", bucket.urn)
        key_ids = [
            get(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
            for sse in buckets.config_of(bucket, SSE_TYPES)
            for rule in as_list(sse.props.get("rules"))
        ]
        key_ids += [
            get(rule, "destination", "encryptionConfiguration", "replicaKmsKeyId")
            for replication in buckets.config_of(bucket, REPLICATION_TYPES)
            for rule in as_list(replication.props.get("rules"))
        ]
        for key_id in {str(k) for k in key_ids if k}:
            key = keys.get(key_id)
            if key is not None and not key.opts.protect:
                report(
                    f"KMS key {key.name} of production backup bucket {bucket_name(bucket)} is not protected", key.urn
                )


BACKUPS_PROTECTED = StackValidationPolicy(
    name="data-safety-backup-protect",
    description="Ensure production backup buckets and their KMS keys are protected against deletion.",
    validate=_backups_protected,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Create the buckets and keys with ResourceOptions(protect=True, retain_on_delete=True) "
    "(backup.protect: true in the production stack file).",
    config_schema=PolicyConfigSchema(properties={"productionStacks": PRODUCTION_STACKS_SCHEMA, **ROLE_SCHEMA}),
)

POLICIES = [BACKUPS_PROTECTED]
