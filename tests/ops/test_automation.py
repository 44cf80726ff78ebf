"""ops/automation.py refuses what it cannot run with one line and exit 2 (its real runs are in tests/engine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.repository import REPO
from tests.support.shell import write_executable

SCRIPT = REPO / "ops" / "automation.py"


def run(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path if path is not None else os.environ.get("PATH", "")}
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False, env=env)


@pytest.mark.parametrize("content", [None, "name: [unclosed\n", "- a list\n", "runtime: python\n"])
def test_a_missing_or_broken_project_file_is_one_line_and_exit_2(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "Pulumi.yaml").write_text(content)
    stand_in = write_executable(tmp_path / "bin" / "pulumi", "#!/bin/sh\nexit 0\n")
    done = run("preview", "--cwd", str(tmp_path), "--stack", "dev", path=f"{stand_in.parent}:{os.environ['PATH']}")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Pulumi.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_cli_on_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    done = run("up", "--cwd", str(tmp_path), "--stack", "dev", path=str(tmp_path / "empty"))
    assert done.returncode == 2
    assert "pulumi CLI is not on PATH" in done.stderr


def test_an_unknown_operation_is_a_usage_error(tmp_path: Path) -> None:
    done = run("destroy", "--cwd", str(tmp_path), "--stack", "dev")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
