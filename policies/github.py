"""GitHub rules: secrets through the right fields, no secret in a plain variable, reviewed production
deployments, read-only default token, protected default branch, and committed workflow files (and the
composite actions they use) that a reviewer would accept (policies/workflows.py models them).

Secretness itself is invisible here: the engine hands policies unwrapped values, so a rule cannot tell a
Pulumi secret from a plain string; it checks the fields and the shapes of values instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from .common import (
    Judge,
    StackCheck,
    as_list,
    integer_option,
    of_type,
    resource_rule,
    stack_rule,
    string_list_option,
    truthy,
    value_at,
)
from .workflows import ActionFile, is_pinned, local_action_path, parse_file, permission_writes

# Types with the current `value` / `valueEncrypted` fields (plaintextValue / encryptedValue are deprecated).
VALUE_SECRET_TYPES = (
    "github:index/actionsSecret:ActionsSecret",
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    "github:index/dependabotSecret:DependabotSecret",
    "github:index/dependabotOrganizationSecret:DependabotOrganizationSecret",
)
# Codespaces secrets only have plaintextValue / encryptedValue (both marked secret by the provider).
CODESPACES_SECRET_TYPES = (
    "github:index/codespacesSecret:CodespacesSecret",
    "github:index/codespacesOrganizationSecret:CodespacesOrganizationSecret",
    "github:index/codespacesUserSecret:CodespacesUserSecret",
)
VARIABLE_TYPES = (
    "github:index/actionsVariable:ActionsVariable",
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    "github:index/actionsOrganizationVariable:ActionsOrganizationVariable",
)
WORKFLOW_PERMISSION_TYPES = (
    "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions",
    "github:index/actionsOrganizationWorkflowPermissions:ActionsOrganizationWorkflowPermissions",
    "github:index/enterpriseActionsWorkflowPermissions:EnterpriseActionsWorkflowPermissions",
)
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile"
REPOSITORY = "github:index/repository:Repository"
BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection"
BRANCH_PROTECTION_V3 = "github:index/branchProtectionV3:BranchProtectionV3"
RULESET = "github:index/repositoryRuleset:RepositoryRuleset"
REPOSITORY_WIDE = (REPOSITORY, REPOSITORY_FILE, BRANCH_PROTECTION, BRANCH_PROTECTION_V3, RULESET)
REPOSITORY_SCOPED = (*VALUE_SECRET_TYPES, ENVIRONMENT, REPOSITORY_FILE, *VARIABLE_TYPES)
SECRET_NAME = re.compile(
    r"(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|PWD|PASSPHRASE|PRIVATE_KEY|API_KEY|APIKEY|ACCESS_KEY|SECRET_KEY|"
    r"SERVICE_ROLE_KEY|CLIENT_SECRET|CREDENTIALS?|WEBHOOK(_URL)?|SIGNING_KEY|ENCRYPTION_KEY|DSN)(_|$)|(^|_)KEY$",
    re.I,
)
PUBLIC_NAME = re.compile(
    r"PUBLIC|PUBLISHABLE|ANON|CACHE|PARTITION|SORT_KEY|PRIMARY_KEY|IDEMPOTENCY|_ID$|_ARN$|_NAME$|_URL$|_PREFIX$", re.I
)
SECRET_VALUE = re.compile(
    r"(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|"
    r"xox[abprs]-[A-Za-z0-9-]{10,}|[sr]k_(live|test)_[A-Za-z0-9]{10,}|sk-[A-Za-z0-9_-]{20,}|sbp_[a-f0-9]{20,}|"
    r"AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"hooks\.slack\.com/services/|://[^/\s:@]+:[^/\s@]+@)"
)
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")


def _secret_fields(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    keys = set(args.props)  # keys only: the values may be unknown during preview
    if args.resource_type in CODESPACES_SECRET_TYPES:
        if not keys & {"plaintextValue", "encryptedValue"}:
            report("has no value: pass a Pulumi secret to `plaintext_value` (or encrypted_value)", None)
        return
    deprecated = sorted(keys & {"plaintextValue", "encryptedValue"})
    if deprecated:
        report(
            f"uses the deprecated {', '.join(deprecated)}; pass a Pulumi secret to `value` (or value_encrypted)", None
        )
    elif not keys & {"value", "valueEncrypted"}:
        report("has no value: pass a Pulumi secret to `value`", None)


def _plain_variables(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    name = str(args.props.get("variableName") or "")
    value = str(args.props.get("value") or "")
    public = PUBLIC_NAME.search(name) is not None
    if SECRET_NAME.search(name) and not public:
        report(f"variable {name} is named like a secret; variables are readable by anyone with read access", None)
    elif SECRET_VALUE.search(value) or (JWT.search(value) and not public):
        # Never quote the value: it may be the credential.
        report(f"variable {name} holds a value shaped like a credential; store it as a secret", None)


def _environment_reviewers(args: ResourceValidationArgs, config: Mapping[str, Any], report: ReportViolation) -> None:
    if args.props.get("environment") not in as_list(config.get("productionEnvironments", ["production"])):
        return
    reviewers = [
        i
        for block in as_list(args.props.get("reviewers"))
        for i in as_list(value_at(block, "users")) + as_list(value_at(block, "teams"))
    ]
    if not reviewers:
        report("production environment has no required reviewers (users or teams)", None)
    if config.get("requirePreventSelfReview", True) and not truthy(args.props.get("preventSelfReview")):
        report("production environment lets the author approve their own deployment (preventSelfReview)", None)


def _default_token(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    if str(args.props.get("defaultWorkflowPermissions") or "").lower() == "write":
        report("default GITHUB_TOKEN permissions are write: every workflow without `permissions` can push", None)
    if truthy(args.props.get("canApprovePullRequestReviews")):
        report("workflows may approve pull requests, bypassing required reviews", None)


def action_files(args: StackValidationArgs) -> list[tuple[PolicyResource, ActionFile]]:
    found = []
    for resource in of_type(args.resources, REPOSITORY_FILE):
        model = parse_file(str(resource.props.get("file") or ""), resource.props.get("content"))
        if model is not None:
            found.append((resource, model))
    return found


Files = list[tuple[PolicyResource, ActionFile]]
# What is wrong, and the committed file it is reported on.
Findings = Iterator[tuple[PolicyResource, str]]
FileCheck = Callable[[PolicyResource, ActionFile, Files], Findings]


def _judge_files(args: StackValidationArgs, judge: Judge, findings: FileCheck) -> None:
    """Judge each committed workflow or action file by what `findings` yields for it."""
    files = action_files(args)
    if not files:
        args.not_applicable("the stack commits no workflow or action files")
    for resource, model in files:

        def judge_file(resource: PolicyResource = resource, model: ActionFile = model) -> None:
            for subject, message in findings(resource, model, files):
                judge.report(message, subject.urn)

        judge(resource, model.path, judge_file)


def _each_file(findings: FileCheck) -> StackCheck:
    """A stack rule's check that needs no config: `findings` on every committed workflow or action file."""
    return lambda args, _config, judge: _judge_files(args, judge, findings)


