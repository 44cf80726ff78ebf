"""The pull-request workflow's scan job: both stacks, findings to code scanning, the verdict kept to the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.repository import REPO
from tests.support.shell import run_step_script, write_executable


def _ci() -> dict[str, Any]:
    return yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())


def test_the_scan_job_uploads_sarif_for_both_stacks() -> None:
    jobs = _ci()["jobs"]
    job = jobs["scan"]
    assert job["strategy"]["matrix"]["stack"] == ["staging", "production"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    # No other job may write security events.
    assert [n for n, j in jobs.items() if "security-events" in j.get("permissions", {})] == ["scan"]
    scan, upload, verdict = job["steps"][-3:]
    assert '.venv/bin/python -m ops scan --stack "$STACK" --format sarif' in scan["run"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "checkov-${{ matrix.stack }}.sarif"
    assert upload["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert verdict["env"]["STATUS"] == "${{ steps.scan.outputs.status }}"
    assert "make .venv/bin/.installed .venv-checkov/.installed" in [s.get("run") for s in job["steps"]]


@pytest.mark.parametrize(("status", "report", "step_status"), [(0, True, 0), (1, True, 0), (2, False, 2)])
def test_the_scan_step_keeps_the_verdict_and_fails_without_a_report(
    tmp_path: Path, status: int, report: bool, step_status: int
) -> None:
    """Run the step's own script against a stand-in `.venv/bin/python`."""
    script = _ci()["jobs"]["scan"]["steps"][-3]["run"]
    writes = 'printf "{}" > "$9"\n' if report else ""  # $9 is the --output argument
    write_executable(tmp_path / ".venv" / "bin" / "python", f"#!/bin/sh\n{writes}exit {status}\n")
    done = run_step_script(tmp_path, script, {"STACK": "production"})
    assert done.returncode == step_status
    assert done.output_text == f"status={status}\n"
    assert (tmp_path / "checkov-production.sarif").exists() is report
