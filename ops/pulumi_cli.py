"""A thin wrapper over the `pulumi` command line used by `ops rollback` (git runs through ops/git_cli.py).

Preview and update go through the Automation API (`ops/automation.py`). These calls stay direct, each for a
reason the engine tests exercise:
- `stack export`: the Automation API's `export_stack()` always passes `--show-secrets` (plaintext secrets),
  which a backup must never contain;
- `stack import`: it imports the very 0600 backup file written here, not a temporary copy of its own;
- `stack history --json`: each entry is validated here and a malformed one refused by name, where the
  Automation API's parser would raise on it;
- `whoami --json`: the Automation API has no call for the backend URL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


class RollbackError(Exception):
    """A refusal or a user mistake: printed as one clear message, never with a traceback."""


class StepFailedError(Exception):
    """A pulumi step (preview, up, import) ran and failed; its own output already explains why."""


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class PulumiCli:
    """Runs `pulumi` with the stack's project directory as working directory."""

    def __init__(self, cwd: Path, env: Mapping[str, str] | None = None) -> None:
        binary = shutil.which("pulumi", path=(env or os.environ).get("PATH"))
        if binary is None:
            raise RollbackError(
                "the pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/) and retry. Nothing was changed."
            )
        self.binary = binary
        self.cwd = cwd
        # The update check talks to the network and prints noise; it has no place in a rollback.
        self.env = {**(env or os.environ), "PULUMI_SKIP_UPDATE_CHECK": "true"}

    def capture(self, args: Sequence[str], cwd: Path | None = None) -> str:
        """Run a read-only or file-writing command and return its stdout; raise RollbackError on failure."""
        done = subprocess.run(
            [self.binary, *args], cwd=cwd or self.cwd, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RollbackError(f"`pulumi {' '.join(args)}` failed:\n{_tail(done.stderr or done.stdout)}")
        return done.stdout

    def capture_json(self, args: Sequence[str]) -> Any:
        out = self.capture(args)
        try:
            return json.loads(out)
        except json.JSONDecodeError as exc:
            raise RollbackError(f"`pulumi {' '.join(args)}` did not print JSON ({exc})") from None

    def stream(self, args: Sequence[str], cwd: Path | None = None) -> None:
        """Run a long step (preview, up, import) with its output shown live; raise StepFailedError on failure."""
        done = subprocess.run([self.binary, *args], cwd=cwd or self.cwd, env=self.env, check=False)
        if done.returncode != 0:
            raise StepFailedError(f"`pulumi {' '.join(args)}` exited with status {done.returncode}")
