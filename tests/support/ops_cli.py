"""`python -m ops ...` run from the repository root, as a user or CI runs it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.repository import REPO


def run_ops(
    *args: str, env: dict[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m ops <args>` and capture its text output; `env` is added to this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "ops", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
