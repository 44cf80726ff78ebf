"""`python -m ops rollback`: prepare (project, clean tree, backend, history, target), then the chosen procedure."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ops.backends import Backend, DiyStore, detect_backend, file_root, s3_store
from ops.boundary import OpsError, printable
from ops.pulumi_cli import PulumiCli, RollbackError, StepFailedError
from ops.stack_files import load_project, stack_short_name

from .backups import backup_directory
from .code_rollback import code_rollback
from .history import Update, history_table, read_history
from .prepared import PreparedRollback, RollbackOptions
from .state_rollback import state_rollback
from .target import select_target
from .worktree import repository_root, require_clean_tree

EXIT_OK, EXIT_STEP_FAILED, EXIT_REFUSED = 0, 1, 2


def _project_name(cwd: Path) -> str:
    if not (cwd / "Pulumi.yaml").is_file() and not (cwd / "Pulumi.yml").is_file():
        raise RollbackError(f"{cwd} holds no Pulumi.yaml; pass --cwd with the Pulumi project directory")
    return load_project(cwd).name


def _backend_files(
    backend: Backend, cwd: Path, *, project: str, stack: str, scratch: Path, environ: dict[str, str]
) -> DiyStore | None:
    """The history and lock files of a file:// or s3:// backend (an s3 one copied into `scratch`); None otherwise."""
    if backend.kind == "file":
        return DiyStore(file_root(backend.url, cwd), project, stack)
    if backend.kind == "s3":
        return s3_store(backend.url, project, stack, scratch, environ)
    return None


def _refuse_if_busy(updates: list[Update], store: DiyStore | None, stack: str) -> None:
    if updates and updates[0].result == "in-progress":
        raise RollbackError(
            f"an update of {stack} is in progress ({updates[0].label()}); wait for it or `pulumi cancel`"
        )
    if store is not None and (locks := store.locks()):
        raise RollbackError(
            f"{stack} is locked by another operation ({', '.join(p.name for p in locks)}); wait for it to end, "
            "or run `pulumi cancel` if it crashed"
        )


def rollback(
    options: RollbackOptions, environ: dict[str, str] | None = None, ask: Callable[[str], str] | None = None
) -> None:
    environ = dict(os.environ if environ is None else environ)
    options = replace(options, cwd=options.cwd.resolve())
    project = _project_name(options.cwd)
    # Validated before any path is built from it (backups, stack files): Pulumi's own rule, no `..`, no `/`.
    options = replace(options, stack=stack_short_name(options.stack, project))
    cli = PulumiCli(options.cwd, environ)
    repo = repository_root(options.cwd)
    require_clean_tree(repo)
    backend = detect_backend(cli, environ)
    updates = read_history(cli, options.stack)
    with tempfile.TemporaryDirectory(prefix="ops-rollback-state-") as scratch:
        try:
            store = _backend_files(
                backend, options.cwd, project=project, stack=options.stack, scratch=Path(scratch), environ=environ
            )
        except RollbackError:
            if options.state_only:
                raise
            print("WARNING: could not read the backend's lock files; `pulumi up` still refuses a locked stack.")
            store = None
        _refuse_if_busy(updates, store, options.stack)
        target = select_target(updates, options.to, backend)
        print(f"History of {project}/{options.stack} on {backend.url} (newest first; -> marks the target):")
        print(history_table(updates, target))
        backups = backup_directory(project, options.stack, repo, environ)
        prepared = PreparedRollback(cli, options, backend, store, repo, backups, ask)
        (state_rollback if options.state_only else code_rollback)(prepared, target)


def run_rollback(options: RollbackOptions) -> int:
    """The command's exit status: 0 done, 1 a pulumi step failed (its output says why), 2 refused, nothing changed."""
    try:
        rollback(options)
    except RollbackError as exc:
        print(f"rollback refused: {printable(str(exc))}", file=sys.stderr)
        return EXIT_REFUSED
    except OpsError as exc:  # an unreadable Pulumi.yaml or stack file, a bad stack name, a failed git command
        print(f"rollback refused: {printable(exc.message)}", file=sys.stderr)
        return EXIT_REFUSED
    except StepFailedError as exc:
        print(f"rollback stopped: {exc}", file=sys.stderr)
        return EXIT_STEP_FAILED
    return EXIT_OK
