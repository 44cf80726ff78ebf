"""Stand-in executables, and workflow step scripts run the way GitHub runs them."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


def write_executable(path: Path, script: str) -> Path:
    """An executable file at `path` (folders created) holding `script`, its `#!` line included."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    path.chmod(0o755)
    return path


@dataclass(frozen=True)
class StepRun:
    """What a step script did: its exit status and streams, and what it wrote to GitHub's files."""

    returncode: int
    stdout: str
    stderr: str
    output_text: str  # $GITHUB_OUTPUT as written
    summary: str  # $GITHUB_STEP_SUMMARY as written ("" when the step wrote none)

    @property
    def outputs(self) -> dict[str, str]:
        """The step outputs (`name=value` lines of $GITHUB_OUTPUT)."""
        return dict(line.split("=", 1) for line in self.output_text.splitlines() if "=" in line)


def run_step_script(workdir: Path, script: str, env: dict[str, str]) -> StepRun:
    """Run a `run:` script with `bash -e`, as GitHub's bash shell does, in `workdir`.

    The environment is only what a runner gives a step: `workdir/bin` first on PATH (for stand-ins), and
    GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP in `workdir`; `env` (the step's `env:`) comes on top.
    """
    output = workdir / "github_output"
    output.write_text("")
    summary = workdir / "summary"
    full_env = {
        "PATH": f"{workdir / 'bin'}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(workdir),
        **env,
    }
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=workdir, env=full_env, capture_output=True, text=True, check=False
    )
    written = summary.read_text() if summary.exists() else ""
    return StepRun(done.returncode, done.stdout, done.stderr, output.read_text(), written)
