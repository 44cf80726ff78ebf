"""IAM rules: no wildcard actions, no wildcard resources for writes, and exact GitHub OIDC trust.

Identity policies are read from `iam.Policy`, `iam.RolePolicy`, `iam.UserPolicy`, `iam.GroupPolicy` and the
deprecated `iam.Role.inlinePolicies`. Resource policies (bucket, key, topic) are covered by their own rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import actions, as_list, document, get, statements

ROLE = "aws:iam/role:Role"
POLICY_DOCUMENT_TYPES = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
ATTACHMENT_TYPES = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
ADMIN_POLICY_SUFFIX = ":policy/AdministratorAccess"
GITHUB_HOST = "token.actions.githubusercontent.com"
READ_PREFIXES = ["Get", "List", "Describe", "View", "Head", "Search", "Lookup", "BatchGet", "Query", "Scan", "Select"]
# repo:OWNER/NAME followed by an exact qualifier (environment:ENV, ref:refs/heads/main, pull_request).
EXACT_SUBJECT = re.compile(r"^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+(:[^*?]+)?$")


def identity_documents(args: ResourceValidationArgs) -> list[Mapping[str, Any]]:
    """The identity-policy documents a resource carries."""
    docs: list[Mapping[str, Any] | None] = []
    if args.resource_type in POLICY_DOCUMENT_TYPES:
        docs.append(document(args.props.get("policy")))
    elif args.resource_type == ROLE:
        docs.extend(document(get(p, "policy")) for p in as_list(args.props.get("inlinePolicies")))
    return [d for d in docs if d is not None]


def _allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect", "Allow") == "Allow"


def _no_wildcard_action(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in ATTACHMENT_TYPES:
        arn = args.props.get("policyArn")
        if isinstance(arn, str) and arn.endswith(ADMIN_POLICY_SUFFIX):
            report("attaches AdministratorAccess (Action '*')", None)
        return
    for doc in identity_documents(args):
        for statement in filter(_allows, statements(doc)):
            if statement.get("NotAction") is not None:
                report(f"statement {statement.get('Sid', '')!r} allows NotAction: everything but a list", None)
            wild = [a for a in actions(statement) if a == "*" or a.endswith(":*")]
            if wild:
                report(
                    f"statement {statement.get('Sid', '')!r} allows wildcard actions {wild}; list exact actions", None
                )


def _is_read(action: str, read_prefixes: list[str]) -> bool:
    verb = action.split(":", 1)[-1]
    return verb != "*" and any(verb.lower().startswith(p.lower()) for p in read_prefixes)


def _no_wildcard_write_resource(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = args.get_config() or {}
    allowed = {str(a).lower() for a in as_list(config.get("allowedActions", ["cloudwatch:PutMetricData"]))}
    read_prefixes = [str(p) for p in as_list(config.get("readPrefixes", READ_PREFIXES))]
    for doc in identity_documents(args):
        for statement in filter(_allows, statements(doc)):
            resources = [str(r) for r in as_list(statement.get("Resource"))]
            if "*" not in resources and statement.get("NotResource") is None:
                continue
            writes = [a for a in actions(statement) if a.lower() not in allowed and not _is_read(a, read_prefixes)]
            if writes:
                report(f"statement {statement.get('Sid', '')!r} allows {writes} on every resource ('*')", None)


def _values(statement: Mapping[str, Any], operators: tuple[str, ...], key: str) -> list[str] | None:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return None
    found: list[str] | None = None
    for operator, clauses in condition.items():
        if operator in operators and isinstance(clauses, Mapping) and key in clauses:
            found = (found or []) + [str(v) for v in as_list(clauses[key])]
    return found


def _github_trust(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ROLE:
        return
    for statement in filter(_allows, statements(document(args.props.get("assumeRolePolicy")))):
        federated = [str(p) for p in as_list(get(statement.get("Principal"), "Federated"))]
        if not any(GITHUB_HOST in p for p in federated):
            continue
        aud = _values(statement, ("StringEquals",), f"{GITHUB_HOST}:aud")
        if aud != ["sts.amazonaws.com"]:
            report(
                f"GitHub OIDC trust must pin {GITHUB_HOST}:aud with StringEquals to sts.amazonaws.com, got {aud}", None
            )
        loose = _values(
            statement, ("StringLike", "ForAnyValue:StringLike", "StringEqualsIfExists"), f"{GITHUB_HOST}:sub"
        )
        subjects = _values(statement, ("StringEquals",), f"{GITHUB_HOST}:sub")
        if loose is not None or not subjects:
            report(f"GitHub OIDC trust must pin {GITHUB_HOST}:sub with StringEquals (found {loose or 'none'})", None)
        for subject in subjects or []:
            if not EXACT_SUBJECT.match(subject):
                report(
                    f"GitHub OIDC subject {subject!r} is not an exact repo:OWNER/NAME:... subject (no wildcards)", None
                )


NO_WILDCARD_ACTION = ResourceValidationPolicy(
    name="iam-no-wildcard-action",
    description="Ensure no IAM identity policy allows '*' or 'service:*' actions (or NotAction, or "
    "AdministratorAccess).",
    validate=_no_wildcard_action,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="List the exact actions the principal needs; parliament flags unknown ones.",
)
NO_WILDCARD_WRITE_RESOURCE = ResourceValidationPolicy(
    name="iam-no-wildcard-resource-write",
    description="Ensure no IAM identity policy allows a write action on Resource '*'.",
    validate=_no_wildcard_write_resource,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Scope write actions to the ARNs they act on (bucket/prefix ARNs, key ARNs, topic ARNs); "
    "only actions that support no resource-level permission belong in allowedActions.",
    config_schema=PolicyConfigSchema(
        properties={
            "allowedActions": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["cloudwatch:PutMetricData"],
                "description": "Write actions allowed on '*' because AWS supports no narrower resource for them.",
            },
            "readPrefixes": {
                "type": "array",
                "items": {"type": "string"},
                "default": READ_PREFIXES,
                "description": "Action-name prefixes treated as read-only (allowed on '*').",
            },
        }
    ),
)
GITHUB_OIDC_TRUST = ResourceValidationPolicy(
    name="iam-github-oidc-trust",
    description="Ensure a role trusted by GitHub Actions OIDC pins aud to sts.amazonaws.com and sub to exact "
    "repository subjects without wildcards.",
    validate=_github_trust,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Use components.github_oidc.trust_policy: StringEquals on token.actions.githubusercontent.com:aud "
    "= sts.amazonaws.com and :sub = repo:OWNER/NAME:environment:ENV.",
)

POLICIES = [NO_WILDCARD_ACTION, NO_WILDCARD_WRITE_RESOURCE, GITHUB_OIDC_TRUST]
