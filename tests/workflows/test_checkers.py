"""Every rendered file passes check-jsonschema (GitHub workflow schema) and zizmor with zero findings.

Each checker runs once over all files of both stacks plus a known-bad file, which proves the harness
can fail: the bad file must be reported and the rendered files must not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from components.settings.github import GitHubSettings
from components.workflows import render_workflows

BIN = Path(sys.executable).parent
BAD_WORKFLOW = """\
name: bad
on:
  pull_request_target: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""


def _bad_file(tmp_path: Path) -> Path:
    bad = tmp_path / "bad" / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_WORKFLOW)
    return bad


def _all_files(written: dict[str, list[Path]]) -> list[Path]:
    return [path for paths in written.values() for path in paths]


def _zizmor(files: list[Path], persona: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [
            str(BIN / "zizmor"),
            "--offline",
            "--no-config",
            "--strict-collection",
            f"--persona={persona}",
            "--format=json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # --strict-collection: a file zizmor cannot parse fails the run instead of being skipped silently.
    assert result.returncode in (0, 10, 11, 12, 13, 14), result.stderr  # 1x: findings of some severity
    return json.loads(result.stdout)


def _finding_files(findings: list[dict[str, Any]]) -> dict[str, set[str]]:
    by_file: dict[str, set[str]] = {}
    for finding in findings:
        for location in finding["locations"]:
            path = location["symbolic"]["key"]["Local"]["verbatim_path"]
            by_file.setdefault(path, set()).add(finding["ident"])
    return by_file


def test_json_schema_accepts_every_rendered_file(tmp_path: Path, written: dict[str, list[Path]]) -> None:
    bad = tmp_path / "invalid.yml"
    bad.write_text("name: invalid\non:\n  push: {}\njobs:\n  a:\n    steps: []\n")  # no runs-on
    files = _all_files(written)
    result = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "-o",
            "json",
            "--builtin-schema",
            "vendor.github-workflows",
            str(bad),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    failing = {error["filename"] for error in report["errors"]} | {e["filename"] for e in report["parse_errors"]}
    assert failing == {str(bad)}, report
    assert len(files) == 8


def test_zizmor_reports_nothing_at_the_default_persona(tmp_path: Path, written: dict[str, list[Path]]) -> None:
    bad = _bad_file(tmp_path)
    by_file = _finding_files(_zizmor([bad, *_all_files(written)], "regular"))
    assert {"artipacked", "unpinned-uses", "template-injection", "dangerous-triggers"} <= by_file.pop(str(bad))
    assert by_file == {}


def test_zizmor_pedantic_only_asks_for_an_image_digest(
    tmp_path: Path, written: dict[str, list[Path]], github_settings: dict[str, GitHubSettings]
) -> None:
    # With the default image tag the pedantic persona wants a digest (unknowable offline: set one in the
    # stack file); with a digest configured, pedantic finds nothing either.
    findings = _finding_files(_zizmor(_all_files(written), "pedantic"))
    assert {Path(path).name for path in findings} == {"restore-drill.yml"}
    assert set().union(*findings.values()) == {"unpinned-images"}

    settings = github_settings["production"]
    digest = "sha256:" + "0" * 64
    workflows = settings.workflows.model_copy(update={"restore_drill_image": f"supabase/postgres:17.4.1.055@{digest}"})
    pinned = settings.model_copy(update={"workflows": workflows})
    files = []
    for path, text in render_workflows(pinned).items():
        target = tmp_path / "pinned" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        files.append(target)
    assert _finding_files(_zizmor(files, "pedantic")) == {}


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