def _unpinned(resource: PolicyResource, model: ActionFile, files: Files) -> Findings:
    if model.error:
        yield resource, f"{model.path} is {model.error}: it cannot be judged"
        return
    repository = resource.props.get("repository")
    for where, reference in model.uses():
        if not is_pinned(reference):
            yield resource, f"{where}: '{reference}' is not pinned to a full commit SHA"
        local = local_action_path(reference)
        if local is None:
            continue
        # A local composite action committed by the stack: its own uses must be pinned too.
        for other, action in files:
            same_repo = other.props.get("repository") == repository
            if same_repo and action.kind == "action" and action.path.rsplit("/", 1)[0] == local:
                for inner_where, inner in action.uses():
                    if not is_pinned(inner):
                        yield other, f"{inner_where} (used by {where}): '{inner}' is not pinned to a full commit SHA"


def _permissions(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    max_writes = int(config.get("maxJobWriteScopes", 4))
    max_workflow_writes = int(config.get("maxWorkflowWriteScopes", 2))

    def findings(resource: PolicyResource, model: ActionFile, _files: Files) -> Findings:
        if model.kind != "workflow" or model.error:
            return
        jobs = model.jobs
        if model.permissions is None and any(j.permissions is None for j in jobs):
            yield resource, f"{model.path}: declare `permissions` at the top level or on every job"
        top = permission_writes(model.permissions) or []
        if len(top) > max_workflow_writes:
            yield (
                resource,
                f"{model.path}: workflow-wide permissions grant write to {len(top)} scopes ({', '.join(top)}); "
                "grant writes per job",
            )
        for job in jobs:
            writes = permission_writes(job.permissions) or []
            if len(writes) > max_writes:
                yield (
                    resource,
                    f"{model.path} job {job.name}: permissions grant write to {len(writes)} scopes "
                    f"({', '.join(writes)})",
                )

    _judge_files(args, judge, findings)


def _untrusted_checkouts(resource: PolicyResource, model: ActionFile, _files: Files) -> Findings:
    for step in model.untrusted_checkouts():
        yield (
            resource,
            f"{step.where}: checks out the pull request's code in a privileged "
            f"{'/'.join(sorted(model.triggers))} run (secrets and a write token are exposed to it)",
        )


def _injections(resource: PolicyResource, model: ActionFile, _files: Files) -> Findings:
    for job in model.jobs:
        for step in job.steps:
            expressions = step.expands_untrusted()
            if expressions:
                yield (
                    resource,
                    f"{step.where}: expands {expressions} inside a script; pass it through `env:` and quote the "
                    "variable",
                )


def _protected_default_branch(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    resources = args.resources
    if not of_type(resources, *REPOSITORY_WIDE):
        args.not_applicable("the stack manages no repository-wide settings (another stack owns branch protection)")
    branch = str(config.get("defaultBranch", "main"))
    skip = {str(s) for s in as_list(config.get("protectedElsewhere", []))}
    node_ids = {str(r.props.get("nodeId")): str(r.props.get("name")) for r in of_type(resources, REPOSITORY)}
    repositories = {str(r.props.get("name")): r.urn for r in of_type(resources, REPOSITORY)}
    for r in sorted(of_type(resources, *REPOSITORY_SCOPED), key=lambda r: r.urn):
        if r.props.get("repository"):
            repositories.setdefault(str(r.props.get("repository")), r.urn)
    protected: set[str] = set()
    for r in of_type(resources, BRANCH_PROTECTION):
        if r.props.get("pattern") == branch:
            repo = str(r.props.get("repositoryId"))
            protected.add(node_ids.get(repo, repo))
    for r in of_type(resources, BRANCH_PROTECTION_V3):
        if r.props.get("branch") == branch:
            protected.add(str(r.props.get("repository")))
    for r in of_type(resources, RULESET):
        includes = [str(i) for i in as_list(value_at(r.props.get("conditions"), "refName", "includes"))]
        if (
            r.props.get("target") == "branch"
            and r.props.get("enforcement") == "active"
            and set(includes) & {"~DEFAULT_BRANCH", "~ALL", f"refs/heads/{branch}"}
        ):
            protected.add(str(r.props.get("repository")))
    for repository in sorted(set(repositories) - protected - skip):
        judge.report(
            f"repository {repository}: branch {branch} has no BranchProtection or active ruleset",
            repositories[repository],
        )


SECRET_VALUE_FIELD = resource_rule(
    "github-secret-value-field",
    "Ensure every GitHub secret (Actions, environment, organisation, Dependabot, Codespaces) gets its value "
    "through its secret field, never the deprecated plaintextValue/encryptedValue where `value` exists.",
    (*VALUE_SECRET_TYPES, *CODESPACES_SECRET_TYPES),
    _secret_fields,
    severity=Severity.HIGH,
    remediation="Pass a Pulumi secret (config set --secret) to `value=` (Codespaces: `plaintext_value=`).",
)
PLAIN_VARIABLE = resource_rule(
    "github-variable-not-secret",
    "Ensure no GitHub Actions variable (repository, environment, organisation) is named like a secret or holds a "
    "credential-shaped value: variables are plain text to every reader.",
    VARIABLE_TYPES,
    _plain_variables,
    severity=Severity.HIGH,
    remediation="Store the value as an Actions secret (github.ActionsSecret with a Pulumi secret) instead.",
)
ENVIRONMENT_REVIEWERS = resource_rule(
    "github-production-environment-reviewers",
    "Ensure production deployment environments require reviewers and prevent self-review.",
    (ENVIRONMENT,),
    _environment_reviewers,
    severity=Severity.HIGH,
    remediation="Set reviewers [{users|teams: [ids]}] and prevent_self_review=True on the github.RepositoryEnvironment.",
    schema={
        "productionEnvironments": string_list_option(
            ["production"], "GitHub environment names that deploy to production."
        ),
        "requirePreventSelfReview": {"type": "boolean", "default": True},
    },
)
DEFAULT_TOKEN = resource_rule(
    "github-default-workflow-permissions",
    "Ensure the default GITHUB_TOKEN of a repository, organisation or enterprise is read-only and cannot approve "
    "pull requests.",
    WORKFLOW_PERMISSION_TYPES,
    _default_token,
    severity=Severity.HIGH,
    remediation="Set default_workflow_permissions='read' and can_approve_pull_request_reviews=False.",
)
PINNED_ACTIONS = stack_rule(
    "github-workflow-pinned-actions",
    "Ensure committed workflows, and the local composite actions they use, pin every action and reusable workflow "
    "to a full commit SHA.",
    _each_file(_unpinned),
    severity=Severity.HIGH,
    remediation="Replace `uses: owner/action@vN` with `owner/action@<40-hex SHA> # vN`.",
)
WORKFLOW_PERMISSIONS = stack_rule(
    "github-workflow-permissions",
    "Ensure committed workflows declare explicit `permissions`, the workflow-wide grant writes to at most "
    "maxWorkflowWriteScopes scopes (it reaches every job) and no job to more than maxJobWriteScopes (write-all "
    "counts as every scope).",
    _permissions,
    severity=Severity.MEDIUM,
    remediation="Set `permissions: {}` (or contents: read) at the top and grant each job only the writes it needs.",
    schema={
        "maxJobWriteScopes": integer_option(4, "Most scopes one job may write to.", minimum=0),
        "maxWorkflowWriteScopes": integer_option(
            2, "Most scopes the workflow-wide permissions may write to (they reach every job).", minimum=0
        ),
    },
)
UNTRUSTED_CHECKOUT = stack_rule(
    "github-workflow-untrusted-checkout",
    "Ensure no pull_request_target, workflow_run or issue_comment workflow checks out the pull request's head.",
    _each_file(_untrusted_checkouts),
    severity=Severity.CRITICAL,
    remediation="Use the pull_request trigger for code from forks, or check out the base ref only.",
)
INJECTION = stack_rule(
    "github-workflow-script-injection",
    "Ensure no `run:` script (or github-script body) expands untrusted expressions such as "
    "${{ github.event.* }} or ${{ github.head_ref }} directly.",
    _each_file(_injections),
    severity=Severity.HIGH,
    remediation='Pass the value through `env:` (FOO: ${{ github.event... }}) and use "$FOO" in the script.',
)
DEFAULT_BRANCH_PROTECTED = stack_rule(
    "github-default-branch-protected",
    "Ensure every repository a stack manages repository-wide settings for has its default branch protected by "
    "a BranchProtection or an active ruleset.",
    _protected_default_branch,
    severity=Severity.HIGH,
    remediation="Add a github.BranchProtection with pattern 'main', or list the repository in protectedElsewhere.",
    schema={
        "defaultBranch": {"type": "string", "default": "main"},
        "protectedElsewhere": string_list_option([], "Repository names whose protection another stack or the UI owns."),
    },
)

POLICIES = [
    SECRET_VALUE_FIELD,
    PLAIN_VARIABLE,
    ENVIRONMENT_REVIEWERS,
    DEFAULT_TOKEN,
    PINNED_ACTIONS,
    WORKFLOW_PERMISSIONS,
    UNTRUSTED_CHECKOUT,
    INJECTION,
    DEFAULT_BRANCH_PROTECTED,
]
