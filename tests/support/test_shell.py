"""Step scripts run as GitHub runs them: errexit, only the runner's environment, outputs and summary read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.shell import run_step_script, write_executable


def test_outputs_summary_and_stand_ins(tmp_path: Path) -> None:
    write_executable(tmp_path / "bin" / "tool", "#!/bin/sh\necho from-the-stand-in\n")
    script = 'echo "kind=$KIND" >> "$GITHUB_OUTPUT"\necho "## done" >> "$GITHUB_STEP_SUMMARY"\ntool\npwd\n'
    done = run_step_script(tmp_path, script, {"KIND": "full"})
    assert done.returncode == 0, done.stderr
    assert done.outputs == {"kind": "full"}
    assert done.output_text == "kind=full\n"
    assert done.summary == "## done\n"
    assert done.stdout.splitlines() == ["from-the-stand-in", str(tmp_path)]


def test_the_first_failing_command_ends_the_step(tmp_path: Path) -> None:
    done = run_step_script(tmp_path, "false\necho after\n", {})
    assert done.returncode == 1
    assert "after" not in done.stdout
    assert done.summary == ""


def test_the_test_process_environment_does_not_leak_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "developer-laptop")
    done = run_step_script(tmp_path, 'echo "profile=${AWS_PROFILE:-unset}"\n', {})
    assert done.stdout == "profile=unset\n"
