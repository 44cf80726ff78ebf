"""`python -m ops ...` as a user or CI runs it (a child process from the repository root), or called in-process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

from ops.__main__ import main
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


def ops_in_process(*argv: str) -> tuple[int, str, str]:
    """`python -m ops <argv>` called in this process (fast, and monkeypatching reaches it): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()
