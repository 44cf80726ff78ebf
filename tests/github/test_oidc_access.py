"""OIDC deploy roles (exact trust, parliament-clean), backup/restore variables, and secrets kept out of the plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.github.oidc import trust_policy
from components.shared import delivery_contract as contract
from ops.offline import Evaluation, RecordedResource, is_secret
from ops.plan import plan_document
from tests.github.support import by_environment, github_resources
from tests.support.parliament import trust_policy_findings
from tests.support.policy_documents import policy_document
from tests.support.programs import evaluate_with, write_program
from tests.support.repository import REPO
from tests.support.stack_files import NAMESPACE

PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
DEPLOY_POLICIES = ["arn:aws:iam::aws:policy/AWSLambda_FullAccess", "arn:aws:iam::123456789012:policy/deploy-functions"]
PLAIN_SECRETS = {
    "filter_to": "filter-value-7f3a9c",
    "function_id": "fn-value-2b8d41",
    "organisation_id": "org-value-c0ffee",
    "supabase_db_url": "postgresql://user:db-pass-91ab@db.example:5432/postgres",
    "supabase_access_token": "sbp_token_value_5e6f",
    "github_token": "ghp_token_value_a1b2",
}


def deploy_roles(evaluation: Evaluation) -> list[RecordedResource]:
    """IAM roles of GitHub delivery (other areas have roles of their own)."""
    return [r for r in evaluation.of_type("aws:iam/role:Role") if "platform:github:RepositoryDelivery$" in r.urn]


@pytest.fixture(scope="module")
def with_deploy_role(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    """Staging with deploy policies, and known secret values the program sees decrypted."""

    def edit(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:github"]["oidc"]["deploy_policy_arns"] = DEPLOY_POLICIES

    return evaluate_with(tmp_path_factory.mktemp("deploy-role"), "staging", edit, secrets=PLAIN_SECRETS)


def test_deploy_role_trusts_exactly_the_deploy_environment(with_deploy_role: Evaluation):
    [role] = deploy_roles(with_deploy_role)
    document = policy_document(role, "assumeRolePolicy")
    [statement] = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": PROVIDER_ARN}
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:lodgetix/lodgetix-app:environment:staging",
        }
    }
    assert "*" not in json.dumps(document)
    assert trust_policy_findings(role.plain_inputs["assumeRolePolicy"]) == []
    attached = [
        a
        for a in with_deploy_role.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if "platform:github:RepositoryDelivery$" in a.urn
    ]
    assert sorted(a.plain_inputs["policyArn"] for a in attached) == sorted(DEPLOY_POLICIES)
    assert {a.plain_inputs["role"] for a in attached} == {role.outputs["name"]}


def test_deploy_role_arn_variable_only_with_a_role(with_deploy_role: Evaluation, staging: Evaluation):
    [role] = deploy_roles(with_deploy_role)
    variables = by_environment(github_resources(with_deploy_role, "ActionsEnvironmentVariable"), "variableName")
    assert variables["staging"][contract.DEPLOY_ROLE_VARIABLE] == role.outputs["arn"]
    assert with_deploy_role.outputs["github_deploy_role_arns"] == {"lodgetix/lodgetix-app": role.outputs["arn"]}
    plain = by_environment(github_resources(staging, "ActionsEnvironmentVariable"), "variableName")
    assert contract.DEPLOY_ROLE_VARIABLE not in plain["staging"]
    assert deploy_roles(staging) == []


def test_no_secret_value_appears_in_the_plan(with_deploy_role: Evaluation):
    secrets = github_resources(with_deploy_role, "ActionsEnvironmentSecret")
    assert {s.plain_inputs["value"] for s in secrets} == {
        PLAIN_SECRETS[k]
        for k in ("filter_to", "function_id", "organisation_id", "supabase_db_url", "supabase_access_token")
    }
    assert all(is_secret(s.inputs["value"]) for s in secrets)
    text = json.dumps(plan_document(with_deploy_role, []))
    leaked = [value for value in PLAIN_SECRETS.values() if value in text]
    assert leaked == []
    assert "[secret]" in text  # the redaction is what appears instead


def test_trust_policy_helper_refuses_wildcards_and_parliament_still_sees_real_mistakes():
    with pytest.raises(ValueError, match="no wildcards"):
        trust_policy(PROVIDER_ARN, ["repo:lodgetix/lodgetix-app:*"])
    with pytest.raises(ValueError, match="at least one exact subject"):
        trust_policy(PROVIDER_ARN, [])
    broken = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER_ARN},
                "Action": "sts:AssumeRoleWithWebIdentityy",
                "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
            }
        ],
    }
    assert [f.split(" @ ")[0] for f in trust_policy_findings(json.dumps(broken))] == [
        "UNKNOWN_ACTION: Unknown action sts:AssumeRoleWithWebIdentityy"
    ]
    wrong_operator = json.loads(
        json.dumps(broken).replace("WebIdentityy", "WebIdentity").replace("StringEquals", "StringEqualz")
    )
    assert trust_policy_findings(json.dumps(wrong_operator)) != []


_BACKUP_PROGRAM = """
import sys
sys.path.insert(0, {repo!r})

