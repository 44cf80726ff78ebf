"""IAM rules, on every way the provider lets a policy reach a principal.

Identity documents: `Policy`, `RolePolicy`, `UserPolicy`, `GroupPolicy` and `Role.inlinePolicies`. Managed
policies reach principals through `RolePolicyAttachment`, `UserPolicyAttachment`, `GroupPolicyAttachment`,
`PolicyAttachment`, `Role.managedPolicyArns` and the `...PolicyAttachmentsExclusive` resources; an attached
ARN is judged by the AWS-managed policy it names or by the stack's own `Policy` it resolves to.
Trust policies: `Role.assumeRolePolicy`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from .common import Judge, as_list, identifiers, of_type, stack_rule, string_list_option, value_at
from .statements import (
    ACCOUNTS_SCHEMA,
    ORG_KEYS,
    POSITIVE_OPERATORS,
    PolicyDocumentError,
    Statement,
    accounts_from,
    is_wildcard_only,
    parse_statements,
)

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
DOCUMENT_TYPES = (
    POLICY,
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
SINGLE_ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
EXCLUSIVE_ATTACHMENTS = (
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
)
# AWS-managed policies that grant every action (or every IAM action, which grants the rest).
ADMIN_EQUIVALENT = [
    "AdministratorAccess",
    "AdministratorAccess-Amplify",
    "AdministratorAccess-AWSElasticBeanstalk",
    "IAMFullAccess",
    "PowerUserAccess",
    "AWSOrganizationsFullAccess",
]
# Write actions AWS authorises only on "*" (no resource-level permissions).
NO_RESOURCE_LEVEL_WRITES = [
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
]
READ_PREFIXES = ["Get", "List", "Describe", "View", "Head", "Search", "Lookup", "BatchGet", "Query", "Scan", "Select"]
ESCALATION_ACTIONS = (
    "iam:PassRole",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "sts:AssumeRole",
)
SECRET_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
)
GITHUB_HOST = "token.actions.githubusercontent.com"
EXACT_SUBJECT = re.compile(r"^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+(:[^*?]+)?$")
# The audience key of a federated principal that is not an OIDC provider ARN.
FEDERATED_AUDIENCE = {
    "cognito-identity.amazonaws.com": "cognito-identity.amazonaws.com:aud",
    "accounts.google.com": "accounts.google.com:aud",
    "graph.facebook.com": "graph.facebook.com:app_id",
    "www.amazon.com": "www.amazon.com:app_id",
}


def _documents(resources: Sequence[PolicyResource]) -> list[tuple[PolicyResource, Any]]:
    found = [(r, r.props.get("policy")) for r in of_type(resources, *DOCUMENT_TYPES)]
    for role in of_type(resources, ROLE):
        found += [(role, value_at(p, "policy")) for p in as_list(role.props.get("inlinePolicies"))]
    return found


def _each_statement(args: StackValidationArgs, judge: Judge, check: Any) -> None:
    """Run `check(carrier, statement)` on every Allow statement of every identity document."""
    documents = _documents(args.resources)
    if not documents and not of_type(args.resources, *SINGLE_ATTACHMENTS, *EXCLUSIVE_ATTACHMENTS, ROLE):
        args.not_applicable("the stack has no IAM policies")
    for carrier, document in documents:

        def run(carrier: PolicyResource = carrier, document: Any = document) -> None:
            try:
                statements = parse_statements(document)
            except PolicyDocumentError as exc:
                judge.report(f"policy cannot be judged: {exc}", carrier.urn)
                return
            for statement in statements:
                if statement.allows:
                    check(carrier, statement)

        judge(carrier, carrier.name, run)


def _admin_statement(statement: Statement) -> bool:
    every_service = statement.grants_all_actions() or any(
        is_wildcard_only(p.split(":", 1)[-1]) and p.lower().startswith("iam:") for p in statement.actions
    )
    return every_service and statement.applies_to_every_resource()


def _attached_arns(resources: Sequence[PolicyResource]) -> list[tuple[PolicyResource, str]]:
    found: list[tuple[PolicyResource, str]] = []
    for r in of_type(resources, *SINGLE_ATTACHMENTS):
        found.append((r, str(r.props.get("policyArn") or "")))
    for r in of_type(resources, *EXCLUSIVE_ATTACHMENTS):
        found += [(r, str(a)) for a in as_list(r.props.get("policyArns"))]
    for r in of_type(resources, ROLE):
        found += [(r, str(a)) for a in as_list(r.props.get("managedPolicyArns"))]
    return found


def _no_admin(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    def check(carrier: PolicyResource, statement: Statement) -> None:
        if _admin_statement(statement):
            judge.report(
                f"{statement.label} is admin-equivalent (every action, or every IAM action, on every resource)",
                carrier.urn,
            )

    _each_statement(args, judge, check)
    managed = [str(n) for n in as_list(config.get("adminPolicyNames", ADMIN_EQUIVALENT))]
    own_policies = {i: p for p in of_type(args.resources, POLICY) for i in identifiers(p, "arn", "id", "name")}
    for carrier, arn in _attached_arns(args.resources):

        def check_arn(carrier: PolicyResource = carrier, arn: str = arn) -> None:
            name = arn.rsplit("/", 1)[-1]
            if ":aws:policy/" in arn and name in managed:
                judge.report(f"attaches the AWS-managed admin-equivalent policy {name}", carrier.urn)
            elif arn in own_policies:
                statements = parse_statements(own_policies[arn].props.get("policy"))
                if any(s.allows and _admin_statement(s) for s in statements):
                    judge.report(f"attaches {own_policies[arn].name}, an admin-equivalent policy", carrier.urn)

        judge(carrier, carrier.name, check_arn)


def _no_wildcard_action(args: StackValidationArgs, _config: Mapping[str, Any], judge: Judge) -> None:
    def check(carrier: PolicyResource, statement: Statement) -> None:
        wild = statement.service_wide()
        if wild:
            judge.report(f"{statement.label} allows whole services {wild}; list exact actions", carrier.urn)

    _each_statement(args, judge, check)


def _is_read(pattern: str, read_prefixes: list[str]) -> bool:
    verb = pattern.split(":", 1)[-1]
    return not is_wildcard_only(verb) and any(verb.lower().startswith(p.lower()) for p in read_prefixes)


def _no_wildcard_write(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    allowed = {str(a).lower() for a in as_list(config.get("allowedActions", NO_RESOURCE_LEVEL_WRITES))}
    reads = [str(p) for p in as_list(config.get("readPrefixes", READ_PREFIXES))]

    def check(carrier: PolicyResource, statement: Statement) -> None:
        if not statement.applies_to_every_resource():
            return
        if statement.not_actions is not None:
            judge.report(
                f"{statement.label} allows everything but {list(statement.not_actions)} on every resource", carrier.urn
            )
            return
        writes = [a for a in statement.actions if a.lower() not in allowed and not _is_read(a, reads)]
        if writes:
            judge.report(f"{statement.label} allows {writes} on every resource", carrier.urn)

    _each_statement(args, judge, check)


def _on_wildcard_resources(args: StackValidationArgs, judge: Judge, actions: Any, what: str) -> None:
    """Report every statement that grants any of `actions` on a wildcard resource, as `<label> <what> ...`."""

    def check(carrier: PolicyResource, statement: Statement) -> None:
        granted = statement.granted(actions)
        wild = statement.wildcard_resources()
        if granted and wild:
            judge.report(f"{statement.label} {what} {granted} on {wild}", carrier.urn)

    _each_statement(args, judge, check)


def _escalation(args: StackValidationArgs, _config: Mapping[str, Any], judge: Judge) -> None:
    _on_wildcard_resources(args, judge, ESCALATION_ACTIONS, "allows privilege escalation")


def _secret_reads(args: StackValidationArgs, _config: Mapping[str, Any], judge: Judge) -> None:
    _on_wildcard_resources(args, judge, SECRET_ACTIONS, "reads every secret, parameter or key:")


def _audience_pinned(statement: Statement, key: str) -> bool:
    """A positive, non-wildcard comparison of `key` (not IfExists, not ForAllValues)."""
    return any(
        POSITIVE_OPERATORS.match(op) and k == key.lower() and values and not any(is_wildcard_only(v) for v in values)
        for op, k, values in statement.clauses()
    )


def _trust(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    roles = of_type(args.resources, ROLE)
    if not roles:
        args.not_applicable("the stack has no IAM roles")
    own, orgs, trusted = accounts_from(args.resources, config)
    for role in roles:

        def check(role: PolicyResource = role) -> None:
            for statement in parse_statements(role.props.get("assumeRolePolicy")):
                if not statement.allows:
                    continue
                narrowed = statement.narrowing(own, orgs)
                if statement.principal_is_public() and not narrowed:
                    judge.report(f"trust {statement.label} lets any AWS principal assume the role", role.urn)
                foreign = statement.foreign_accounts(own | trusted)
                if foreign and not any(k in ORG_KEYS for k in (n.split(" ")[0] for n in narrowed)):
                    judge.report(
                        f"trust {statement.label} lets account(s) {', '.join(foreign)} assume the role", role.urn
                    )
                for provider in statement.federated():
                    host = provider.split("oidc-provider/", 1)[-1] if "oidc-provider/" in provider else provider
                    saml = ":saml-provider/" in provider
                    key = "SAML:aud" if saml else FEDERATED_AUDIENCE.get(host, f"{host}:aud")
                    if not _audience_pinned(statement, key):
                        judge.report(f"trust {statement.label} federates {host} without pinning {key}", role.urn)

        judge(role, role.name, check)


def _github_trust(args: StackValidationArgs, _config: Mapping[str, Any], judge: Judge) -> None:
    roles = of_type(args.resources, ROLE)
    if not roles:
        args.not_applicable("the stack has no IAM roles")
    aud_key, sub_key = f"{GITHUB_HOST}:aud", f"{GITHUB_HOST}:sub"
    for role in roles:

        def check(role: PolicyResource = role) -> None:
            for statement in parse_statements(role.props.get("assumeRolePolicy")):
                if not statement.allows or not any(GITHUB_HOST in p for p in statement.federated()):
                    continue
                exact = {k: v for op, k, v in statement.clauses() if op == "StringEquals"}
                if exact.get(aud_key) != ["sts.amazonaws.com"]:
                    judge.report(
                        f"GitHub OIDC trust must pin {aud_key} with StringEquals to sts.amazonaws.com", role.urn
                    )
                loose = [v for op, k, vs in statement.clauses() if k == sub_key and op != "StringEquals" for v in vs]
                subjects = exact.get(sub_key, [])
                if loose or not subjects:
                    judge.report(
                        f"GitHub OIDC trust must pin {sub_key} with StringEquals (found {loose or 'none'})", role.urn
                    )
                for subject in subjects:
                    if not EXACT_SUBJECT.match(subject):
                        judge.report(
                            f"GitHub OIDC subject {subject!r} is not an exact repo:OWNER/NAME:... subject", role.urn
                        )

        judge(role, role.name, check)


NO_ADMIN = stack_rule(
    "iam-no-admin-equivalent",
    "Ensure no principal gets admin-equivalent permissions: an inline or managed document allowing every action "
    "(or every IAM action, or NotAction) on every resource, or an attached admin-equivalent managed policy, "
    "however it is attached.",
    _no_admin,
    severity=Severity.CRITICAL,
    remediation="Grant the exact actions on the exact resources the principal needs; do not attach "
    "AdministratorAccess, PowerUserAccess or IAMFullAccess.",
    schema={
        "adminPolicyNames": string_list_option(
            ADMIN_EQUIVALENT, "AWS-managed policy names treated as admin-equivalent."
        )
    },
)
NO_WILDCARD_ACTION = stack_rule(
    "iam-no-wildcard-action",
    "Ensure no IAM identity policy allows a whole service ('*', '*:*', 'service:*') or NotAction.",
    _no_wildcard_action,
    severity=Severity.HIGH,
    remediation="List the exact actions the principal needs; parliament flags unknown ones.",
)
NO_WILDCARD_WRITE = stack_rule(
    "iam-no-wildcard-resource-write",
    "Ensure no IAM identity policy allows a write action (any spelling, wildcards included) on every resource.",
    _no_wildcard_write,
    severity=Severity.HIGH,
    remediation="Scope write actions to the ARNs they act on; only actions without resource-level permissions "
    "belong in allowedActions.",
    schema={
        "allowedActions": string_list_option(
            NO_RESOURCE_LEVEL_WRITES, "Write actions allowed on '*' (AWS supports no narrower resource)."
        ),
        "readPrefixes": string_list_option(READ_PREFIXES, "Action-name prefixes treated as read-only."),
    },
)
ESCALATION = stack_rule(
    "iam-no-privilege-escalation",
    "Ensure no IAM identity policy allows privilege-escalation actions (iam:PassRole, attach/put policies, policy "
    "versions, access keys, login profiles, sts:AssumeRole...) on wildcard resources.",
    _escalation,
    severity=Severity.CRITICAL,
    remediation="Scope iam:PassRole and the other actions to the exact role/user/policy ARNs.",
)
SECRET_READS = stack_rule(
    "iam-no-read-all-secrets",
    "Ensure no IAM identity policy reads every secret, parameter or key (GetSecretValue, GetParameter*, kms:Decrypt "
    "on wildcard resources).",
    _secret_reads,
    severity=Severity.HIGH,
    remediation="Scope secret, parameter and decrypt permissions to the ARNs the principal uses.",
)
TRUST = stack_rule(
    "iam-role-trust-scoped",
    "Ensure no role trust policy lets any AWS principal or another account assume the role, and every federated "
    "trust pins its audience.",
    _trust,
    severity=Severity.CRITICAL,
    remediation="Trust specific roles of this account or service principals with aws:SourceAccount; pin "
    "<provider>:aud (SAML:aud) with StringEquals; list reviewed accounts in trustedAccounts.",
    schema=ACCOUNTS_SCHEMA,
)
GITHUB_OIDC_TRUST = stack_rule(
    "iam-github-oidc-trust",
    "Ensure a role trusted by GitHub Actions OIDC pins aud to sts.amazonaws.com and sub to exact repository "
    "subjects without wildcards.",
    _github_trust,
    severity=Severity.CRITICAL,
    remediation="StringEquals on token.actions.githubusercontent.com:aud = sts.amazonaws.com and :sub = "
    "repo:OWNER/NAME:environment:ENV.",
)

POLICIES = [NO_ADMIN, NO_WILDCARD_ACTION, NO_WILDCARD_WRITE, ESCALATION, SECRET_READS, TRUST, GITHUB_OIDC_TRUST]
