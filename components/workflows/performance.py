"""performance-tests.yml (IF-008): k6 against staging after each staging deploy and on a schedule."""

from __future__ import annotations

import json
from typing import Any

from components.settings.github import GitHubSettings

from . import k6
from .actions import uses
from .common import BASH_DEFAULTS, NO_PERMISSIONS, RUNNER, script

FILE_NAME = "performance-tests.yml"
K6_DIR = ".k6"  # inside the workspace: run-k6-action takes workspace-relative globs


def k6_job(settings: GitHubSettings, needs: str | None = None) -> dict[str, Any]:
    """The k6 gate job; also run by deploy-functions.yml right after each staging deploy."""
    workflows = settings.workflows
    performance = workflows.performance
    job: dict[str, Any] = {
        "name": "k6 performance gates (staging)",
        "runs-on": RUNNER,
        "timeout-minutes": 15 + performance.duration_seconds // 60,
        "permissions": NO_PERMISSIONS,  # no checkout: the script and options come from this file
        "concurrency": {"group": "performance-tests-staging", "cancel-in-progress": False},
        "steps": [
            {
                "name": "Write the k6 script and options",
                "env": {"K6_SCRIPT": k6.K6_SCRIPT, "K6_OPTIONS": k6.options_json(performance)},
                "run": script(
                    f"mkdir -p {K6_DIR}",
                    f"printf '%s' \"${{K6_SCRIPT}}\" > {K6_DIR}/{k6.SCRIPT_FILE}",
                    f"printf '%s' \"${{K6_OPTIONS}}\" > {K6_DIR}/{k6.OPTIONS_FILE}",
                    f"cat {K6_DIR}/{k6.OPTIONS_FILE}",
                ),
            },
            {"name": "Set up k6", "uses": uses("grafana/setup-k6-action")},
            {
                "name": "Run k6 (fails when a threshold is exceeded)",
                "uses": uses("grafana/run-k6-action"),
                "env": {"BASE_URL": workflows.staging_url, "TARGET_PATHS": json.dumps(performance.paths)},
                "with": {
                    "path": f"./{K6_DIR}/{k6.SCRIPT_FILE}",
                    "flags": f"--summary-export ./{K6_DIR}/{k6.SUMMARY_FILE}",
                },
            },
            {
                "name": "Keep the k6 summary",
                "if": "${{ always() }}",
                "uses": uses("actions/upload-artifact"),
                "with": {
                    "name": "k6-summary",
                    "path": f"{K6_DIR}/{k6.SUMMARY_FILE}",
                    "if-no-files-found": "warn",
                    "retention-days": 90,
                },
            },
        ],
    }
    if needs is not None:
        job = {"needs": needs, **job}
    return job


def performance_workflow(settings: GitHubSettings) -> dict[str, Any]:
    return {
        "name": "Performance tests",
        "on": {
            # After each staging deploy the same job runs inside deploy-functions.yml: a `workflow_run`
            # trigger is a dangerous trigger (zizmor) and a `./` reusable-workflow call is flagged too.
            "schedule": [{"cron": settings.workflows.performance_schedule}],
            "workflow_dispatch": {},
        },
        "permissions": NO_PERMISSIONS,
        "defaults": BASH_DEFAULTS,
        "jobs": {"k6": k6_job(settings)},
    }
