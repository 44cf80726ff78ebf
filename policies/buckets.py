"""The effective settings of each S3 bucket: every configuration resource attached to it, merged.

A bucket's settings live in standalone resources (pulumi-aws v7) and, deprecated but still accepted, in
inline arguments of `Bucket`. Configuration resources name the bucket by name, id or ARN. When several
resources configure the same thing, which one AWS ends up with depends on apply order, so the merge keeps
every value and the rules judge the weakest: a second public access block with a flag off, or a second
encryption configuration with SSE-S3, undoes the first.

Roles, judged by evidence rather than by naming alone:
- log bucket: tagged `purpose=s3-access-logs` AND named `...-access-logs...`, or the target of another
  bucket's BucketLogging. Log buckets may use SSE-S3 and are not logged themselves.
- backup bucket: tagged `purpose=backup(s)`, named `...backup(s)...`, holding backup tier prefixes
  (`tierPrefixes`) in its lifecycle or replication filters, written under those prefixes by an IAM policy of
  the stack, or the replication source or destination of a backup bucket.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from .common import as_list, first_block, known, of_type, string_list_option, tags_of, truthy, value_at

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")


def _pair(module: str) -> tuple[str, str]:
    name = module[0].upper() + module[1:]
    return (f"aws:s3/{module}:{name}", f"aws:s3/{module}V2:{name}V2")


SSE_TYPES = _pair("bucketServerSideEncryptionConfiguration")
VERSIONING_TYPES = _pair("bucketVersioning")
PUBLIC_ACCESS_TYPES = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
ACCOUNT_PUBLIC_ACCESS_TYPES = ("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",)
POLICY_TYPES = ("aws:s3/bucketPolicy:BucketPolicy",)
OWNERSHIP_TYPES = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)
ACL_TYPES = _pair("bucketAcl")
LIFECYCLE_TYPES = _pair("bucketLifecycleConfiguration")
LOGGING_TYPES = _pair("bucketLogging")
REPLICATION_TYPES = ("aws:s3/bucketReplicationConfig:BucketReplicationConfig",)
OBJECT_LOCK_TYPES = _pair("bucketObjectLockConfiguration")
WEBSITE_TYPES = _pair("bucketWebsiteConfiguration")
CONFIG_TYPES = (
    *SSE_TYPES,
    *VERSIONING_TYPES,
    *PUBLIC_ACCESS_TYPES,
    *POLICY_TYPES,
    *OWNERSHIP_TYPES,
    *ACL_TYPES,
    *LIFECYCLE_TYPES,
    *LOGGING_TYPES,
    *REPLICATION_TYPES,
    *OBJECT_LOCK_TYPES,
    *WEBSITE_TYPES,
)
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
DEFAULT_TIER_PREFIXES = ["daily/", "weekly/", "monthly/"]
DEFAULT_LOG_PATTERN = r"-access-logs(-|$)"
DEFAULT_BACKUP_PATTERN = r"(^|[-._])backups?([-._]|$)"
LOG_PURPOSES = {"s3-access-logs", "access-logs"}
BACKUP_PURPOSES = {"backups", "backup"}
S3_ARN = "arn:aws:s3:::"
BACKUP_WORD = re.compile(r"(^|[-_. ])backups?([-_. ]|$)", re.I)
# Tags that say what a bucket holds (not cost-allocation tags such as component=backup on its log bucket).
DESCRIBING_TAGS = {"purpose", "role", "name", "data", "contents", "usage", "classification", "data-class"}
BACKUP_JOB_WORD = re.compile(r"BACKUP|REPLICA|RESTORE|DUMP", re.I)

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
    "tierPrefixes": string_list_option(
        DEFAULT_TIER_PREFIXES, "Key prefixes of the backup tiers; a bucket holding them is a backup bucket."
    ),
}


def bucket_key(value: Any) -> str | None:
    """A bucket reference (name, id or ARN, including an object ARN) as the bucket name."""
    if not isinstance(value, str) or not value:
        return None
    return value.removeprefix(S3_ARN).split("/", 1)[0]


def names_of(bucket: PolicyResource) -> set[str]:
    found = {bucket_key(known(bucket.props, p)) for p in ("bucket", "id", "arn")}
    return {n for n in found if n}


@dataclass
class Bucket:
    resource: PolicyResource
    names: set[str]
    configs: dict[str, list[PolicyResource]] = field(default_factory=dict)
    backup_evidence: list[str] = field(default_factory=list)
    log_target_of: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(known(self.resource.props, "bucket") or self.resource.name)

    @property
    def urn(self) -> str:
        return self.resource.urn

    @property
    def props(self) -> Mapping[str, Any]:
        return self.resource.props

    def configs_of(self, types: Iterable[str]) -> list[PolicyResource]:
        return [r for t in types for r in self.configs.get(t, [])]

    # Effective values -------------------------------------------------------------------------------

    def encryption_rules(self) -> list[Mapping[str, Any]]:
        """Every default-encryption rule: standalone resources and the inline argument."""
        rules = [rule for sse in self.configs_of(SSE_TYPES) for rule in as_list(sse.props.get("rules"))]
        rules += inline_encryption_rules(self.props)
        return [r for r in rules if isinstance(r, Mapping)]

    def versioning_statuses(self) -> list[str]:
        statuses = [
            str(value_at(v.props, "versioningConfiguration", "status")) for v in self.configs_of(VERSIONING_TYPES)
        ]
        inline = first_block(self.props.get("versioning"))
        if isinstance(inline, Mapping) and "enabled" in inline:
            statuses.append("Enabled" if truthy(inline.get("enabled")) else "Suspended")
        return statuses

    def public_access_flags(self, account_blocks: Sequence[PolicyResource]) -> dict[str, bool]:
        """Each flag is on when every account-level block sets it, or every bucket-level block of this bucket does."""
        blocks = self.configs_of(PUBLIC_ACCESS_TYPES)
        return {
            flag: (bool(account_blocks) and all(truthy(a.props.get(flag)) for a in account_blocks))
            or (bool(blocks) and all(truthy(b.props.get(flag)) for b in blocks))
            for flag in PUBLIC_ACCESS_FLAGS
        }

    def policy_documents(self) -> list[tuple[PolicyResource, Any]]:
        """(resource that carries it, document) for every bucket policy, inline included."""
        docs = [(p, p.props.get("policy")) for p in self.configs_of(POLICY_TYPES)]
        if self.props.get("policy"):
            docs.append((self.resource, self.props.get("policy")))
        return docs

    def acl_grants(self) -> list[tuple[PolicyResource, str]]:
        """(resource, canned ACL or grantee) of every ACL setting, inline included."""
        found: list[tuple[PolicyResource, str]] = []
        for acl in self.configs_of(ACL_TYPES):
            if acl.props.get("acl"):
                found.append((acl, str(acl.props.get("acl"))))
            policy = acl.props.get("accessControlPolicy")
            for grant in as_list(value_at(policy, "grants")):
                grantee = value_at(grant, "grantee")
                found.append(
                    (acl, str(value_at(grantee, "uri") or value_at(grantee, "id") or value_at(grantee, "type")))
                )
        if self.props.get("acl"):
            found.append((self.resource, str(self.props.get("acl"))))
        for grant in as_list(self.props.get("grants")):
            found.append(
                (self.resource, str(value_at(grant, "uri") or value_at(grant, "id") or value_at(grant, "type")))
            )
        return found

    def lifecycle_configs(self) -> list[tuple[PolicyResource, list[Mapping[str, Any]]]]:
        configs: list[tuple[PolicyResource, list[Mapping[str, Any]]]] = [
            (c, [r for r in as_list(c.props.get("rules")) if isinstance(r, Mapping)])
            for c in self.configs_of(LIFECYCLE_TYPES)
        ]
        inline: list[Mapping[str, Any]] = [
            _inline_lifecycle(r) for r in as_list(self.props.get("lifecycleRules")) if isinstance(r, Mapping)
        ]
        if inline:
            configs.append((self.resource, inline))
        return configs

    def replication_configs(self) -> list[tuple[PolicyResource, list[Mapping[str, Any]]]]:
        configs = [
            (c, [r for r in as_list(c.props.get("rules")) if isinstance(r, Mapping)])
            for c in self.configs_of(REPLICATION_TYPES)
        ]
        inline = first_block(self.props.get("replicationConfiguration"))
        if isinstance(inline, Mapping):
            configs.append((self.resource, [r for r in as_list(inline.get("rules")) if isinstance(r, Mapping)]))
        return configs

    def logging_targets(self) -> list[str]:
        targets = [bucket_key(lg.props.get("targetBucket")) for lg in self.configs_of(LOGGING_TYPES)]
        targets += [bucket_key(value_at(block, "targetBucket")) for block in as_list(self.props.get("logging"))]
        return [t for t in targets if t]

    def object_lock_enabled(self) -> bool:
        inline = first_block(self.props.get("objectLockConfiguration"))
        return truthy(self.props.get("objectLockEnabled")) or value_at(inline, "objectLockEnabled") == "Enabled"

    def object_lock_retentions(self) -> list[tuple[PolicyResource, Any]]:
        found = [
            (c, value_at(first_block(c.props.get("rule")), "defaultRetention"))
            for c in self.configs_of(OBJECT_LOCK_TYPES)
        ]
        inline = first_block(self.props.get("objectLockConfiguration"))
        if isinstance(inline, Mapping) and inline.get("rule") is not None:
            found.append((self.resource, value_at(first_block(inline.get("rule")), "defaultRetention")))
        return found


def inline_encryption_rules(props: Mapping[str, Any]) -> list[Any]:
    """Rules of the deprecated inline `serverSideEncryptionConfiguration` ({rule: {...}})."""
    block = first_block(props.get("serverSideEncryptionConfiguration"))
    return as_list(value_at(block, "rule")) + as_list(value_at(block, "rules"))


def _inline_lifecycle(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A deprecated inline lifecycle rule in the standalone resource's shape."""
    tags = rule.get("tags")
    return {
        "id": rule.get("id"),
        "status": "Enabled" if truthy(rule.get("enabled")) else "Disabled",
        "filter": {"prefix": rule.get("prefix") or "", "tags": tags} if tags else {"prefix": rule.get("prefix") or ""},
        "expiration": rule.get("expiration"),
        "noncurrentVersionExpiration": {
            "noncurrentDays": value_at(first_block(rule.get("noncurrentVersionExpiration")), "days")
        },
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": rule.get("abortIncompleteMultipartUploadDays")},
    }


