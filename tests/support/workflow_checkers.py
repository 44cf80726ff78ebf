"""The real workflow checkers (check-jsonschema, zizmor) run as the CLI runs them.

Each test passes a known-bad file along with the files under test, which proves the harness can fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

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
SCHEMA_INVALID_WORKFLOW = "name: invalid\non:\n  push: {}\njobs:\n  a:\n    steps: []\n"  # no runs-on


def write_bad_workflow(directory: Path) -> Path:
    bad = directory / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(BAD_WORKFLOW)
    return bad


def schema_failures(files: Sequence[Path]) -> set[str]:
    """Files that `check-jsonschema --builtin-schema vendor.github-workflows` rejects."""
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "-o", "json", "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    return {e["filename"] for e in report["errors"]} | {e["filename"] for e in report["parse_errors"]}


def zizmor_findings(files: Sequence[Path], persona: str = "regular") -> dict[str, set[str]]:
    """zizmor's findings (offline, no config) by file: path -> rule idents."""
    done = subprocess.run(
        [
            str(BIN / "zizmor"),
            "--offline",
            "--no-config",
            "--strict-collection",  # a file zizmor cannot parse fails the run instead of being skipped
            f"--persona={persona}",
            "--format=json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr  # 1x: findings of some severity
    by_file: dict[str, set[str]] = {}
    for finding in json.loads(done.stdout):
        for location in finding["locations"]:
            by_file.setdefault(location["symbolic"]["key"]["Local"]["verbatim_path"], set()).add(finding["ident"])
    return by_file
