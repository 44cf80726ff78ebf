"""GitHub deployment environments of one stack: who may deploy, from which branch, after whose approval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_github as github

from components.settings.base import Environment
from components.settings.github import DEFAULT_BRANCH, GitHubSettings, RepositoryEntry, Reviewers, enforces_reviewers

from .oidc import backup_environment, deploy_environment, restore_environment

Role = Literal["deploy", "backup", "restore"]


@dataclass(frozen=True)
class EnvironmentSpec:
    role: Role
    name: str  # the GitHub environment name, also the OIDC subject's environment
    branch: str  # the only branch whose workflows may use this environment
    reviewers: Reviewers
    wait_timer_minutes: int


def environment_specs(settings: GitHubSettings, environment: Environment) -> tuple[EnvironmentSpec, ...]:
    """The deploy environment, and the backup and restore-drill environments.

    The scheduled jobs get no reviewers (a schedule cannot wait for an approval) and run on the
    default branch only, which is where GitHub runs scheduled workflows.
    """
    none = Reviewers()
    return (
        EnvironmentSpec(
            "deploy",
            deploy_environment(environment),
            settings.deploy_branch,
            settings.reviewers,
            settings.wait_timer_minutes,
        ),
        EnvironmentSpec("backup", backup_environment(environment), DEFAULT_BRANCH, none, 0),
        EnvironmentSpec("restore", restore_environment(environment), DEFAULT_BRANCH, none, 0),
    )


def create_environment(
    name: str, repository: str, spec: EnvironmentSpec, opts: pulumi.ResourceOptions, *, protection_rules: bool = True
) -> github.RepositoryEnvironment:
    """The environment plus its single-branch deployment policy.

    `protection_rules` is False where GitHub enforces no required reviewers or wait timer (private
    repositories below Enterprise): the settings refuse both there, and the environment is sent without
    the review options, so that its deployment-branch policy to the protected deploy branch is the gate.
    """
    reviewers = spec.reviewers
    env = github.RepositoryEnvironment(
        name,
        repository=repository,
        environment=spec.name,
        reviewers=[{"users": list(reviewers.users), "teams": list(reviewers.teams)}] if reviewers.has_any else None,
        prevent_self_review=True if protection_rules else None,
        can_admins_bypass=False,
        wait_timer=spec.wait_timer_minutes or None,
        deployment_branch_policy={"protected_branches": False, "custom_branch_policies": True},
        opts=opts,
    )
    github.RepositoryEnvironmentDeploymentPolicy(
        f"{name}-branch",
        repository=repository,
        environment=env.environment,
        branch_pattern=spec.branch,
        opts=opts,
    )
    return env


def deploy_gate(settings: GitHubSettings, entry: RepositoryEntry) -> str:
    """What this stack makes a deployment of the repository wait for (an output, so nobody has to guess)."""
    if settings.reviewers.has_any and enforces_reviewers(settings.plan, entry.visibility):
        return "required reviewers on the deploy environment"
    branch = settings.deploy_branch
    if settings.manage_repository_settings and branch in settings.branch_protection.branches:
        return f"reviewed pull requests into the protected {branch} branch, the only branch the environment accepts"
    return f"deployment-branch policy only: the environment accepts {branch} and nothing else"
