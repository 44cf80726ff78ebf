"""Security and shape rules that every rendered workflow follows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.shared.delivery_contract import TEST_JOB_CHECK, WORKFLOW_FILES
from components.workflows.actions import PINS_FILE, pins
from components.workflows.yaml_output import dump_workflow, load_workflow
from tests.support.settings import stack_settings

USES_LINE = re.compile(r"^\s*(?:- )?uses: (?P<ref>\S+)(?: # (?P<tag>\S+))?$")
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"


def _jobs(documents: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, job_id, job) for path, document in documents.items() for job_id, job in document["jobs"].items()]


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_renders_exactly_the_contract_files_and_reads_back(
    rendered: dict[str, dict[str, str]], documents: dict[str, dict[str, dict[str, Any]]], stack: str
) -> None:
    assert tuple(rendered[stack]) == WORKFLOW_FILES
    for path, text in rendered[stack].items():
        # `on:` plain (GitHub's form), neither quoted nor turned into a boolean key.
        assert "\non:\n" in text
        assert "'on':" not in text
        assert '"on":' not in text
        assert "true:" not in text
        assert load_workflow(text) == documents[stack][path]
        assert "&id" not in text  # no YAML anchors


def test_dumper_quotes_ambiguous_strings_and_keeps_booleans() -> None:
    text = dump_workflow({"on": {"push": {}}, "jobs": {"a": {"with": {"x": "on", "y": "true", "z": False}}}})
    assert text.startswith("on:\n")
    assert "x: 'on'" in text
    assert "y: 'true'" in text
    assert "z: false" in text


def test_dumper_quotes_what_yaml_1_2_reads_as_numbers_and_writes_null() -> None:
    text = dump_workflow({"on": {"push": {}}, "with": {"e": "1e5", "o": "0o17", "n": None, "p": "plain text"}})
    assert "e: '1e5'" in text
    assert "o: '0o17'" in text
    assert "n: null" in text
    assert "p: plain text" in text
    assert load_workflow(text)["with"] == {"e": "1e5", "o": "0o17", "n": None, "p": "plain text"}


def test_multi_line_strings_are_literal_blocks_unless_a_character_needs_an_escape() -> None:
    script = "set -e\necho done"
    with_control = "first\x1f\nsecond"
    text = dump_workflow({"on": {"push": {}}, "with": {"script": script, "odd": with_control}})
    assert "script: |-\n    set -e\n    echo done\n" in text
    assert '"first\\x1F\\nsecond"' in text
    assert load_workflow(text)["with"] == {"script": script, "odd": with_control}


def test_comments_follow_their_own_job_and_shared_dicts_are_written_out() -> None:
    checkout = {"uses": pins()["actions/checkout"].uses}
    grant = {"contents": "read"}
    text = dump_workflow(
        {"on": {"push": {}}, "jobs": {"a": {"permissions": grant, "steps": [checkout]}, "b": {"with": grant}}}
    )
    assert f"  - uses: {checkout['uses']} # {pins()['actions/checkout'].tag}\n" in text
    assert "      contents: read # check out the repository\n" in text
    assert "    with:\n      contents: read\n" in text  # the same dict outside `permissions:` has no reason
    assert "&id" not in text
    assert grant == {"contents": "read"}  # the caller's data is not changed


def test_a_grant_without_a_documented_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="issues: write has no documented reason"):
        dump_workflow({"on": {"push": {}}, "jobs": {"a": {"permissions": {"issues": "write"}}}})


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_every_action_is_pinned_to_a_sha_from_the_pins_file_with_its_tag(
    rendered: dict[str, dict[str, str]], stack: str
) -> None:
    by_sha = {pin.uses: pin.tag for pin in pins().values()}
    seen: set[str] = set()
    for text in rendered[stack].values():
        for line in text.splitlines():
            match = USES_LINE.match(line)
            if not match:
                assert "uses:" not in line, line
                continue
            ref = match["ref"]
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), line
            assert ref in by_sha, f"{ref} is not in {PINS_FILE.name}"
            assert match["tag"] == by_sha[ref], line
            seen.add(ref.split("@")[0])
    assert seen == {
        "actions/checkout",
        "actions/setup-node",
        "actions/upload-artifact",
        AWS_CREDENTIALS,
        "grafana/setup-k6-action",
        "grafana/run-k6-action",
        "supabase/setup-cli",
    }


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_least_privilege_checkout_timeouts_and_no_expressions_in_run(
    documents: dict[str, dict[str, dict[str, Any]]], stack: str
) -> None:
    for document in documents[stack].values():
        assert document["permissions"] == {}
    for path, job_id, job in _jobs(documents[stack]):
        where = f"{path}:{job_id}"
        assert isinstance(job["timeout-minutes"], int), where
        assert 0 < job["timeout-minutes"] <= 360, where
        permissions = job["permissions"]
        assert set(permissions.values()) <= {"read", "write"}, where
        assert {scope for scope, level in permissions.items() if level == "write"} <= {"id-token"}, where
        uses_oidc = any(step.get("uses", "").startswith(AWS_CREDENTIALS) for step in job["steps"])
        assert ("id-token" in permissions) == uses_oidc, where
        checks_out = any(step.get("uses", "").startswith("actions/checkout@") for step in job["steps"])
        assert ("contents" in permissions) == checks_out, where
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, where
            # Values reach scripts through env:, never as ${{ }} text inside run:.
            assert "${{" not in step.get("run", ""), (where, step.get("name"))


def test_deploy_workflow_follows_the_runbook(documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    document = documents["production"][".github/workflows/deploy-functions.yml"]
    push = document["on"]["push"]
    assert set(push["branches"]) == {"main", "develop"}
    assert push["paths"] == ["functions/**", "lib/api/**", "supabase/migrations/**"]
    jobs = document["jobs"]
    test_job = jobs[TEST_JOB_CHECK]
    assert test_job["name"] == TEST_JOB_CHECK
    assert [s.get("run", "").splitlines()[-1] for s in test_job["steps"] if "run" in s] == [
        "npm ci",
        "npm run test:functions",
    ]
    for environment, branch in (("staging", "develop"), ("production", "main")):
        job = jobs[f"deploy-{environment}"]
        assert job["needs"] == TEST_JOB_CHECK
        assert job["if"] == f"github.ref == 'refs/heads/{branch}'"
        assert job["environment"]["name"] == environment
        assert job["concurrency"] == {"group": f"deploy-functions-{environment}", "cancel-in-progress": False}
        names = [step["name"] for step in job["steps"]]
        assert names.index("Apply database migrations") < names.index("Deploy functions") < names.index("Health check")
        rollback = job["steps"][-1]
        assert "failure()" in rollback["if"]
        assert "steps.health.outcome == 'failure'" in rollback["if"]
        assert f"--branch {branch} --status success" in rollback["run"]
        assert f"npm run deploy:functions:{environment}" in rollback["run"]
        health = next(step for step in job["steps"] if step.get("id") == "health")
        assert health["env"]["APP_URL"] == "${{ vars.APP_URL }}"
        assert job["env"]["HEALTH_PATH"] == "/api/health"
    assert document["concurrency"]["cancel-in-progress"] is False
    # The k6 gate runs right after the staging deploy.
    assert jobs["performance-staging"]["needs"] == "deploy-staging"


def test_deploy_role_is_assumed_only_when_settings_grant_one(github_settings: dict[str, Any]) -> None:
    from components.workflows import workflow_documents

    settings = github_settings["staging"]
    assert settings.oidc.deploy_policy_arns == []
    with_role = settings.model_copy(
        update={
            "oidc": settings.oidc.model_copy(
                update={"deploy_policy_arns": ["arn:aws:iam::123456789012:policy/deploy-functions"]}
            )
        }
    )
    for current, expected in ((settings, False), (with_role, True)):
        jobs = workflow_documents(current, stack_settings("staging").backup)[".github/workflows/deploy-functions.yml"][
            "jobs"
        ]
        for environment in ("staging", "production"):
            job = jobs[f"deploy-{environment}"]
            steps = [step for step in job["steps"] if step.get("uses", "").startswith(AWS_CREDENTIALS)]
            assert (job["permissions"].get("id-token") == "write") is expected
            assert bool(steps) is expected
            if expected:
                assert steps[0]["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
                assert steps[0]["with"]["aws-region"] == "us-east-1"
