"""KMS rules: rotation, key policies and grants that reach only us, and backup keys that cannot vanish quickly.

Every key resource type carries a policy: `Key`, `ReplicaKey`, `ExternalKey`, `ReplicaExternalKey`, and the
standalone `KeyPolicy`. Rotation applies to `Key` only: AWS rotates neither imported key material
(ExternalKey) nor replicas on their own (a replica follows its primary's rotation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from .buckets import ROLE_SCHEMA, BucketIndex
from .common import (
    PRODUCTION_SCHEMA,
    Judge,
    as_list,
    as_number,
    identifiers,
    integer_option,
    is_production_stack,
    of_type,
    resource_rule,
    stack_rule,
    truthy,
    value_at,
)
from .statements import ACCOUNTS_SCHEMA, account_of, accounts_from, report_exposures, stack_accounts

KEY = "aws:kms/key:Key"
KEY_TYPES = (
    KEY,
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
)
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ALIAS = "aws:kms/alias:Alias"
GRANT = "aws:kms/grant:Grant"
BACKUP_VAULT_TYPES = ("aws:backup/vault:Vault", "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault")
KMS_ACTIONS = (
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DescribeKey",
)


def key_index(resources: Sequence[PolicyResource]) -> dict[str, PolicyResource]:
    """Every way a configuration may name a key (ARN, key id, alias name or ARN) -> the key resource."""
    index: dict[str, PolicyResource] = {}
    for key in of_type(resources, *KEY_TYPES):
        for ident in identifiers(key, "arn", "keyId", "id"):
            index[ident] = key
    for alias in of_type(resources, ALIAS):
        target = index.get(str(alias.props.get("targetKeyId")))
        if target is not None:
            for ident in identifiers(alias, "name", "arn"):
                index[ident] = target
    return index


def backup_keys(resources: Sequence[PolicyResource], config: Mapping[str, Any]) -> dict[str, PolicyResource]:
    """URN -> key resource, for the keys that encrypt backup data (bucket default encryption, replicas, vaults)."""
    keys = key_index(resources)
    index = BucketIndex(resources, config)
    references: list[Any] = []
    for bucket in index.backups():
        references += [
            value_at(r, "applyServerSideEncryptionByDefault", "kmsMasterKeyId") for r in bucket.encryption_rules()
        ]
        references += [
            value_at(rule, "destination", "encryptionConfiguration", "replicaKmsKeyId")
            for _, rules in bucket.replication_configs()
            for rule in rules
        ]
    references += [
        v.props.get("kmsKeyArn") or v.props.get("encryptionKeyArn") for v in of_type(resources, *BACKUP_VAULT_TYPES)
    ]
    found = {keys[str(r)].urn: keys[str(r)] for r in references if r and str(r) in keys}
    return found


def _rotation(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    usage = args.props.get("keyUsage") or "ENCRYPT_DECRYPT"
    spec = args.props.get("customerMasterKeySpec") or args.props.get("keySpec") or "SYMMETRIC_DEFAULT"
    if usage != "ENCRYPT_DECRYPT" or spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric encryption keys automatically
    if not truthy(args.props.get("enableKeyRotation")):
        report("symmetric customer-managed key without automatic rotation (enableKeyRotation)", None)


def _key_policies(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    carriers = of_type(args.resources, *KEY_TYPES, KEY_POLICY)
    if not carriers:
        args.not_applicable("the stack has no KMS keys")
    accounts = accounts_from(args.resources, config)
    for carrier in carriers:

        def check(carrier: PolicyResource = carrier) -> None:
            report_exposures(
                judge.report,
                carrier.urn,
                carrier.props.get("policy"),
                KMS_ACTIONS,
                label="key policy",
                accounts=accounts,
            )

        judge(carrier, carrier.name, check)


def _grants(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    grants = of_type(args.resources, GRANT)
    if not grants:
        args.not_applicable("the stack has no KMS grants")
    own = stack_accounts(args.resources, config) | {str(a) for a in as_list(config.get("trustedAccounts", []))}
    for grant in grants:

        def check(grant: PolicyResource = grant) -> None:
            for field in ("granteePrincipal", "retiringPrincipal"):
                principal = grant.props.get(field)
                if not isinstance(principal, str) or principal.endswith(".amazonaws.com"):
                    continue
                account = account_of(principal)
                if principal == "*" or account == "*" or "*" in principal:
                    judge.report(f"grant {field} {principal!r} is a wildcard", grant.urn)
                elif account is not None and account not in own:
                    judge.report(f"grant gives account {account} ({field}) use of the key", grant.urn)

        judge(grant, grant.name, check)


def _deletion_window(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    if not is_production_stack(args.resources, config):
        args.not_applicable("not a production stack")
    keys = backup_keys(args.resources, config)
    if not keys:
        args.not_applicable("no keys encrypt backup data")
    min_days = as_number(config.get("minDays", 30)) or 30
    for key in keys.values():

        def check(key: PolicyResource = key) -> None:
            window = key.props.get("deletionWindowInDays")
            if window is None:
                return  # AWS default: 30 days
            if as_number(window) is None or (as_number(window) or 0) < min_days:
                judge.report(
                    f"backup key {key.name}: deletion window {window!r} days is shorter than {min_days:g}", key.urn
                )

        judge(key, key.name, check)


ROTATION = resource_rule(
    "kms-key-rotation",
    "Ensure symmetric customer-managed KMS keys rotate their key material automatically.",
    (KEY,),
    _rotation,
    severity=Severity.MEDIUM,
    remediation="Set enable_key_rotation=True on the aws.kms.Key (optionally rotation_period_in_days).",
)
KEY_POLICY_ACCESS = stack_rule(
    "kms-key-policy-no-public-or-foreign-access",
    "Ensure no key policy (Key, ReplicaKey, ExternalKey, ReplicaExternalKey, KeyPolicy) lets any principal or "
    "another account use or administer the key, after the conditions that really narrow who can call.",
    _key_policies,
    severity=Severity.CRITICAL,
    remediation="Name the account root or specific roles as principals; give service principals only the actions "
    "they need with aws:SourceAccount / aws:SourceArn conditions; list reviewed accounts in trustedAccounts.",
    schema=ACCOUNTS_SCHEMA,
)
GRANTS = stack_rule(
    "kms-grant-no-foreign-principal",
    "Ensure no KMS grant gives a wildcard or another account's principal use of a key.",
    _grants,
    severity=Severity.HIGH,
    remediation="Grant to roles of this account only, or list the reviewed account in trustedAccounts.",
    schema=ACCOUNTS_SCHEMA,
)
DELETION_WINDOW = stack_rule(
    "kms-backup-key-deletion-window",
    "Ensure production keys that encrypt backup data keep the longest deletion window, so a scheduled deletion "
    "can be noticed and cancelled before the backups become unreadable.",
    _deletion_window,
    severity=Severity.HIGH,
    remediation="Set deletion_window_in_days=30 (or leave it unset) on keys of backup buckets, replicas and vaults.",
    schema={
        **PRODUCTION_SCHEMA,
        **ROLE_SCHEMA,
        "minDays": integer_option(30, "Shortest accepted deletion window of a backup key.", minimum=7, maximum=30),
    },
)

POLICIES = [ROTATION, KEY_POLICY_ACCESS, GRANTS, DELETION_WINDOW]
