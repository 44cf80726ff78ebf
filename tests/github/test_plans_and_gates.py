"""GitHub plans, repository visibility and production's deployment gate.

GitHub's rules (docs: "Managing environments for deployment", "About protected branches"): environments,
environment secrets and deployment-branch policies exist for public repositories on every plan and for
private ones on Pro, Team and Enterprise; required reviewers and wait timers for private repositories only
on Enterprise; at most six reviewers, users and teams together. Where reviewers would not be enforced the
settings refuse them, and production is gated by the protected deploy branch instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.settings.github import enforces_reviewers, has_environments
from tests.github.support import GITHUB, github_resources
from tests.support.programs import evaluate_with
from tests.support.settings import problems_with_area, settings_with_area
from tests.support.stack_files import NAMESPACE

PLANS = ("free", "pro", "team", "enterprise")


@pytest.mark.parametrize(
    ("plan", "visibility", "environments", "reviewers"),
    [
        ("free", "public", True, True),
        ("free", "private", False, False),
        ("pro", "public", True, True),
        ("pro", "private", True, False),
        ("team", "public", True, True),
        ("team", "private", True, False),
        ("team", "internal", True, False),
        ("enterprise", "public", True, True),
        ("enterprise", "private", True, True),
        ("enterprise", "internal", True, True),
    ],
)
def test_plan_features_match_github(plan: Any, visibility: Any, environments: bool, reviewers: bool) -> None:
    assert has_environments(plan, visibility) is environments
    assert enforces_reviewers(plan, visibility) is reviewers


def _on_plan(plan: str, visibility: str) -> Any:
    def edit(github: dict[str, Any]) -> None:
        github["plan"] = plan
        github["repositories"] = [{"name": "lodgetix/lodgetix-app", "visibility": visibility}]

    return edit


@pytest.mark.parametrize("plan", ["pro", "team"])
def test_reviewers_on_a_private_repository_below_enterprise_are_refused_with_the_alternative(plan: str) -> None:
    [problem] = problems_with_area("production", "github", _on_plan(plan, "private"))
    assert problem == (
        f"{GITHUB}.reviewers: GitHub does not enforce required reviewers on the {plan} plan for"
        " lodgetix/lodgetix-app (private); remove it: the deployment gate is then the protected deploy branch"
        " (required reviews, and the environment restricted to that branch), or make the repository public,"
        " or use the enterprise plan"
    )


def test_a_wait_timer_without_reviewers_is_refused_too() -> None:
    def edit(github: dict[str, Any]) -> None:
        _on_plan("team", "private")(github)
        del github["reviewers"]

    [problem] = problems_with_area("production", "github", edit)
    assert problem.startswith(f"{GITHUB}.wait_timer_minutes: GitHub does not enforce wait timers on the team plan")


@pytest.mark.parametrize("plan", PLANS)
def test_public_repositories_keep_reviewers_on_every_plan(plan: str) -> None:
    settings = settings_with_area("production", "github", _on_plan(plan, "public"))
    assert settings.github.reviewers.teams == [7261534]


def test_a_private_repository_on_free_is_refused_whatever_else_is_set() -> None:
    def edit(github: dict[str, Any]) -> None:
        _on_plan("free", "private")(github)
        github["reviewers"] = {}
        github["wait_timer_minutes"] = 0

    [problem] = problems_with_area("staging", "github", edit)
    assert problem.startswith(
        f"{GITHUB}.repositories[0].visibility: 'lodgetix/lodgetix-app' is private on the free plan, where GitHub has"
        " no environments"
    )


def test_internal_repositories_need_enterprise() -> None:
    [problem] = problems_with_area("staging", "github", _on_plan("team", "internal"))
    assert problem == f"{GITHUB}.repositories[0].visibility: internal repositories exist only on the enterprise plan"


def test_a_plain_name_is_a_private_repository() -> None:
    """The shorthand assumes the stricter case, so a Team-plan copy of production fails instead of losing its gate."""

    def edit(github: dict[str, Any]) -> None:
        github["plan"] = "team"
        github["repositories"] = ["lodgetix/lodgetix-app"]

    [problem] = problems_with_area("production", "github", edit)
    assert problem.startswith(f"{GITHUB}.reviewers: GitHub does not enforce required reviewers on the team plan")


def _branch_gated(github: dict[str, Any]) -> None:
    _on_plan("team", "private")(github)
    del github["reviewers"]
    del github["wait_timer_minutes"]


def test_production_on_team_private_is_gated_by_the_protected_deploy_branch() -> None:
    settings = settings_with_area("production", "github", _branch_gated)
    assert settings.github.manage_repository_settings
    assert "main" in settings.github.branch_protection.branches
    assert settings.github.branch_protection.required_approvals >= 1


def test_production_without_any_gate_is_refused() -> None:
    def unowned(github: dict[str, Any]) -> None:
        _branch_gated(github)
        github["manage_repository_settings"] = False

    def unprotected(github: dict[str, Any]) -> None:
        _branch_gated(github)
        github["branch_protection"]["branches"] = ["develop"]

    [problem] = problems_with_area("production", "github", unowned)
    assert problem.startswith(f"{GITHUB}.manage_repository_settings: must be true in production while GitHub")
    [problem] = problems_with_area("production", "github", unprotected)
    assert (
        problem
        == f"{GITHUB}.branch_protection.branches: must include main: its required reviews are production's deployment gate"
    )


def test_production_with_enforced_reviewers_still_needs_one() -> None:
    def edit(github: dict[str, Any]) -> None:
        del github["reviewers"]

    assert problems_with_area("production", "github", edit) == [
        f"{GITHUB}.reviewers: production deployments need at least one reviewer (IF-007)"
    ]


def test_mixed_visibility_refuses_reviewers_naming_only_the_unenforced_repository() -> None:
    def edit(github: dict[str, Any]) -> None:
        github["plan"] = "team"
        github["repositories"] = [
            {"name": "lodgetix/lodgetix-app", "visibility": "public"},
            {"name": "lodgetix/internal-tools", "visibility": "private"},
        ]

    [problem] = problems_with_area("production", "github", edit)
    assert "for lodgetix/internal-tools (private);" in problem
    assert "lodgetix-app" not in problem


@pytest.mark.parametrize(("users", "teams"), [([1, 2, 3, 4], [5, 6, 7]), ([1], [2, 3, 4, 5, 6, 7])])
def test_at_most_six_reviewers_users_and_teams_together(users: list[int], teams: list[int]) -> None:
    def edit(github: dict[str, Any]) -> None:
        github["reviewers"] = {"users": users, "teams": teams}

    assert problems_with_area("production", "github", edit) == [
        f"{GITHUB}.reviewers.teams: 7 reviewers in total; GitHub allows at most 6 users and teams together"
    ]


def test_six_reviewers_in_total_are_accepted() -> None:
    settings = settings_with_area(
        "production", "github", lambda github: github.update(reviewers={"users": [1, 2, 3], "teams": [4, 5, 6]})
    )
    assert len(settings.github.reviewers.users) + len(settings.github.reviewers.teams) == 6


def test_the_plan_is_required() -> None:
    assert problems_with_area("staging", "github", lambda github: github.pop("plan")) == [
        f"{GITHUB}.plan: is required but not set"
    ]


def test_a_branch_gated_production_plan_registers_the_gate(tmp_path: Path) -> None:
    evaluation = evaluate_with(tmp_path, "production", lambda config: _branch_gated(config[f"{NAMESPACE}:github"]))
    [deploy] = [
        r
        for r in github_resources(evaluation, "RepositoryEnvironment")
        if r.plain_inputs["environment"] == "production"
    ]
    inputs = deploy.plain_inputs
    assert {"reviewers", "waitTimer", "preventSelfReview"}.isdisjoint(inputs)
    assert inputs["deploymentBranchPolicy"] == {"customBranchPolicies": True, "protectedBranches": False}
    policies = {
        r.plain_inputs["branchPattern"]
        for r in github_resources(evaluation, "RepositoryEnvironmentDeploymentPolicy")
        if r.name.endswith("-deploy-branch")
    }
    assert policies == {"main"}
    [main] = [r for r in github_resources(evaluation, "BranchProtection") if r.plain_inputs["pattern"] == "main"]
    reviews = main.plain_inputs["requiredPullRequestReviews"][0]
    assert reviews["requiredApprovingReviewCount"] >= 1
    assert evaluation.outputs["github_deploy_gates"] == {
        "lodgetix/lodgetix-app": "reviewed pull requests into the protected main branch, the only branch the"
        " environment accepts"
    }


def test_the_committed_production_gate_is_required_reviewers(production: Any) -> None:
    assert production.outputs["github_deploy_gates"] == {
        "lodgetix/lodgetix-app": "required reviewers on the deploy environment"
    }
