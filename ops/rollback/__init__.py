"""`python -m ops rollback`: put a stack back to what an earlier update deployed.

Two procedures (docs/operations.md, "Rolling a stack back"), neither of them an "undo":
- code rollback (default, `code_rollback`): redeploy the git commit the target update recorded (`git.head`), checked
  out in a temporary `git worktree` (`worktree`) with the stack file of that commit, through `pulumi preview` and
  `pulumi up`; where the update's recorded config differs from that stack file, `config_drift` warns;
- state rollback (`--state-only`, break-glass for a corrupted state, `state_rollback`): import the checkpoint the
  target update left behind. It rewrites Pulumi's record only; a `pulumi refresh` and a preview must follow.
Both back the current state up first, outside the repository (`backups`), and refuse with no change when unsafe.
`command` prepares a rollback: the project, a clean tree, the backend, the history (`history`) and the target
update (`target`).
"""

from .backups import backup_directory
from .command import EXIT_OK, EXIT_REFUSED, EXIT_STEP_FAILED, rollback, run_rollback
from .history import Update, history_table, parse_history
from .prepared import PreparedRollback, RollbackOptions
from .target import select_target

__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_STEP_FAILED",
    "PreparedRollback",
    "RollbackOptions",
    "Update",
    "backup_directory",
    "history_table",
    "parse_history",
    "rollback",
    "run_rollback",
    "select_target",
]
