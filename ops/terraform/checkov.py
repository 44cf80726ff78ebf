"""Run Checkov on a converted plan and the workflow files it commits, and read its results back per Pulumi URN."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .plan_json import Conversion

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
# Checkov lives in its own virtual environment (see requirements-checkov.txt); `CHECKOV` overrides the path.
DEFAULT_CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
FRAMEWORKS = ("terraform_plan", "github_actions")
TIMEOUT_SECONDS = 600
PLAN_FILE = "plan/tfplan.json"


class CheckovError(Exception):
    """Checkov is missing, failed, or could not read what it was given."""


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    framework: str
    passed: bool
    urn: str  # "" for a provider-level check
    target: str  # the Terraform address, or the workflow file and the part of it Checkov looked at
    guideline: str


@dataclass(frozen=True)
class CheckovRun:
    version: str
    findings: list[Finding]


def checkov_command() -> list[str]:
    configured = os.environ.get("CHECKOV")
    if configured:
        return [configured]
    if DEFAULT_CHECKOV.is_file():
        return [str(DEFAULT_CHECKOV)]
    found = shutil.which("checkov")
    if found:
        return [found]
    raise CheckovError(
        f"Checkov is not installed: run `make scan` (it creates {DEFAULT_CHECKOV.parent.parent.name}/), "
        "or point CHECKOV at a checkov executable"
    )


def run(conversion: Conversion) -> CheckovRun:
    with tempfile.TemporaryDirectory(prefix="ops-scan-") as tmp:
        root = Path(tmp)
        plan_path = root / PLAN_FILE
        plan_path.parent.mkdir(parents=True)
        plan_path.write_text(json.dumps(conversion.plan))
        workflow_urns: dict[str, str] = {}
        for workflow in conversion.workflows:
            # One folder per repository: Checkov's github_actions framework looks under `.github/workflows/`.
            relative = Path("workflows") / _safe(workflow.repository) / workflow.path
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(workflow.content)
            workflow_urns[f"/{relative.as_posix()}"] = workflow.urn
        command = [
            *checkov_command(),
            "--directory",
            str(root),
            "--framework",
            *FRAMEWORKS,
            "--output",
            "json",
            "--skip-download",  # offline: no policy metadata from the vendor's platform
            "--skip-results-upload",  # and nothing of the plan leaves the machine
        ]
        # A platform API key in the caller's environment would make Checkov upload the plan: never pass one on.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_", "CKV_API"))}
        env.update(LOG_LEVEL="ERROR", ANSI_COLORS_DISABLED="1")
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env, cwd=root, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CheckovError(f"Checkov did not run: {exc}") from None
    # Checkov exits 1 when a check fails; anything else, or output that is not its JSON report, is an error.
    if completed.returncode not in (0, 1):
        raise CheckovError(f"Checkov failed (exit {completed.returncode}): {_tail(completed.stderr)}")
    try:
        reports = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise CheckovError(f"Checkov printed no JSON report: {_tail(completed.stderr or completed.stdout)}") from None
    return _read(reports, conversion.urn_of, workflow_urns)


def _read(reports: Any, urn_of: dict[str, str], workflow_urns: dict[str, str]) -> CheckovRun:
    if isinstance(reports, dict):
        reports = [reports]
    if not isinstance(reports, list):
        raise CheckovError("Checkov's report is not a list of framework reports")
    findings: list[Finding] = []
    version = ""
    for report in reports:
        framework = report.get("check_type", "")
        summary = report.get("summary", {})
        version = summary.get("checkov_version", version)
        if summary.get("parsing_errors"):
            errors = report.get("results", {}).get("parsing_errors", [])
            raise CheckovError(f"Checkov could not parse {framework} input: {errors}")
        results = report.get("results", {})
        for passed, key in ((True, "passed_checks"), (False, "failed_checks")):
            for check in results.get(key, []):
                findings.append(_finding(framework, passed, check, urn_of, workflow_urns))
    return CheckovRun(version, findings)


def _finding(
    framework: str, passed: bool, check: dict[str, Any], urn_of: dict[str, str], workflow_urns: dict[str, str]
) -> Finding:
    resource = str(check.get("resource", ""))
    file_path = str(check.get("file_path", ""))
    if framework == "github_actions":
        urn = workflow_urns.get(file_path, "")
        target = f"{file_path.removeprefix('/workflows/')} {resource}".strip()
    else:
        urn = urn_of.get(resource, "")
        target = resource
    return Finding(
        check_id=str(check.get("check_id", "")),
        check_name=str(check.get("check_name", "")),
        framework=framework,
        passed=passed,
        urn=urn,
        target=target,
        guideline=str(check.get("guideline") or ""),
    )


def _safe(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "repository"


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "(no output)"
