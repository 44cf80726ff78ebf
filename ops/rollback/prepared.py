"""What one rollback was asked for, what its preparation found, and the typed confirmation before any change."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ops.backends import Backend, DiyStore
from ops.pulumi_cli import PulumiCli, RollbackError


@dataclass(frozen=True)
class RollbackOptions:
    """The command line of `python -m ops rollback`."""

    stack: str
    to: str | None = None
    dry_run: bool = False
    yes: bool = False
    state_only: bool = False
    cwd: Path = Path()


@dataclass(frozen=True)
class PreparedRollback:
    """Everything the code or state rollback of one stack needs, known before either changes anything."""

    cli: PulumiCli
    options: RollbackOptions
    backend: Backend
    store: DiyStore | None  # the backend's files (file:// or s3://), for locks and checkpoints
    repo: Path
    backups: Path
    ask: Callable[[str], str] | None  # reads the typed confirmation; None: the terminal, if there is one

    def confirm(self, action: str) -> None:
        """Go on only if the user types the stack's name (or passed --yes); otherwise refuse, nothing changed."""
        stack = self.options.stack
        if self.options.yes:
            return
        ask = self.ask
        if ask is None:
            if not sys.stdin.isatty():
                raise RollbackError(f"confirmation needed to {action}; pass --yes when running without a terminal")
            ask = input
        try:
            answer = ask(f"Type the stack name ({stack}) to {action}: ").strip()
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer != stack:
            raise RollbackError("not confirmed; the stack was not changed")
