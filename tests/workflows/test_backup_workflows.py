"""backup.yml and restore-drill.yml as data: schedules from the RPO design, the metric steps, the daily age job;
and the files with another cadence still pass the workflow schema and zizmor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.settings.backup import BackupSettings
from components.settings.github import GitHubSettings
from components.workflows import render_workflows, workflow_documents
from components.workflows.restore_drill import AGE_CRON
from tests.support.workflow_checkers import (
    SCHEMA_INVALID_WORKFLOW,
    schema_failures,
    write_bad_workflow,
    zizmor_findings,
)

BACKUP = ".github/workflows/backup.yml"
RESTORE = ".github/workflows/restore-drill.yml"


def _five_minute_backup(backup: BackupSettings) -> BackupSettings:
    dumps = backup.dumps.model_copy(
        update={"interval_minutes": None, "schedule_delay_minutes": 10, "duration_allowance_minutes": 10}
    )
    return BackupSettings.model_validate(
        {**backup.model_dump(), "rpo_minutes": 40, "point_in_time_recovery": None, "dumps": dumps.model_dump()}
    )


def test_backup_schedule_is_the_rpo_designs_cadence(
    github_settings: dict[str, GitHubSettings], backup_settings: dict[str, BackupSettings]
) -> None:
    fast = _five_minute_backup(backup_settings["staging"])
    assert fast.rpo.interval_minutes == 5
    docs = workflow_documents(github_settings["staging"], fast)
    assert docs[BACKUP]["on"]["schedule"] == [{"cron": "0 2 * * *"}, {"cron": "2-59/5 * * * *"}]
    # The kind step tells a full dump by its schedule; the incremental schedule must not look like it.
    plan = docs[BACKUP]["jobs"]["backup"]["steps"][0]["run"]
    assert '"${SCHEDULE:-}" = "0 2 * * *"' in plan


def test_restore_drill_runs_monthly_and_reports_its_age_daily(documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    jobs = documents["production"][RESTORE]["jobs"]
    drill, age = jobs["restore-drill"], jobs["drill-age"]
    assert drill["if"] == "github.event_name == 'workflow_dispatch' || github.event.schedule == '0 5 1 * *'"
    assert (age["needs"], age["if"]) == ("restore-drill", "always()")
    assert age["permissions"] == {"id-token": "write"} == drill["permissions"]
    assert age["environment"] == drill["environment"] == "${{ matrix.environment }}"
    assert documents["production"][RESTORE]["on"]["schedule"][1] == {"cron": AGE_CRON}
    assert drill["steps"][-1]["name"] == "Publish the drill result and duration"


def test_files_with_another_cadence_pass_schema_and_zizmor(
    tmp_path: Path, github_settings: dict[str, GitHubSettings], backup_settings: dict[str, BackupSettings]
) -> None:
    files = []
    rendered = render_workflows(github_settings["production"], _five_minute_backup(backup_settings["production"]))
    for path in (BACKUP, RESTORE):
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rendered[path])
        files.append(target)
    # Each checker also sees a known-bad file, which proves it can fail.
    invalid = tmp_path / "invalid.yml"
    invalid.write_text(SCHEMA_INVALID_WORKFLOW)
    assert schema_failures([invalid, *files]) == {str(invalid)}
    bad = write_bad_workflow(tmp_path / "bad")
    findings = zizmor_findings([bad, *files])
    assert findings.pop(str(bad))
    assert findings == {}
