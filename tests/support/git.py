"""git in a throwaway repository, with a fixed author so commits never depend on the machine's git config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# The identity tests/ops/data/diy-history.json was recorded with (tests/engine/test_history_fixture.py).
AUTHOR = {
    "GIT_AUTHOR_NAME": "Engine Test",
    "GIT_AUTHOR_EMAIL": "engine-test@example.invalid",
    "GIT_COMMITTER_NAME": "Engine Test",
    "GIT_COMMITTER_EMAIL": "engine-test@example.invalid",
}


def git(repo: Path, *args: str) -> str:
    """Run `git -C repo <args>`; its standard output, stripped (a failure raises)."""
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env={**os.environ, **AUTHOR}
    )
    return done.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    """Commit everything in the work tree; the new commit's hash."""
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message)
    return git(repo, "rev-parse", "HEAD")
