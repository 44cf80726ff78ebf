"""This repository's own workflows (.github/workflows): valid, zizmor-clean, pinned, least-privilege, and
shaped as docs/operations.md describes them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.repository import REPO
from tests.support.shell import run_step_script, write_executable
from tests.support.workflow_checkers import (
    SCHEMA_INVALID_WORKFLOW,
    schema_failures,
    write_bad_workflow,
    zizmor_findings,
)

WORKFLOWS = REPO / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
PINS = json.loads((REPO / "components" / "workflows" / "pinned_actions.json").read_text())


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(document: dict[Any, Any]) -> dict[str, Any]:
    return document["on"] if "on" in document else document[True]  # PyYAML reads the bare key `on` as True


def steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def test_the_three_workflows_exist() -> None:
    assert [f.name for f in FILES] == ["ci.yml", "deploy-production.yml", "deploy-staging.yml"]


def test_schema_accepts_every_workflow_and_rejects_a_broken_one(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(SCHEMA_INVALID_WORKFLOW)
    assert schema_failures([broken, *FILES]) == {str(broken)}


def test_zizmor_finds_nothing_even_as_auditor(tmp_path: Path) -> None:
    bad = write_bad_workflow(tmp_path)
    findings = zizmor_findings([bad, *FILES], "auditor")
    assert findings.pop(str(bad))
    assert findings == {}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_are_pinned_to_the_shared_shas(path: Path) -> None:
    uses = re.findall(r"uses: *([^@\s]+)@(\S+)(?: *# *(\S+))?", path.read_text())
    assert uses
    for action, ref, tag in uses:
        assert action in PINS, action
        assert (ref, tag) == (PINS[action]["sha"], PINS[action]["tag"]), action


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege_and_hygiene(path: Path) -> None:
    document = yaml.safe_load(path.read_text())
    assert document["permissions"] == {}
    assert "concurrency" in document
    for name, job in document["jobs"].items():
        assert "permissions" in job, name
        assert 0 < job["timeout-minutes"] <= 90, name
        granted = job["permissions"]
        assert set(granted.values()) <= {"read", "write"}
        allowed = {"contents", "id-token", "pull-requests"} | ({"security-events"} if name == "scan" else set())
        assert set(granted) <= allowed, name  # code-scanning uploads are the scan job's alone
        assert granted.get("contents", "read") == "read", name
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            # No expression expands inside a shell script: values reach scripts through `env:`.
            assert "${{" not in step.get("run", ""), (name, step)


def test_pull_requests_run_tests_plan_and_a_gated_preview() -> None:
    ci = load("ci.yml")
    assert list(triggers(ci)) == ["pull_request"]
    jobs = ci["jobs"]
    assert [s["run"] for s in jobs["test"]["steps"] if "run" in s] == ["make test"]
    assert jobs["plan"]["strategy"]["matrix"]["stack"] == ["staging", "production"]
    assert 'ops plan --stack "$STACK"' in jobs["plan"]["steps"][-1]["run"]
    preview = jobs["preview"]
    assert "vars.AWS_STAGING_ROLE_ARN != ''" in preview["if"]
    assert preview["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    pulumi = next(s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"] == "staging"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["comment-on-pr"] is True
    assert set(pulumi["env"]) == {"PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"}
    aws = next(s for s in preview["steps"] if s.get("uses", "").startswith("aws-actions/"))
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_STAGING_ROLE_ARN }}"
    skipped = jobs["preview-skipped"]
    assert "vars.AWS_STAGING_ROLE_ARN == ''" in skipped["if"]
    assert skipped["permissions"] == {}
    assert "::notice" in skipped["steps"][0]["run"]


def test_main_deploys_staging_and_production_needs_the_environment() -> None:
    staging, production = load("deploy-staging.yml"), load("deploy-production.yml")
    assert triggers(staging) == {"push": {"branches": ["main"]}}
    assert list(triggers(production)) == ["workflow_dispatch"]
    for document, stack, commands in ((staging, "staging", ["up"]), (production, "production", ["preview", "up"])):
        assert document["concurrency"]["cancel-in-progress"] is False  # never cancel a running up
        pulumi = [s for s in steps(document) if s.get("uses", "").startswith("pulumi/actions@")]
        assert [s["with"]["command"] for s in pulumi] == commands
        assert {s["with"]["stack-name"] for s in pulumi} == {stack}
        assert all(s["with"]["policyPacks"] == "policies" for s in pulumi)
    assert staging["jobs"]["up"]["needs"] == ["test"]
    assert staging["jobs"]["up"]["environment"] == "staging"
    deploy = production["jobs"]["deploy"]
    assert deploy["environment"] == "production"
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    assert "::notice" in production["jobs"]["deploy-skipped"]["steps"][0]["run"]


@pytest.mark.parametrize(("status", "marker"), [(0, "no violation"), (1, "MANDATORY violation")])
def test_plan_step_writes_the_summary_and_keeps_the_exit_status(tmp_path: Path, status: int, marker: str) -> None:
    """Run the plan step's own script against a stand-in `.venv/bin/python`."""
    script = load("ci.yml")["jobs"]["plan"]["steps"][-1]["run"]
    write_executable(tmp_path / ".venv" / "bin" / "python", f'#!/bin/sh\necho "plan of $5: {marker}"\nexit {status}\n')
    done = run_step_script(tmp_path, script, {"STACK": "staging"})
    assert done.returncode == status
    text = done.summary
    assert f"### Offline plan of `staging` (exit status {status})" in text
    assert f"plan of staging: {marker}" in text
    assert text.count("```") == 2
