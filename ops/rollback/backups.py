"""Backups of a stack's state before a rollback changes it: 0600 files in 0700 directories, outside the repository.

`pulumi stack export` writes them without `--show-secrets` (ops/pulumi_cli.py says why the CLI is called directly),
so secrets stay ciphertext and `pulumi stack import --file` takes a backup back as it is.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from ops.pulumi_cli import PulumiCli, RollbackError

BACKUP_DIR_ENV = "PULUMI_ROLLBACK_BACKUP_DIR"
DEFAULT_BACKUP_ROOT = "~/.pulumi-rollback-backups"


def backup_directory(project: str, stack: str, repo: Path, environ: dict[str, str]) -> Path:
    """`~/.pulumi-rollback-backups/<project>/<stack>`; never inside the repository (created by `backup_state`)."""
    root = Path(environ.get(BACKUP_DIR_ENV) or DEFAULT_BACKUP_ROOT).expanduser().resolve()
    directory = root / project / stack
    if directory.is_relative_to(repo):
        raise RollbackError(
            f"the backup directory {directory} is inside the repository; set {BACKUP_DIR_ENV} elsewhere"
        )
    return directory


def create_private_file(directory: Path, name: str) -> Path:
    """Create an empty 0600 file before anything writes state into it (no window with wider permissions)."""
    path = directory / name
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def utc_stamp() -> str:
    """The current UTC time for a file name: sortable, to the microsecond."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def export_state(cli: PulumiCli, stack: str, path: Path, version: int | None = None) -> None:
    """`pulumi stack export` without --show-secrets: secrets stay ciphertext, and `stack import` takes it back."""
    args = ["stack", "export", "--stack", stack, "--file", str(path)]
    if version is not None:
        args += ["--version", str(version)]
    try:
        cli.capture(args)
        path.chmod(0o600)
        document = json.loads(path.read_text())
    except (RollbackError, json.JSONDecodeError) as exc:
        path.unlink(missing_ok=True)
        raise RollbackError(f"could not export the state of {stack} ({exc}); nothing was changed") from None
    if not isinstance(document, dict) or "deployment" not in document:
        path.unlink(missing_ok=True)
        raise RollbackError(f"`pulumi stack export` of {stack} wrote no deployment; nothing was changed")


def backup_state(cli: PulumiCli, stack: str, directory: Path) -> Path:
    """Export the current state of `stack` into a new file of `directory`; its path is printed and returned."""
    for level in (directory.parent.parent, directory.parent, directory):  # root, project, stack: all 0700
        level.mkdir(mode=0o700, exist_ok=True)
        level.chmod(0o700)
    path = create_private_file(directory, f"{utc_stamp()}-before-rollback.json")
    export_state(cli, stack, path)
    print(f"Backed up the current state of {stack} to {path} (mode 0600; restore with `pulumi stack import --file`).")
    return path
