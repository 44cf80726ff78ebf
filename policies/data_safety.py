"""Data-safety rules: backups, the keys that decrypt them and the vaults that hold them survive a mistaken
`pulumi destroy`, an empty-the-bucket delete, and an open vault policy.

Backup-holding resources: S3 backup buckets (policies/buckets.py), AWS Backup vaults (`backup.Vault`,
`backup.LogicallyAirGappedVault`) and Glacier vaults. The engine hands policies `protect` but not
`retain_on_delete`; the offline run (`python -m ops plan`) passes both, so "protect without retain" is caught
there and in CI, and the engine run checks protect only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from .buckets import ROLE_SCHEMA, BucketIndex
from .common import PRODUCTION_SCHEMA, Judge, is_production_stack, of_type, stack_rule, truthy
from .kms import backup_keys
from .statements import ACCOUNTS_SCHEMA, accounts_from, report_exposures

VAULT_TYPES = ("aws:backup/vault:Vault", "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault")
GLACIER_VAULT = "aws:glacier/vault:Vault"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
BACKUP_ACTIONS = (
    "backup:DeleteRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
    "backup:PutBackupVaultAccessPolicy",
    "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultAccessPolicy",
    "backup:CopyIntoBackupVault",
    "backup:StartRestoreJob",
    "backup:GetRecoveryPointRestoreMetadata",
    "glacier:DeleteArchive",
    "glacier:InitiateJob",
    "glacier:DeleteVault",
    "glacier:UploadArchive",
)


def _holders(args: StackValidationArgs, config: Mapping[str, Any]) -> list[tuple[PolicyResource, str]]:
    """(resource, what it is) for everything that holds or decrypts backups."""
    index = BucketIndex(args.resources, config)
    found = [(b.resource, f"backup bucket {b.name}") for b in index.backups()]
    found += [(k, f"KMS key {k.name} of backup data") for k in backup_keys(args.resources, config).values()]
    found += [(v, f"backup vault {v.name}") for v in of_type(args.resources, *VAULT_TYPES, GLACIER_VAULT)]
    return found


def _protected(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    if not is_production_stack(args.resources, config):
        args.not_applicable("not a production stack")
    holders = _holders(args, config)
    if not holders:
        args.not_applicable("no backup data in this stack")
    for resource, what in holders:
        retained = getattr(resource.opts, "retain_on_delete", None)
        if not resource.opts.protect:
            judge.report(f"production {what} is not protected", resource.urn)
        elif retained is False:
            judge.report(
                f"production {what} is protected but not retained on delete: removing it from the "
                "program (or protect: false, then destroy) deletes it",
                resource.urn,
            )


def _force_destroy(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    if not is_production_stack(args.resources, config):
        args.not_applicable("not a production stack (staging backups may be emptied on destroy)")
    holders = [(r, w) for r, w in _holders(args, config) if not w.startswith("KMS key")]
    if not holders:
        args.not_applicable("no backup data in this stack")
    for resource, what in holders:

        def check(resource: PolicyResource = resource, what: str = what) -> None:
            if truthy(resource.props.get("forceDestroy")):
                judge.report(f"{what} has forceDestroy: a delete empties it of every backup", resource.urn)

        judge(resource, what, check)


def _vault_policies(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    carriers = [(p, p.props.get("policy")) for p in of_type(args.resources, VAULT_POLICY)]
    carriers += [(v, v.props.get("accessPolicy")) for v in of_type(args.resources, GLACIER_VAULT)]
    if not carriers:
        args.not_applicable("no backup vault policies in this stack")
    accounts = accounts_from(args.resources, config)
    for carrier, document in carriers:

        def check(carrier: PolicyResource = carrier, document: Any = document) -> None:
            report_exposures(
                judge.report, carrier.urn, document, BACKUP_ACTIONS, label="vault policy", accounts=accounts
            )

        judge(carrier, carrier.name, check)


BACKUPS_PROTECTED = stack_rule(
    "data-safety-backup-protect",
    "Ensure production backup buckets, backup vaults and the KMS keys of backup data are protected and retained "
    "on delete.",
    _protected,
    severity=Severity.CRITICAL,
    remediation="Create them with ResourceOptions(protect=True, retain_on_delete=True) (backup.protect: true in "
    "the production stack file).",
    schema={**PRODUCTION_SCHEMA, **ROLE_SCHEMA},
)
NO_FORCE_DESTROY = stack_rule(
    "data-safety-no-force-destroy",
    "Ensure no production backup bucket or backup vault sets forceDestroy, which deletes every backup with the "
    "resource.",
    _force_destroy,
    severity=Severity.CRITICAL,
    remediation="Leave force_destroy unset (False) on backup buckets and vaults.",
    schema={**PRODUCTION_SCHEMA, **ROLE_SCHEMA},
)
VAULT_POLICY_ACCESS = stack_rule(
    "data-safety-backup-vault-policy",
    "Ensure no AWS Backup or Glacier vault policy lets any principal or another account read, copy or delete "
    "recovery points.",
    _vault_policies,
    severity=Severity.CRITICAL,
    remediation="Grant vault access to roles of this account only; add a Deny of backup:DeleteRecoveryPoint for "
    "everyone but the backup administrators.",
    schema=ACCOUNTS_SCHEMA,
)

POLICIES = [BACKUPS_PROTECTED, NO_FORCE_DESTROY, VAULT_POLICY_ACCESS]
