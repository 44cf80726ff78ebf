"""GitHub rules: secret values through the current provider fields, reviewed production deployments, pinned and
least-privilege workflow files, and a protected default branch.

Secretness itself is invisible here: the engine hands policies unwrapped values, so a rule cannot tell a Pulumi
secret from a plain string. The provider marks all secret value fields as secret outputs anyway; what a rule can
check is that the deprecated `plaintextValue` / `encryptedValue` fields are not used (tests on the recorded plan
assert the inputs arrive secret-wrapped).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import StackView, as_list, get, truthy

SECRET_TYPES = (
    "github:index/actionsSecret:ActionsSecret",
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    "github:index/dependabotSecret:DependabotSecret",
)
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile"
REPOSITORY = "github:index/repository:Repository"
BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection"
BRANCH_PROTECTION_V3 = "github:index/branchProtectionV3:BranchProtectionV3"
RULESET = "github:index/repositoryRuleset:RepositoryRuleset"
# Resources that own repository-wide state; a stack without any of them (staging) leaves protection to another.
REPOSITORY_WIDE = (REPOSITORY, REPOSITORY_FILE, BRANCH_PROTECTION, BRANCH_PROTECTION_V3, RULESET)
REPOSITORY_SCOPED = (*SECRET_TYPES, ENVIRONMENT, REPOSITORY_FILE, "github:index/actionsVariable:ActionsVariable")
PINNED = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
PINNED_DOCKER = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")


def _secret_fields(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in SECRET_TYPES:
        return
    keys = set(args.props)  # iterate keys only: the values may be unknown during preview
    deprecated = sorted(keys & {"plaintextValue", "encryptedValue"})
    if deprecated:
        report(
            f"uses the deprecated {', '.join(deprecated)}; pass a Pulumi secret to `value` (or value_encrypted)", None
        )
    elif not keys & {"value", "valueEncrypted"}:
        report("has no value: pass a Pulumi secret to `value`", None)


def _environment_reviewers(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != ENVIRONMENT:
        return
    config = args.get_config() or {}
    if args.props.get("environment") not in as_list(config.get("productionEnvironments", ["production"])):
        return
    reviewers = [
        i
        for block in as_list(args.props.get("reviewers"))
        for i in as_list(get(block, "users")) + as_list(get(block, "teams"))
    ]
    if not reviewers:
        report("production environment has no required reviewers (users or teams)", None)
    if config.get("requirePreventSelfReview", True) and not truthy(args.props.get("preventSelfReview")):
        report("production environment lets the author approve their own deployment (preventSelfReview)", None)


def workflow(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    """The parsed workflow of a committed `.github/workflows/*.yml` file, or None for other resources."""
    if args.resource_type != REPOSITORY_FILE:
        return None
    path = str(args.props.get("file") or "")
    if not path.startswith(".github/workflows/") or not path.endswith((".yml", ".yaml")):
        return None
    try:
        parsed = yaml.safe_load(str(args.props.get("content") or ""))
    except yaml.YAMLError:
        parsed = None
    return parsed if isinstance(parsed, Mapping) else {}


def _jobs(doc: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    jobs = doc.get("jobs")
    return [(str(k), v) for k, v in jobs.items() if isinstance(v, Mapping)] if isinstance(jobs, Mapping) else []


def _pinned_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    doc = workflow(args)
    if doc is None:
        return
    if not doc:
        report(f"{args.props.get('file')} is not a readable workflow (YAML mapping)", None)
        return
    for job_name, job in _jobs(doc):
        uses = [job.get("uses")] + [get(step, "uses") for step in as_list(job.get("steps"))]
        for ref in (str(u) for u in uses if u):
            if ref.startswith("./") or PINNED.match(ref) or PINNED_DOCKER.match(ref):
                continue
            report(f"{args.props.get('file')} job {job_name}: '{ref}' is not pinned to a full commit SHA", None)


def _workflow_permissions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    doc = workflow(args)
    if not doc:
        return
    jobs = _jobs(doc)
    top = doc.get("permissions")
    if top is None and any(job.get("permissions") is None for _, job in jobs):
        report(f"{args.props.get('file')}: declare `permissions` at the top level or on every job", None)
    for where, value in [("workflow", top)] + [(f"job {n}", j.get("permissions")) for n, j in jobs]:
        if value == "write-all":
            report(f"{args.props.get('file')} {where}: permissions write-all", None)


def _protected_default_branch(args: StackValidationArgs, report: ReportViolation) -> None:
    config = args.get_config() or {}
    view = StackView(args.resources)
    if not view.of_type(*REPOSITORY_WIDE):
        args.not_applicable("the stack manages no repository-wide settings (another stack owns branch protection)")
    branch = str(config.get("defaultBranch", "main"))
    skip = set(as_list(config.get("protectedElsewhere", [])))
    node_ids = {str(r.props.get("nodeId")): str(r.props.get("name")) for r in view.of_type(REPOSITORY)}
    repositories = {str(r.props.get("name")): r.urn for r in view.of_type(REPOSITORY)}
    # Sorted: the engine's resource order is not guaranteed, the reported URN should be.
    for r in sorted(view.of_type(*REPOSITORY_SCOPED), key=lambda r: r.urn):
        if r.props.get("repository"):
            repositories.setdefault(str(r.props.get("repository")), r.urn)
    protected: set[str] = set()
    for r in view.of_type(BRANCH_PROTECTION):
        if r.props.get("pattern") == branch:
            repo = str(r.props.get("repositoryId"))
            protected.add(node_ids.get(repo, repo))
    for r in view.of_type(BRANCH_PROTECTION_V3):
        if r.props.get("branch") == branch:
            protected.add(str(r.props.get("repository")))
    for r in view.of_type(RULESET):
        includes = [str(i) for i in as_list(get(r.props.get("conditions"), "refName", "includes"))]
        targets_branch = r.props.get("target") == "branch" and r.props.get("enforcement") == "active"
        if targets_branch and set(includes) & {"~DEFAULT_BRANCH", "~ALL", f"refs/heads/{branch}"}:
            protected.add(str(r.props.get("repository")))
    for repository in sorted(set(repositories) - protected - skip):
        report(
            f"repository {repository}: branch {branch} has no BranchProtection or active ruleset",
            repositories[repository],
        )


SECRET_VALUE_FIELD = ResourceValidationPolicy(
    name="github-secret-value-field",
    description="Ensure GitHub Actions secrets get their value through `value`/`valueEncrypted` (secret in state), "
    "never the deprecated plaintextValue/encryptedValue.",
    validate=_secret_fields,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Pass a Pulumi secret (config set --secret, LoadedConfig.secrets) to `value=`.",
)
ENVIRONMENT_REVIEWERS = ResourceValidationPolicy(
    name="github-production-environment-reviewers",
    description="Ensure production deployment environments require reviewers and prevent self-review.",
    validate=_environment_reviewers,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Set reviewers [{users|teams: [numeric ids]}] and prevent_self_review=True on the "
    "github.RepositoryEnvironment (github.reviewers in the production stack file).",
    config_schema=PolicyConfigSchema(
        properties={
            "productionEnvironments": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["production"],
                "description": "GitHub environment names that deploy to production.",
            },
            "requirePreventSelfReview": {"type": "boolean", "default": True},
        }
    ),
)
PINNED_ACTIONS = ResourceValidationPolicy(
    name="github-workflow-pinned-actions",
    description="Ensure committed workflow files pin every action and reusable workflow to a full commit SHA.",
    validate=_pinned_actions,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Replace `uses: owner/action@vN` with `owner/action@<40-hex SHA> # vN` "
    "(components/workflows/pinned_actions.json lists the pins the program uses).",
)
WORKFLOW_PERMISSIONS = ResourceValidationPolicy(
    name="github-workflow-permissions",
    description="Ensure committed workflow files declare explicit `permissions` (workflow or every job), never "
    "write-all.",
    validate=_workflow_permissions,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps="Add `permissions: {contents: read}` at the top and grant writes per job only where needed.",
)
DEFAULT_BRANCH_PROTECTED = StackValidationPolicy(
    name="github-default-branch-protected",
    description="Ensure every repository a stack manages repository-wide settings for has its default branch "
    "protected by a BranchProtection or an active ruleset.",
    validate=_protected_default_branch,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Add a github.BranchProtection with pattern 'main' (manage_repository_settings: true), or list "
    "the repository in protectedElsewhere when another stack owns its protection.",
    config_schema=PolicyConfigSchema(
        properties={
            "defaultBranch": {"type": "string", "default": "main"},
            "protectedElsewhere": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Repository names whose protection another stack or the GitHub UI owns.",
            },
        }
    ),
)

POLICIES = [
    SECRET_VALUE_FIELD,
    ENVIRONMENT_REVIEWERS,
    PINNED_ACTIONS,
    WORKFLOW_PERMISSIONS,
    DEFAULT_BRANCH_PROTECTED,
]