import pulumi
from components.github.access import BackupAccess
from components.github.delivery import GitHubDelivery
from components.settings import SECRET_KEYS, Secrets
from components.settings.github import GitHubSettings

settings = GitHubSettings.model_validate(
    {{
        "owner": "lodgetix",
        "plan": "enterprise",
        "repositories": ["lodgetix/app"],
        "deploy_branch": "main",
        "reviewers": {{"users": [101]}},
        "manage_repository_settings": True,
        "branch_protection": {{"enforce_admins": False}},
        "workflows": {{"manage_files": True, "staging_url": "https://s.example", "production_url": "https://p.example"}},
    }}
)
secrets = Secrets(**{{key: pulumi.Output.secret(f"value-of-{{key}}") for key in SECRET_KEYS}})
for name, readers in (("with-reader", {{"app": "arn:aws:iam::123456789012:role/reader"}}), ("without-reader", {{}})):
    GitHubDelivery(
        name,
        settings,
        environment="production",
        secrets=secrets,
        oidc_provider_arn={provider!r},
        backup=BackupAccess(
            primary_bucket_name="backups-primary",
            replica_bucket_name="backups-replica",
            identities={{"lodgetix/app": "app"}},
            writer_role_arns={{"app": "arn:aws:iam::123456789012:role/writer"}},
            reader_role_arns=readers,
            primary_region="us-east-1",
            dr_region="us-west-2",
            rto_hours=4,
            environment="production",
            metric_namespace="Platform/Backups",
        ),
        workflow_files={{".github/workflows/backup.yml": "name: backup\\n"}},
    )
"""


@pytest.fixture(scope="module")
def with_backup(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    from ops.offline import evaluate

    source = _BACKUP_PROGRAM.format(repo=str(REPO), provider=PROVIDER_ARN)
    return evaluate(write_program(Path(tmp_path_factory.mktemp("backup")), source), "test")


def _variables_of(evaluation: Evaluation, component: str) -> dict[str, dict[str, Any]]:
    resources = [
        r for r in github_resources(evaluation, "ActionsEnvironmentVariable") if r.name.startswith(f"{component}-")
    ]
    return by_environment(resources, "variableName")


def test_backup_and_restore_environments_get_bucket_role_and_region(with_backup: Evaluation):
    variables = _variables_of(with_backup, "with-reader")
    metric_variables = {
        "BACKUP_APP": "app",
        "BACKUP_ENVIRONMENT": "production",
        "BACKUP_METRIC_NAMESPACE": "Platform/Backups",
    }
    assert variables["production-backup"] == {
        "BACKUP_BUCKET": "backups-primary",
        "BACKUP_ROLE_ARN": "arn:aws:iam::123456789012:role/writer",
        "BACKUP_REGION": "us-east-1",
        **metric_variables,
    }
    assert variables["production-restore-drill"] == {
        "REPLICA_BUCKET": "backups-replica",
        "RESTORE_ROLE_ARN": "arn:aws:iam::123456789012:role/reader",
        "REPLICA_REGION": "us-west-2",
        "RTO_HOURS": "4",
        "BACKUP_METRICS_REGION": "us-east-1",
        **metric_variables,
    }
    assert set(variables["production-backup"]) == set(contract.BACKUP_VARIABLES)
    assert set(variables["production-restore-drill"]) == set(contract.RESTORE_VARIABLES)


def test_no_restore_variables_without_a_reader_role(with_backup: Evaluation):
    variables = _variables_of(with_backup, "without-reader")
    assert "production-restore-drill" not in variables
    assert set(variables["production-backup"]) == set(contract.BACKUP_VARIABLES)


def test_workflow_files_are_committed_with_the_env_example(with_backup: Evaluation):
    files = [
        r.plain_inputs for r in github_resources(with_backup, "RepositoryFile") if r.name.startswith("with-reader-")
    ]
    assert {f["file"] for f in files} == {contract.ENV_EXAMPLE_FILE, ".github/workflows/backup.yml"}
    assert all(f["branch"] == "main" and f["overwriteOnCreate"] is True and f["repository"] == "app" for f in files)
