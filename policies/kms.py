"""KMS rules: rotation of symmetric customer keys, and no key policy that hands `kms:*` to anyone."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import document, is_wildcard_principal, lower_actions, statements, truthy

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"


def _rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KEY:
        return
    usage = args.props.get("keyUsage") or "ENCRYPT_DECRYPT"
    spec = args.props.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if usage != "ENCRYPT_DECRYPT" or spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric encryption keys automatically
    if not truthy(args.props.get("enableKeyRotation")):
        report("symmetric customer-managed key without automatic rotation (enableKeyRotation)", None)


def _no_wildcard_admin(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (KEY, KEY_POLICY):
        return
    for statement in statements(document(args.props.get("policy"))):
        if statement.get("Effect") != "Allow" or not is_wildcard_principal(statement.get("Principal")):
            continue
        granted = lower_actions(statement)
        if "kms:*" in granted or "*" in granted:
            report(f"key policy statement {statement.get('Sid', '')!r} grants kms:* to any principal ('*')", None)
        elif not statement.get("Condition"):
            report(
                f"key policy statement {statement.get('Sid', '')!r} allows any principal ('*') without a condition",
                None,
            )


ROTATION = ResourceValidationPolicy(
    name="kms-key-rotation",
    description="Ensure symmetric customer-managed KMS keys rotate their key material automatically.",
    validate=_rotation,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps="Set enable_key_rotation=True on the aws.kms.Key (optionally rotation_period_in_days).",
)
NO_WILDCARD_ADMIN = ResourceValidationPolicy(
    name="kms-key-no-wildcard-principal",
    description="Ensure no KMS key policy grants kms:* to a wildcard principal, or anything to '*' unconditionally.",
    validate=_no_wildcard_admin,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Name the account root or specific roles as principals; give service principals only the "
    "actions they need (kms:GenerateDataKey*, kms:Decrypt) with aws:SourceAccount/aws:SourceArn conditions.",
)

POLICIES = [ROTATION, NO_WILDCARD_ADMIN]
