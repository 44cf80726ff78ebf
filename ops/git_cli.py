"""The one way `ops` runs git: `git -C REPO ARGS...`, its stdout as text, a failure as one `GitError`.

A failure message names the command and ends with the last lines git printed, so a refusal reads as one clear
sentence and never as a traceback.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .boundary import OpsError


class GitError(OpsError):
    """git is missing, or a git command exited non-zero."""


def git(repo: Path, *args: str) -> str:
    """Run `git -C repo *args` and return its stdout; `GitError` when git is missing or the command fails."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not on PATH; install it and retry") from None
    if done.returncode != 0:
        last_lines = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise GitError(f"`git {' '.join(args)}` failed: {last_lines}")
    return done.stdout
