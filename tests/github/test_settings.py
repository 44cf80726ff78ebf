"""GitHub settings: rollout stages, flag consistency, repository names, reviewers, protection; errors name the key."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import SettingsError
from components.settings.github import ROLLOUT_STAGES
from tests.github.support import GITHUB
from tests.support.settings import problems_with_area, settings_with_area


@pytest.mark.parametrize("stage", ROLLOUT_STAGES)
def test_every_runbook_rollout_stage_is_accepted(stage: int):
    def edit(github: dict[str, Any]) -> None:
        github["feature_flags"] = {"use_functions_architecture": True, "rollout_percentage": stage}

    assert settings_with_area("staging", "github", edit).github.feature_flags.rollout_percentage == stage


@pytest.mark.parametrize("percentage", [1, 30, 75, 101, -5])
def test_a_rollout_between_stages_is_rejected(percentage: int):
    def edit(github: dict[str, Any]) -> None:
        github["feature_flags"]["rollout_percentage"] = percentage

    assert problems_with_area("staging", "github", edit) == [
        f"{GITHUB}.feature_flags.rollout_percentage: must be one of the rollout stages [0, 5, 10, 25, 50, 100]"
    ]


def test_architecture_off_with_a_rollout_is_rejected_and_with_zero_accepted():
    def off_with_rollout(github: dict[str, Any]) -> None:
        github["feature_flags"] = {"use_functions_architecture": False, "rollout_percentage": 5}

    def off_rolled_back(github: dict[str, Any]) -> None:
        github["feature_flags"] = {"use_functions_architecture": False, "rollout_percentage": 0}

    [problem] = problems_with_area("production", "github", off_with_rollout)
    assert problem.startswith(f"{GITHUB}.feature_flags.rollout_percentage: must be 0 while use_functions_architecture")
    assert settings_with_area("production", "github", off_rolled_back).github.feature_flags.rollout_percentage == 0


def test_a_repository_listed_twice_in_another_case_is_rejected():
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = ["lodgetix/lodgetix-app", "lodgetix/other", "Lodgetix/LODGETIX-App"]

    assert problems_with_area("staging", "github", edit) == [
        f"{GITHUB}.repositories: 'Lodgetix/LODGETIX-App' is listed twice (GitHub names are case-insensitive)"
    ]
    settings_with_area(
        "staging", "github", lambda github: github.update(repositories=["lodgetix/lodgetix-app", "lodgetix/other"])
    )


@pytest.mark.parametrize(
    "bad",
    ["lodgetix/bad name", "lodgetix/..", "lodgetix", "lodgetix/a/b", "-lodgetix/app", "lodgetix/", "lodge_tix/app"],
)
def test_a_repository_name_github_refuses_is_rejected_with_its_index(bad: str):
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = ["lodgetix/lodgetix-app", bad]

    assert problems_with_area("staging", "github", edit) == [
        f"{GITHUB}.repositories[1]: '{bad}' is not a repository name GitHub accepts (owner/name)"
    ]


def test_valid_unusual_repository_names_are_accepted():
    names = ["lodgetix/app.web", "lodgetix/_infra", "lodgetix/A-1"]
    assert (
        settings_with_area(
            "staging", "github", lambda github: github.update(repositories=names)
        ).github.repository_names
        == names
    )


@pytest.mark.parametrize("owner", ["-lodgetix", "lodge--tix", "lodgetix-", "a" * 40, "lodge tix"])
def test_an_owner_github_refuses_is_rejected(owner: str):
    def edit(github: dict[str, Any]) -> None:
        github["owner"] = owner
        github["repositories"] = []

    assert problems_with_area("staging", "github", edit) == [
        f"{GITHUB}.owner: '{owner}' is not a valid GitHub owner name"
    ]


def test_a_repository_of_another_owner_is_rejected():
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = ["someone-else/app"]

    assert problems_with_area("staging", "github", edit) == [
        f"{GITHUB}.repositories[0]: 'someone-else/app' is not owned by lodgetix (the provider's owner)"
    ]


@pytest.mark.parametrize("team", [0, -3, "7261534", True])
def test_reviewer_ids_must_be_positive_integers(team: Any):
    def edit(github: dict[str, Any]) -> None:
        github["reviewers"] = {"teams": [team]}

    [problem] = problems_with_area("production", "github", edit)
    assert problem.startswith(f"{GITHUB}.reviewers.teams[0]: ")


def test_at_most_six_reviewers():
    def edit(github: dict[str, Any]) -> None:
        github["reviewers"] = {"users": [1, 2, 3, 4, 5, 6, 7]}

    assert problems_with_area("production", "github", edit) == [f"{GITHUB}.reviewers.users: must have at most 6 items"]


def test_branch_protection_lists_must_be_distinct_and_non_empty():
    def twice(github: dict[str, Any]) -> None:
        github["branch_protection"]["branches"] = ["main", "main"]

    def no_checks(github: dict[str, Any]) -> None:
        github["branch_protection"]["required_checks"] = []

    assert problems_with_area("production", "github", twice) == [
        f"{GITHUB}.branch_protection.branches: must not list a name twice"
    ]
    [problem] = problems_with_area("production", "github", no_checks)
    assert problem.startswith(f"{GITHUB}.branch_protection.required_checks: ")


def test_enforce_admins_conflicts_with_committing_files_to_protected_main():
    def enforce(github: dict[str, Any]) -> None:
        github["branch_protection"]["enforce_admins"] = True

    def enforce_without_files(github: dict[str, Any]) -> None:
        github["branch_protection"]["enforce_admins"] = True
        github["workflows"]["manage_files"] = False

    [problem] = problems_with_area("production", "github", enforce)
    assert problem.startswith(f"{GITHUB}.branch_protection.enforce_admins: must be false while workflows.manage_files")
    assert settings_with_area("production", "github", enforce_without_files).github.branch_protection.enforce_admins


def test_deploy_policies_accept_aws_and_customer_managed_arns_only():
    good = ["arn:aws:iam::aws:policy/AWSLambda_FullAccess", "arn:aws:iam::123456789012:policy/team/deploy"]
    settings = settings_with_area("staging", "github", lambda github: github["oidc"].update(deploy_policy_arns=good))
    assert settings.github.oidc.deploy_policy_arns == good

    def bad(github: dict[str, Any]) -> None:
        github["oidc"]["deploy_policy_arns"] = [good[0], "arn:aws:s3:::bucket"]

    [problem] = problems_with_area("staging", "github", bad)
    assert problem.startswith(
        f"{GITHUB}.oidc.deploy_policy_arns[1]: 'arn:aws:s3:::bucket' is not an IAM managed policy"
    )


def test_the_error_message_names_the_stack_file():
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = ["lodgetix/app", "LODGETIX/APP"]

    with pytest.raises(SettingsError) as caught:
        settings_with_area("production", "github", edit)
    assert f"Pulumi.production.yaml: {GITHUB}.repositories: 'LODGETIX/APP' is listed twice" in str(caught.value)