def rule_prefix(rule: Mapping[str, Any]) -> str | None:
    """The key prefix a lifecycle or replication rule applies to ("" = whole bucket), None if it filters on
    something else as well (tags, sizes), so it does not cover every object under its prefix."""
    filter_ = first_block(rule.get("filter"))
    legacy = rule.get("prefix")
    if filter_ is None or (isinstance(filter_, Mapping) and not any(v not in (None, "") for v in filter_.values())):
        return str(legacy or "")
    if not isinstance(filter_, Mapping):
        return None
    if {k for k, v in filter_.items() if v not in (None, "")} <= {"prefix"}:
        return str(filter_.get("prefix") or "")
    conjunction = first_block(filter_.get("and"))
    if isinstance(conjunction, Mapping) and {k for k, v in conjunction.items() if v not in (None, "", {})} <= {
        "prefix"
    }:
        return str(conjunction.get("prefix") or "")
    return None


class BucketIndex:
    """The stack's buckets with their configuration resources and roles."""

    def __init__(self, resources: Sequence[PolicyResource], config: Mapping[str, Any]) -> None:
        self.resources = list(resources)
        self.config = config
        self.buckets = [Bucket(r, names_of(r)) for r in of_type(resources, *BUCKET_TYPES)]
        self.by_name: dict[str, Bucket] = {n: b for b in self.buckets for n in b.names}
        self.unattached: list[PolicyResource] = []
        self.unresolved: list[PolicyResource] = []  # the bucket they configure is unknown (preview)
        for resource in of_type(resources, *CONFIG_TYPES):
            try:
                reference = resource.props.get("bucket")
            except UnknownValueError:
                self.unresolved.append(resource)
                continue
            target = self.by_name.get(bucket_key(reference) or "")
            if target is None:
                self.unattached.append(resource)
            else:
                target.configs.setdefault(resource.resource_type, []).append(resource)
        self.account_blocks = of_type(resources, *ACCOUNT_PUBLIC_ACCESS_TYPES)
        for bucket in self.buckets:
            for target in bucket.logging_targets():
                if target in self.by_name and self.by_name[target] is not bucket:
                    self.by_name[target].log_target_of.append(bucket.name)
        self._classify_backups()

    def find(self, reference: Any) -> Bucket | None:
        return self.by_name.get(bucket_key(reference) or "")

    def is_log_bucket(self, bucket: Bucket) -> bool:
        tagged = str(tags_of(bucket.props).get("purpose", "")).lower() in LOG_PURPOSES
        named = re.search(str(self.config.get("logBucketPattern") or DEFAULT_LOG_PATTERN), bucket.name) is not None
        return (tagged and named) or (bool(bucket.log_target_of) and not bucket.backup_evidence)

    def is_backup_bucket(self, bucket: Bucket) -> bool:
        return bool(bucket.backup_evidence)

    def backups(self) -> list[Bucket]:
        return [b for b in self.buckets if b.backup_evidence]

    def _classify_backups(self) -> None:  # noqa: PLR0912 - one branch per kind of evidence
        pattern = re.compile(str(self.config.get("backupBucketPattern") or DEFAULT_BACKUP_PATTERN))
        tiers = [str(t) for t in as_list(self.config.get("tierPrefixes", DEFAULT_TIER_PREFIXES)) if t]
        named_by_jobs = self._named_by_backup_variables()
        for bucket in self.buckets:
            tags = tags_of(bucket.props)
            purpose = str(tags.get("purpose", "")).lower()
            log_tagged = purpose in LOG_PURPOSES
            described = [str(v) for k, v in tags.items() if str(k).lower() in DESCRIBING_TAGS]
            if purpose in BACKUP_PURPOSES or any(BACKUP_WORD.search(v) for v in described):
                bucket.backup_evidence.append("tagged as holding backups")
            if not log_tagged and pattern.search(bucket.name):
                bucket.backup_evidence.append("named as a backup bucket")
            if bucket.object_lock_enabled():
                bucket.backup_evidence.append("Object Lock retains its objects")
            if bucket.names & named_by_jobs:
                bucket.backup_evidence.append("named by a backup or restore job's variable")
            prefixes = [rule_prefix(r) for _, rules in bucket.lifecycle_configs() for r in rules]
            prefixes += [rule_prefix(r) for _, rules in bucket.replication_configs() for r in rules]
            if any(p and any(p.startswith(t) or t.startswith(p) for t in tiers) for p in prefixes):
                bucket.backup_evidence.append("holds backup tier prefixes")
        for name in self._written_under_tiers(tiers):
            bucket = self.by_name.get(name)
            if bucket is not None:
                bucket.backup_evidence.append("written under backup tier prefixes by an IAM policy")
        # Replication partners of a backup bucket hold the same backups.
        changed = True
        while changed:
            changed = False
            for bucket in self.buckets:
                for _, rules in bucket.replication_configs():
                    for rule in rules:
                        destination = self.find(value_at(rule, "destination", "bucket"))
                        if destination is None:
                            continue
                        for a, b in ((bucket, destination), (destination, bucket)):
                            if a.backup_evidence and not b.backup_evidence:
                                b.backup_evidence.append(f"replication partner of backup bucket {a.name}")
                                changed = True

    def _named_by_backup_variables(self) -> set[str]:
        """Buckets that a GitHub variable or secret of a backup/restore job names (BACKUP_BUCKET=...)."""
        names: set[str] = set()
        for resource in self.resources:
            if not resource.resource_type.startswith("github:index/actions"):
                continue
            label = str(known(resource.props, "variableName") or known(resource.props, "secretName") or "")
            value = known(resource.props, "value")
            if BACKUP_JOB_WORD.search(label) and isinstance(value, str):
                names.add(bucket_key(value) or "")
        return names

    def _written_under_tiers(self, tiers: list[str]) -> set[str]:
        from .statements import PolicyDocumentError, parse_statements

        names: set[str] = set()
        for resource in self.resources:
            if not resource.resource_type.startswith("aws:iam/"):
                continue
            try:
                statements = parse_statements(known(resource.props, "policy"))
            except (PolicyDocumentError, TypeError):
                continue
            for statement in statements:
                for arn in statement.resources:
                    if not arn.startswith(S3_ARN) or "/" not in arn:
                        continue
                    name, key = arn.removeprefix(S3_ARN).split("/", 1)
                    if any(key.startswith(t) for t in tiers):
                        names.add(name)
        return names
