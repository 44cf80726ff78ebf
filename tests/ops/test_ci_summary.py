"""The pull-request workflow puts each stack's picture, cost estimate and plan into its job summary."""

from __future__ import annotations

from typing import Any

import yaml

from tests.support.repository import REPO


def _plan_job() -> dict[str, Any]:
    return yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["plan"]


def test_the_plan_job_writes_picture_cost_and_plan_into_the_summary_for_both_stacks() -> None:
    job = _plan_job()
    assert job["strategy"]["matrix"]["stack"] == ["staging", "production"]
    assert job["permissions"] == {"contents": "read"}
    scripts = [step.get("run", "") for step in job["steps"]]
    summary = next(s for s in scripts if "ops diagram" in s)
    assert 'ops diagram --stack "$STACK"' in summary
    assert 'ops cost --stack "$STACK"' in summary
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary
    assert any("ops plan" in s and "GITHUB_STEP_SUMMARY" in s for s in scripts)
    assert "${{" not in summary  # the stack reaches the script through the environment, never expanded into it
