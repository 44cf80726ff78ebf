"""What each real stack registers in GitHub: secrets, variables, environments, protection, files, provider."""

from __future__ import annotations

import pytest

from components.github.env_example import ENV_VARIABLES, render_env_example
from components.shared import delivery_contract as contract
from ops.offline import Evaluation, is_secret
from tests.github.support import by_environment, github_resources

DEPLOY_SECRETS = {*contract.APP_SECRETS, *contract.DEPLOY_SECRETS}


def environment_names(evaluation: Evaluation) -> tuple[str, str, str]:
    env = evaluation.stack
    return env, f"{env}-backup", f"{env}-restore-drill"


def test_secrets_per_environment_are_secret_marked_and_use_value(stack: Evaluation):
    deploy, backup, restore = environment_names(stack)
    secrets = github_resources(stack, "ActionsEnvironmentSecret")
    assert {k: set(v) for k, v in by_environment(secrets, "secretName").items()} == {
        deploy: DEPLOY_SECRETS,
        backup: set(contract.BACKUP_SECRETS),
    }
    assert restore not in by_environment(secrets, "secretName")
    for secret in secrets:
        assert is_secret(secret.inputs["value"]), secret.name
        assert "plaintextValue" not in secret.inputs
        assert "encryptedValue" not in secret.inputs
        assert secret.inputs["repository"] == "lodgetix-app"  # the name; the owner comes from the provider
        # Each GitHub secret holds its own Pulumi secret (placeholders name the config key offline).
        expected = f"[secret placeholder: functions-platform:{secret.plain_inputs['secretName'].lower()}]"
        assert secret.plain_inputs["value"] == expected


@pytest.mark.parametrize(
    ("stack_name", "flags", "url"),
    [
        ("staging", ("true", "true", "100"), "https://staging.lodgetix.io"),
        ("production", ("true", "true", "5"), "https://lodgetix.io"),
    ],
)
def test_flag_and_url_variables_of_the_deploy_environment(
    stack_name: str, flags: tuple[str, str, str], url: str, staging: Evaluation, production: Evaluation
):
    evaluation = staging if stack_name == "staging" else production
    variables = by_environment(github_resources(evaluation, "ActionsEnvironmentVariable"), "variableName")
    # No deploy role without github.oidc.deploy_policy_arns, so no AWS_DEPLOY_ROLE_ARN either.
    assert variables[stack_name] == {**dict(zip(contract.FLAG_VARIABLES, flags, strict=True)), "APP_URL": url}


def test_backup_and_restore_variables_point_at_the_backup_vault(stack: Evaluation):
    _, backup, restore = environment_names(stack)
    variables = by_environment(github_resources(stack, "ActionsEnvironmentVariable"), "variableName")
    out = stack.outputs
    metric_variables = {
        "BACKUP_APP": "lodgetix-app",
        "BACKUP_ENVIRONMENT": stack.stack,
        "BACKUP_METRIC_NAMESPACE": "Platform/Backups",
    }
    assert variables[backup] == {
        "BACKUP_BUCKET": out["backup_primary_bucket_name"],
        "BACKUP_ROLE_ARN": out["backup_writer_role_arns"]["lodgetix-app"],
        "BACKUP_REGION": out["backup_regions"]["primary"],
        **metric_variables,
    }
    assert variables[restore] == {
        "REPLICA_BUCKET": out["backup_replica_bucket_name"],
        "RESTORE_ROLE_ARN": out["backup_reader_role_arns"]["lodgetix-app"],
        "REPLICA_REGION": out["backup_regions"]["dr"],
        "RTO_HOURS": str(out["backup_rto_hours"]),
        "BACKUP_METRICS_REGION": out["backup_regions"]["primary"],
        **metric_variables,
    }
    assert set(variables) == {stack.stack, backup, restore}


