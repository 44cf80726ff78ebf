"""The repository side of a rollback: a clean work tree, the target commit, and a temporary checkout of it.

The checkout is a `git worktree` outside the repository, removed when the rollback ends. It needs no virtualenv
of its own: the program runs with the live checkout's interpreter (code_rollback.py says why).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ops.git_cli import GitError, git
from ops.pulumi_cli import RollbackError


def repository_root(path: Path) -> Path:
    """The top of the git work tree that holds `path`."""
    if shutil.which("git") is None:
        raise RollbackError("git is not on PATH; the rollback needs it to check out the target commit")
    return Path(git(path, "rev-parse", "--show-toplevel").strip()).resolve()


def require_clean_tree(repo: Path) -> None:
    """Refuse on any uncommitted change, untracked files included: Pulumi records such runs as `git.dirty`."""
    status = git(repo, "status", "--porcelain")
    if status.strip():
        shown = "\n  ".join(status.rstrip().splitlines()[:10])
        raise RollbackError(f"the work tree {repo} has uncommitted changes; commit or remove them first:\n  {shown}")


def require_commit(repo: Path, commit: str) -> None:
    try:
        git(repo, "cat-file", "-e", f"{commit}^{{commit}}")
    except GitError:
        raise RollbackError(
            f"commit {commit} is not in this clone; run `git fetch --all` (a shallow CI clone needs `fetch-depth: 0`)"
        ) from None


@contextmanager
def checkout_of(repo: Path, commit: str) -> Iterator[Path]:
    """`commit` checked out (detached) in a temporary worktree, removed again when the block ends."""
    parent = Path(tempfile.mkdtemp(prefix="ops-rollback-"))
    path = parent / "src"
    git(repo, "worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield path
    finally:
        _best_effort(repo, "worktree", "remove", "--force", str(path))
        shutil.rmtree(parent, ignore_errors=True)
        _best_effort(repo, "worktree", "prune")  # forgets the worktree if `remove` could not


def _best_effort(repo: Path, *args: str) -> None:
    """A clean-up step: its failure is shown, but the rollback's own outcome is what the command reports."""
    try:
        git(repo, *args)
    except GitError as exc:
        print(f"WARNING: {exc.message}", file=sys.stderr)
