"""GitHub deployment environments of one stack: who may deploy, from which branch, after whose approval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_github as github

from components.github_oidc import backup_environment, deploy_environment, restore_environment
from components.settings.base import Environment
from components.settings.github import DEFAULT_BRANCH, GitHubSettings, Reviewers

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
    name: str, repository: str, spec: EnvironmentSpec, opts: pulumi.ResourceOptions
) -> github.RepositoryEnvironment:
    """The environment plus its single-branch deployment policy."""
    reviewers = spec.reviewers
    has_reviewers = bool(reviewers.users or reviewers.teams)
    env = github.RepositoryEnvironment(
        name,
        repository=repository,
        environment=spec.name,
        reviewers=[{"users": list(reviewers.users), "teams": list(reviewers.teams)}] if has_reviewers else None,
        prevent_self_review=True,
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
