"""IF-008 thresholds -> k6 options, and the schedules of every workflow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.settings.backup import BackupSettings
from components.settings.github import GitHubSettings, PerformanceThresholds, WorkflowSettings
from components.workflows import k6
from components.workflows.restore_drill import AGE_CRON

PERFORMANCE = ".github/workflows/performance-tests.yml"
DEPLOY = ".github/workflows/deploy-functions.yml"
BACKUP = ".github/workflows/backup.yml"
RESTORE = ".github/workflows/restore-drill.yml"


def test_runbook_thresholds_map_to_k6_thresholds() -> None:
    assert k6.thresholds(PerformanceThresholds()) == {
        "http_req_duration": ["p(95)<200", "p(99)<500"],
        "http_req_failed": ["rate<0.001"],
        "http_reqs": ["rate>=1000"],
    }


def test_custom_thresholds_map_without_float_noise() -> None:
    custom = PerformanceThresholds(p95_ms=150.5, p99_ms=400, error_rate_percent=2.5, throughput_rps=250)
    assert k6.thresholds(custom) == {
        "http_req_duration": ["p(95)<150.5", "p(99)<400"],
        "http_req_failed": ["rate<0.025"],
        "http_reqs": ["rate>=250"],
    }
    options = k6.options(custom)
    scenario = options["scenarios"]["sustained_load"]
    # The offered load exceeds the throughput gate so a healthy system can clear it.
    assert scenario["executor"] == "constant-arrival-rate"
    assert scenario["rate"] == 275
    assert scenario["rate"] > custom.throughput_rps
    assert scenario["preAllocatedVUs"] <= scenario["maxVUs"] == custom.max_virtual_users


def test_threshold_settings_are_validated() -> None:
    with pytest.raises(ValidationError, match="p99_ms"):
        PerformanceThresholds(p95_ms=300, p99_ms=200)
    with pytest.raises(ValidationError, match="paths"):
        PerformanceThresholds(paths=["api/health"])
    with pytest.raises(ValidationError, match="paths"):
        PerformanceThresholds(paths=[])
    assert PerformanceThresholds(paths=["/api/events", "/api/health"]).paths == ["/api/events", "/api/health"]


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_rendered_k6_job_carries_the_settings(
    documents: dict[str, dict[str, dict[str, Any]]], github_settings: dict[str, GitHubSettings], stack: str
) -> None:
    settings = github_settings[stack].workflows
    for path, job_id in ((PERFORMANCE, "k6"), (DEPLOY, "performance-staging")):
        steps = documents[stack][path]["jobs"][job_id]["steps"]
        written = steps[0]["env"]
        assert json.loads(written["K6_OPTIONS"]) == k6.options(settings.performance)
        assert written["K6_SCRIPT"] == k6.K6_SCRIPT
        run = steps[2]
        assert run["uses"].startswith("grafana/run-k6-action@")
        assert run["env"]["BASE_URL"] == settings.staging_url
        assert json.loads(run["env"]["TARGET_PATHS"]) == settings.performance.paths
        assert "--summary-export ./.k6/summary.json" in run["with"]["flags"]
        upload = steps[3]
        assert upload["uses"].startswith("actions/upload-artifact@")
        assert upload["if"] == "${{ always() }}"  # the summary is kept when a gate fails
        assert upload["with"]["path"] == ".k6/summary.json"


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_schedules(
    documents: dict[str, dict[str, dict[str, Any]]], github_settings: dict[str, GitHubSettings], stack: str
) -> None:
    docs = documents[stack]
    # Both stacks' RPO designs give hourly data-only dumps (off the top of the hour).
    assert docs[BACKUP]["on"]["schedule"] == [{"cron": "0 2 * * *"}, {"cron": "7 * * * *"}]
    assert docs[RESTORE]["on"]["schedule"] == [{"cron": "0 5 1 * *"}, {"cron": AGE_CRON}]  # monthly, daily age
    assert docs[PERFORMANCE]["on"]["schedule"] == [{"cron": github_settings[stack].workflows.performance_schedule}]
    assert "workflow_run" not in docs[PERFORMANCE]["on"]


def test_schedules_follow_settings_and_reject_bad_cron(
    github_settings: dict[str, GitHubSettings], backup_settings: dict[str, BackupSettings]
) -> None:
    from components.workflows import workflow_documents

    settings = github_settings["staging"]
    workflows = settings.workflows.model_copy(
        update={"performance_schedule": "15 3 * * 1-5", "restore_drill_schedule": "0 6 2 * *"}
    )
    docs = workflow_documents(settings.model_copy(update={"workflows": workflows}), backup_settings["staging"])
    assert docs[PERFORMANCE]["on"]["schedule"] == [{"cron": "15 3 * * 1-5"}]
    assert docs[RESTORE]["on"]["schedule"] == [{"cron": "0 6 2 * *"}, {"cron": AGE_CRON}]
    base = {"staging_url": "https://staging.example.com", "production_url": "https://example.com"}
    for bad in ("0 2 * *", "@daily", "0 2 * * * *", "0 2 * * MON; rm -rf /"):
        with pytest.raises(ValidationError, match="restore_drill_schedule"):
            WorkflowSettings.model_validate({**base, "restore_drill_schedule": bad})
    good = WorkflowSettings.model_validate({**base, "restore_drill_schedule": "0 5 1 * *"})
    assert good.restore_drill_schedule == "0 5 1 * *"


def test_workflow_values_are_validated() -> None:
    base = {"staging_url": "https://staging.example.com", "production_url": "https://example.com"}
    cases = {
        "health_path": "api/health",
        "node_version": "lts",
        "restore_drill_image": "postgres:latest",
        "aws_region": "mars-1",
    }
    for field, bad in cases.items():
        with pytest.raises(ValidationError, match=field):
            WorkflowSettings.model_validate({**base, field: bad})
    with pytest.raises(ValidationError, match="restore_drill_image"):
        WorkflowSettings.model_validate({**base, "restore_drill_image": "postgres"})  # no tag: would float
    good = WorkflowSettings.model_validate(
        {
            **base,
            "health_path": "/healthz",
            "node_version": "22.4",
            "restore_drill_image": "postgres:17@sha256:" + "a" * 64,
        }
    )
    assert good.health_path == "/healthz"
