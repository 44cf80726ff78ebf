"""Every rendered file passes check-jsonschema (GitHub workflow schema) and zizmor with zero findings.

Each checker runs once over all files of both stacks plus a known-bad file, which proves the harness
can fail: the bad file must be reported and the rendered files must not.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.settings.github import GitHubSettings
from components.workflows import render_workflows
from tests.support.settings import stack_settings
from tests.support.workflow_checkers import (
    SCHEMA_INVALID_WORKFLOW,
    schema_failures,
    write_bad_workflow,
    zizmor_findings,
)


def _all_files(written: dict[str, list[Path]]) -> list[Path]:
    return [path for paths in written.values() for path in paths]


def test_json_schema_accepts_every_rendered_file(tmp_path: Path, written: dict[str, list[Path]]) -> None:
    bad = tmp_path / "invalid.yml"
    bad.write_text(SCHEMA_INVALID_WORKFLOW)
    files = _all_files(written)
    assert len(files) == 8
    assert schema_failures([bad, *files]) == {str(bad)}


def test_zizmor_reports_nothing_at_the_default_persona(tmp_path: Path, written: dict[str, list[Path]]) -> None:
    bad = write_bad_workflow(tmp_path / "bad")
    by_file = zizmor_findings([bad, *_all_files(written)])
    assert {"artipacked", "unpinned-uses", "template-injection", "dangerous-triggers"} <= by_file.pop(str(bad))
    assert by_file == {}


def test_zizmor_pedantic_only_asks_for_an_image_digest(
    tmp_path: Path, written: dict[str, list[Path]], github_settings: dict[str, GitHubSettings]
) -> None:
    # With the default image tag the pedantic persona wants a digest (unknowable offline: set one in the
    # stack file); with a digest configured, pedantic finds nothing either.
    findings = zizmor_findings(_all_files(written), "pedantic")
    assert {Path(path).name for path in findings} == {"restore-drill.yml"}
    assert set().union(*findings.values()) == {"unpinned-images"}

    settings = github_settings["production"]
    digest = "sha256:" + "0" * 64
    workflows = settings.workflows.model_copy(update={"restore_drill_image": f"supabase/postgres:17.4.1.055@{digest}"})
    pinned = settings.model_copy(update={"workflows": workflows})
    files = []
    for path, text in render_workflows(pinned, stack_settings("production").backup).items():
        target = tmp_path / "pinned" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        files.append(target)
    assert zizmor_findings(files, "pedantic") == {}


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_every_run_script_is_valid_bash(documents: dict[str, dict[str, dict[str, Any]]], stack: str) -> None:
    scripts = [
        step["run"]
        for document in documents[stack].values()
        for job in document["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]
    assert len(scripts) > 10
    for script in scripts:
        result = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, check=False)
        assert result.returncode == 0, (result.stderr, script)
    broken = subprocess.run(["bash", "-n"], input="if true; then\n", capture_output=True, text=True, check=False)
    assert broken.returncode != 0