def test_three_environments_with_branch_policies(stack: Evaluation):
    deploy, backup, restore = environment_names(stack)
    environments = {
        r.plain_inputs["environment"]: r.plain_inputs for r in github_resources(stack, "RepositoryEnvironment")
    }
    assert set(environments) == {deploy, backup, restore}
    for inputs in environments.values():
        assert inputs["deploymentBranchPolicy"] == {"protectedBranches": False, "customBranchPolicies": True}
        assert inputs["canAdminsBypass"] is False
        assert inputs["preventSelfReview"] is True
    for env in (backup, restore):  # schedules cannot wait for an approval
        assert "reviewers" not in environments[env]
        assert "waitTimer" not in environments[env]
    policies = {
        r.plain_inputs["environment"]: r.plain_inputs
        for r in github_resources(stack, "RepositoryEnvironmentDeploymentPolicy")
    }
    deploy_branch = "main" if stack.stack == "production" else "develop"
    assert {env: p["branchPattern"] for env, p in policies.items()} == {
        deploy: deploy_branch,
        backup: "main",
        restore: "main",
    }
    assert all("tagPattern" not in p for p in policies.values())


def test_production_needs_team_review_and_waits(production: Evaluation, staging: Evaluation):
    prod = next(r for r in github_resources(production, "RepositoryEnvironment") if r.name.endswith("-deploy"))
    assert prod.plain_inputs["reviewers"] == [{"teams": [7261534], "users": []}]
    assert prod.plain_inputs["waitTimer"] == 5
    stage = next(r for r in github_resources(staging, "RepositoryEnvironment") if r.name.endswith("-deploy"))
    assert "reviewers" not in stage.plain_inputs
    assert "waitTimer" not in stage.plain_inputs


def test_branch_protection_only_from_the_owning_stack(production: Evaluation, staging: Evaluation):
    assert github_resources(staging, "BranchProtection") == []
    rules = {r.plain_inputs["pattern"]: r.plain_inputs for r in github_resources(production, "BranchProtection")}
    assert set(rules) == {"main", "develop"}
    for rule in rules.values():
        assert rule["repositoryId"] == "lodgetix-app"
        assert rule["requiredStatusChecks"] == [{"strict": True, "contexts": [contract.TEST_JOB_CHECK]}]
        assert rule["requiredPullRequestReviews"] == [
            {"requiredApprovingReviewCount": 1, "dismissStaleReviews": True, "requireLastPushApproval": True}
        ]
        assert rule["requireConversationResolution"] is True
        assert rule["allowsForcePushes"] is False
        assert rule["allowsDeletions"] is False
        assert rule["enforceAdmins"] is False  # the stack's admin token commits the managed files


def test_files_committed_by_production_only(production: Evaluation, staging: Evaluation):
    assert github_resources(staging, "RepositoryFile") == []
    files = {r.plain_inputs["file"]: r.plain_inputs for r in github_resources(production, "RepositoryFile")}
    assert set(files) == {contract.ENV_EXAMPLE_FILE, *contract.WORKFLOW_FILES}
    assert all(f["branch"] == "main" and f["overwriteOnCreate"] is True for f in files.values())
    env_example = files[contract.ENV_EXAMPLE_FILE]
    assert env_example["content"] == render_env_example()
    assert env_example["branch"] == "main"
    assert env_example["overwriteOnCreate"] is True
    assert env_example["commitMessage"]


def test_env_example_lists_every_runbook_variable_without_values():
    text = render_env_example()
    assignments = [line for line in text.splitlines() if line and not line.startswith("#")]
    expected = [*contract.APP_SECRETS, *contract.FLAG_VARIABLES]
    assert assignments == [f"{name}=" for name in expected]
    assert [v.name for v in ENV_VARIABLES] == expected
    for variable in ENV_VARIABLES:
        assert f"# Format: {variable.format}" in text
        assert variable.description in text
    assert "0, 5, 10, 25, 50, 100" in text


def test_every_github_resource_uses_the_explicit_provider(stack: Evaluation):
    [provider] = stack.of_type("pulumi:providers:github")
    assert provider.plain_inputs["owner"] == "lodgetix"
    assert is_secret(provider.inputs["token"])
    github = [r for r in stack.resources if r.type.startswith("github:")]
    assert github
    assert all(r.provider.startswith(provider.urn + "::") for r in github)
