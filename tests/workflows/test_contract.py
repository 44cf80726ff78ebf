"""Every secret, variable and environment the workflows reference is one the GitHub delivery creates."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.github.oidc import backup_environment, deploy_environment, restore_environment
from components.shared import delivery_contract as contract
from ops.offline import Evaluation

REFERENCE = re.compile(r"\$\{\{\s*(?P<kind>secrets|vars)\.(?P<name>[A-Za-z0-9_]+)\s*\}\}")
ENVIRONMENTS = ("staging", "production")
DEPLOY_NAMES = {
    "secrets": set(contract.APP_SECRETS) | set(contract.DEPLOY_SECRETS),
    "vars": set(contract.FLAG_VARIABLES) | {contract.APP_URL_VARIABLE, contract.DEPLOY_ROLE_VARIABLE},
}
ALLOWED: dict[str, dict[str, set[str]]] = {
    **{deploy_environment(e): DEPLOY_NAMES for e in ENVIRONMENTS},
    **{
        backup_environment(e): {"secrets": set(contract.BACKUP_SECRETS), "vars": set(contract.BACKUP_VARIABLES)}
        for e in ENVIRONMENTS
    },
    **{restore_environment(e): {"secrets": set(), "vars": set(contract.RESTORE_VARIABLES)} for e in ENVIRONMENTS},
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def job_environments(job: dict[str, Any]) -> list[str]:
    """The GitHub environments a job runs in, with `${{ matrix.environment }}` resolved."""
    environment = job.get("environment")
    if environment is None:
        return []
    name = environment["name"] if isinstance(environment, dict) else environment
    if name == "${{ matrix.environment }}":
        return list(job["strategy"]["matrix"]["environment"])
    assert "${{" not in name, name
    return [name]


def contract_problems(
    documents: dict[str, dict[str, Any]], allowed: dict[str, dict[str, set[str]]] = ALLOWED
) -> list[str]:
    problems: list[str] = []
    for path, document in documents.items():
        for job_id, job in document["jobs"].items():
            references: dict[str, set[str]] = {"secrets": set(), "vars": set()}
            for text in _strings(job):
                for match in REFERENCE.finditer(text):
                    references[match["kind"]].add(match["name"])
            environments = job_environments(job)
            if not environments and (references["secrets"] or references["vars"]):
                problems.append(f"{path}:{job_id} reads {references} without a GitHub environment")
            for environment in environments:
                if environment not in allowed:
                    problems.append(f"{path}:{job_id} uses environment {environment} that nothing creates")
                    continue
                for kind in ("secrets", "vars"):
                    for name in sorted(references[kind] - allowed[environment][kind]):
                        problems.append(f"{path}:{job_id} reads {kind}.{name}, not created in {environment}")
    return problems


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_references_are_created_by_the_delivery(documents: dict[str, dict[str, dict[str, Any]]], stack: str) -> None:
    assert contract_problems(documents[stack]) == []


def test_every_environment_and_scheduled_job_name_is_used(documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    used = {
        env
        for document in documents["staging"].values()
        for job in document["jobs"].values()
        for env in job_environments(job)
    }
    assert used == set(ALLOWED)
    # The backup and restore jobs read everything the delivery creates for them (no dead variables).
    for path, environment, expected in (
        (
            ".github/workflows/backup.yml",
            "staging-backup",
            set(contract.BACKUP_VARIABLES) | set(contract.BACKUP_SECRETS),
        ),
        (".github/workflows/restore-drill.yml", "staging-restore-drill", set(contract.RESTORE_VARIABLES)),
    ):
        job = next(iter(documents["staging"][path]["jobs"].values()))
        assert environment in job_environments(job)
        names = {m["name"] for text in _strings(job) for m in REFERENCE.finditer(text)}
        assert names == expected


def test_cross_check_reports_unknown_names(documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    import copy

    broken = copy.deepcopy(documents["staging"])
    backup_job = broken[".github/workflows/backup.yml"]["jobs"]["backup"]
    backup_job["steps"][0]["env"]["EXTRA"] = "${{ secrets.FILTER_TO }}"  # a deploy secret in the backup env
    deploy_job = broken[".github/workflows/deploy-functions.yml"]["jobs"]["deploy-staging"]
    deploy_job["environment"]["name"] = "stage"
    perf_job = broken[".github/workflows/performance-tests.yml"]["jobs"]["k6"]
    perf_job["steps"][0]["env"]["X"] = "${{ vars.APP_URL }}"  # no environment: resolves to nothing
    problems = contract_problems(broken)
    assert len(problems) == 4, problems  # the backup secret is reported for both matrix environments
    assert any("secrets.FILTER_TO, not created in staging-backup" in p for p in problems)
    assert any("environment stage that nothing creates" in p for p in problems)
    assert any("without a GitHub environment" in p for p in problems)


def created_by_the_stacks(*evaluations: Evaluation) -> dict[str, dict[str, set[str]]]:
    """Per GitHub environment, the secrets and variables the recorded GitHub resources really create."""
    created: dict[str, dict[str, set[str]]] = {}
    for evaluation in evaluations:
        for resource in evaluation.resources:
            inputs = resource.plain_inputs
            if resource.type == "github:index/repositoryEnvironment:RepositoryEnvironment":
                created.setdefault(inputs["environment"], {"secrets": set(), "vars": set()})
            elif resource.type == "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret":
                created.setdefault(inputs["environment"], {"secrets": set(), "vars": set()})["secrets"].add(
                    inputs["secretName"]
                )
            elif resource.type == "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable":
                created.setdefault(inputs["environment"], {"secrets": set(), "vars": set()})["vars"].add(
                    inputs["variableName"]
                )
    return created


def test_references_are_created_by_the_recorded_resources_of_both_stacks(
    documents: dict[str, dict[str, dict[str, Any]]], staging: Evaluation, production: Evaluation
) -> None:
    # The contract above is what both sides promise; this checks what the program really registers.
    created = created_by_the_stacks(staging, production)
    assert set(created) == set(ALLOWED)
    committed = documents["production"]  # the stack that commits the files (workflows.manage_files)
    assert contract_problems(committed, created) == []
    without_backup_variables = {**created, "production-backup": {"secrets": {"SUPABASE_DB_URL"}, "vars": set()}}
    assert "backup.yml:backup reads vars.BACKUP_BUCKET, not created in production-backup" in " ".join(
        p.removeprefix(".github/workflows/") for p in contract_problems(committed, without_backup_variables)
    )
