"""deploy-functions.yml (IF-007): test, deploy staging from develop and production from main, verify, roll back."""

from __future__ import annotations

from typing import Any

from components.github.oidc import deploy_environment
from components.settings.base import Environment
from components.settings.github import GitHubSettings
from components.shared.delivery_contract import (
    APP_SECRETS,
    APP_URL_VARIABLE,
    DEPLOY_ROLE_VARIABLE,
    DEPLOY_SECRETS,
    FLAG_VARIABLES,
    TEST_JOB_CHECK,
)

from .common import (
    BASH_DEFAULTS,
    NO_PERMISSIONS,
    READ_CONTENTS,
    RUNNER,
    Job,
    Step,
    aws_credentials,
    checkout,
    expr,
    script,
    secret,
    setup_node,
    var,
)
from .performance import k6_job

FILE_NAME = "deploy-functions.yml"
PERFORMANCE_JOB = "performance-staging"
BRANCH_OF: dict[Environment, str] = {"staging": "develop", "production": "main"}
# The runbook's path filters: only changes to functions, their API library or migrations deploy.
PATHS = ["functions/**", "lib/api/**", "supabase/migrations/**"]
HEALTH_RETRIES = 10
HEALTH_RETRY_DELAY_SECONDS = 15


def deploy_job_id(environment: Environment) -> str:
    return f"deploy-{environment}"


def _health_check(step_id: str, name: str) -> Step:
    return {
        "name": name,
        "id": step_id,
        "env": {"APP_URL": var(APP_URL_VARIABLE)},
        "run": script(
            # --retry-all-errors: a freshly deployed function may answer 5xx or refuse connections for a while.
            f'curl --fail --silent --show-error --location --retry {HEALTH_RETRIES} --retry-delay {HEALTH_RETRY_DELAY_SECONDS} --retry-all-errors --max-time 15 --output /dev/null "${{APP_URL}}${{HEALTH_PATH}}"',
            'echo "healthy: ${APP_URL}${HEALTH_PATH}"',
        ),
    }


def _smoke_test() -> Step:
    return {
        "name": "Smoke test",
        "id": "smoke",
        "env": {"APP_URL": var(APP_URL_VARIABLE)},
        "run": script(
            # The health endpoint validates the function environment (IF-001); the home page proves routing.
            'body="$(curl --fail --silent --show-error --max-time 15 "${APP_URL}${HEALTH_PATH}")"',
            'echo "health response: ${body}"',
            'curl --fail --silent --show-error --location --max-time 15 --output /dev/null "${APP_URL}/"',
        ),
    }


def _rollback(environment: Environment, deploy_env: dict[str, str]) -> Step:
    branch = BRANCH_OF[environment]
    return {
        "name": "Roll back to the last successful deployment",
        # Only when the deployed code is unhealthy; a failed test or migration never reached traffic.
        "if": "${{ failure() && (steps.health.outcome == 'failure' || steps.smoke.outcome == 'failure') }}",
        "env": {"GH_TOKEN": expr("github.token"), "APP_URL": var(APP_URL_VARIABLE)} | deploy_env,
        "run": script(
            # The head commit of the newest successful run of this workflow on this branch is what was live
            # before this run (a run is only successful when its deploy passed the health check).
            f'previous="$(gh run list --repo "${{GITHUB_REPOSITORY}}" --workflow {FILE_NAME} --branch {branch} --status success --limit 1 --json headSha --jq \'.[0].headSha // empty\')"',
            'if [ -z "${previous}" ]; then',
            '  echo "::error::no earlier successful deployment of this workflow to roll back to"',
            "  exit 1",
            "fi",
            'echo "::warning::health check failed; redeploying ${previous}"',
            'git checkout --force --detach "${previous}"',
            "npm ci",
            f"npm run deploy:functions:{environment}",
            f'curl --fail --silent --show-error --retry {HEALTH_RETRIES} --retry-delay {HEALTH_RETRY_DELAY_SECONDS} --retry-all-errors --max-time 15 --output /dev/null "${{APP_URL}}${{HEALTH_PATH}}"',
            'echo "::error::rolled back to ${previous}; database migrations are not reverted (see the runbook)"',
        ),
    }


def deploy_job(settings: GitHubSettings, environment: Environment) -> Job:
    workflows = settings.workflows
    uses_deploy_role = bool(settings.oidc.deploy_policy_arns)
    # actions: read lets the rollback step find the last successful run; id-token only with a deploy role.
    permissions = {"contents": "read", "actions": "read"}
    if uses_deploy_role:
        permissions["id-token"] = "write"
    credentials = {name: secret(name) for name in DEPLOY_SECRETS}
    app_env = {name: secret(name) for name in APP_SECRETS} | {name: var(name) for name in FLAG_VARIABLES}
    steps: list[Step] = [
        checkout(full_history=True),  # the rollback checks out an earlier commit
        setup_node(workflows.node_version),
        {"name": "Install dependencies", "run": script("npm ci")},
    ]
    if uses_deploy_role:
        steps.append(aws_credentials("AWS credentials (deploy role)", DEPLOY_ROLE_VARIABLE, workflows.aws_region))
    steps += [
        {
            "name": "Apply database migrations",
            "env": credentials,
            # Migrations go first and must stay backward compatible, so the rollback can run the previous code.
            "run": script(f"npm run migrate:{environment}"),
        },
        {
            "name": "Deploy functions",
            "env": credentials | app_env,
            "run": script(f"npm run deploy:functions:{environment}"),
        },
        _health_check("health", "Health check"),
        _smoke_test(),
        _rollback(environment, credentials | app_env),
    ]
    url = workflows.staging_url if environment == "staging" else workflows.production_url
    return {
        "name": f"Deploy to {environment}",
        "needs": TEST_JOB_CHECK,
        "if": f"github.ref == 'refs/heads/{BRANCH_OF[environment]}'",
        "runs-on": RUNNER,
        "timeout-minutes": 30,
        "permissions": permissions,
        "environment": {"name": deploy_environment(environment), "url": url},
        # One deploy per environment at a time; a running deploy is never cancelled midway (a newer one waits).
        "concurrency": {"group": f"deploy-functions-{environment}", "cancel-in-progress": False},
        "env": {"HEALTH_PATH": workflows.health_path},
        "steps": steps,
    }


def test_job(settings: GitHubSettings) -> Job:
    return {
        "name": TEST_JOB_CHECK,  # the required status check of branch protection
        "runs-on": RUNNER,
        "timeout-minutes": 20,
        "permissions": READ_CONTENTS,
        "steps": [
            checkout(),
            setup_node(settings.workflows.node_version),
            {"name": "Install dependencies", "run": script("npm ci")},
            {"name": "Run function tests", "run": script("npm run test:functions")},
        ],
    }


def deploy_workflow(settings: GitHubSettings) -> dict[str, Any]:
    return {
        "name": "Deploy functions",
        "on": {"push": {"branches": [BRANCH_OF["production"], BRANCH_OF["staging"]], "paths": PATHS}},
        "permissions": NO_PERMISSIONS,
        # Runs of one branch queue behind each other; the deploy jobs also serialise per environment.
        "concurrency": {"group": "deploy-functions-${{ github.ref }}", "cancel-in-progress": False},
        "defaults": BASH_DEFAULTS,
        "jobs": {
            TEST_JOB_CHECK: test_job(settings),
            deploy_job_id("staging"): deploy_job(settings, "staging"),
            PERFORMANCE_JOB: k6_job(settings, needs=deploy_job_id("staging")),
            deploy_job_id("production"): deploy_job(settings, "production"),
        },
    }
