"""Code rollback (the default): redeploy the commit the target update recorded, with that commit's stack file.

The commit is checked out in a temporary worktree, previewed, confirmed and deployed through `pulumi up`; the
branch keeps the newer code, which is reverted in git as usual.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ops.pulumi_cli import PulumiCli, RollbackError, StepFailedError
from ops.stack_files import load_project

from .backups import backup_state
from .config_drift import config_drift
from .history import Update
from .prepared import PreparedRollback
from .worktree import checkout_of, require_commit

AUTOMATION_SCRIPT = Path(__file__).resolve().parent.parent / "automation.py"


def policy_packs(project_dir: Path) -> list[str]:
    pack = project_dir / "policies"
    return ["--policy-pack", str(pack)] if (pack / "PulumiPolicy.yaml").is_file() else []


def run_inline(cli: PulumiCli, operation: str, project_dir: Path, stack: str, *extra: str) -> None:
    """`preview` or `up` of the checked-out commit through the Automation API's inline path (ops/automation.py).

    The program runs in this checkout's interpreter and virtualenv, so the worktree needs no `.venv` of its own
    (a symlinked one would show as untracked and the update would be recorded `git.dirty`), and the CLI needs no
    Python language host.
    """
    args = [sys.executable, str(AUTOMATION_SCRIPT), operation, "--cwd", str(project_dir), "--stack", stack, *extra]
    done = subprocess.run(args, cwd=project_dir, env=cli.env, check=False)
    if done.returncode != 0:
        raise StepFailedError(f"`pulumi {operation}` of {project_dir.name} exited with status {done.returncode}")


def code_rollback(prepared: PreparedRollback, target: Update) -> None:
    cli, options, repo = prepared.cli, prepared.options, prepared.repo
    if not target.commit:
        raise RollbackError(f"{target.label()} recorded no git commit (git.head); roll back by hand from git")
    require_commit(repo, target.commit)
    if target.dirty:
        print(
            f"WARNING: {target.label()} ran from a work tree with uncommitted changes; the commit is only close to it."
        )
    relative = options.cwd.relative_to(repo)
    with checkout_of(repo, target.commit) as checkout:
        project_dir = checkout / relative
        stack_file = project_dir / f"Pulumi.{options.stack}.yaml"
        if not stack_file.is_file():
            raise RollbackError(f"commit {target.commit[:12]} has no {relative / stack_file.name}; cannot redeploy it")
        label = f"{relative / stack_file.name} of commit {target.commit[:12]}"
        load_project(project_dir)  # the target commit's Pulumi.yaml must be readable before anything runs
        for note in config_drift(target.config, stack_file, label):
            print(f"WARNING: config {note}")
        policies = policy_packs(project_dir)
        if not options.dry_run:
            backup_state(cli, options.stack, prepared.backups)
        print(f"Previewing commit {target.commit[:12]} with its {stack_file.name} ...")
        run_inline(cli, "preview", project_dir, options.stack, *policies)
        if options.dry_run:
            print("Dry run: stopped after the preview; nothing was changed.")
            return
        prepared.confirm(f"deploy commit {target.commit[:12]} to it")
        message = f"rollback to {target.label()}"
        run_inline(cli, "up", project_dir, options.stack, *policies, "--message", message)
    print(
        f"Rolled {options.stack} back to {target.label()}. The branch still holds the newer code: revert it in git too."
    )
