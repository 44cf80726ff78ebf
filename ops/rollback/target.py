"""Which update a rollback returns to: `--to` resolved against the history (docs/operations.md), or the default."""

from __future__ import annotations

import re

from ops.backends import Backend
from ops.pulumi_cli import RollbackError

from .history import Update, parse_time

_POSITION = re.compile(r"^@(\d+)$")
_VERSION = re.compile(r"^\d{1,6}$")
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def _succeeded_update(update: Update, how: str) -> Update:
    """`update`, if a rollback can return to it: an update (not a refresh or destroy) that succeeded."""
    if update.kind != "update":
        raise RollbackError(f"{how} selects {update.label()}, which is a {update.kind}, not an update")
    if update.result != "succeeded":
        raise RollbackError(f"{how} selects {update.label()}, which did not succeed; pick a succeeded update")
    return update


def default_target(updates: list[Update]) -> Update:
    """The newest succeeded update older than the current one (the newest `update` entry, whatever its result)."""
    current = next((u for u in updates if u.kind == "update"), None)
    if current is None:
        raise RollbackError("the stack has no update in its history; there is nothing to roll back to")
    for update in updates[current.index + 1 :]:
        if update.kind == "update" and update.result == "succeeded":
            return update
    raise RollbackError(f"no succeeded update is older than the current one, {current.label()}")


def select_target(updates: list[Update], spec: str | None, backend: Backend) -> Update:
    """Resolve `--to` (see docs/operations.md): @N position, version number, commit prefix, or ISO time."""
    if not updates:
        raise RollbackError("the stack has no update history")
    if spec is None:
        return default_target(updates)
    spec = spec.strip()
    how = f"--to {spec}"
    if match := _POSITION.match(spec):
        position = int(match.group(1))
        if position >= len(updates):
            raise RollbackError(f"{how}: the history lists only @0 to @{len(updates) - 1}")
        return _succeeded_update(updates[position], how)
    if _VERSION.match(spec):
        if backend.diy or not any(u.version for u in updates):
            raise RollbackError(
                f"{how}: this backend ({backend.url}) numbers every update 0; select by position (@N), "
                "commit prefix or ISO time instead"
            )
        found = [u for u in updates if u.version == int(spec)]
        if not found:
            raise RollbackError(f"{how}: no update with version {spec} in the last {len(updates)} entries")
        return _succeeded_update(found[0], how)
    if _COMMIT.match(spec):
        matches = [u for u in updates if u.kind == "update" and u.commit.lower().startswith(spec.lower())]
        if not matches:
            raise RollbackError(f"{how}: no update in the history deployed a commit starting with {spec}")
        if len({u.commit for u in matches}) > 1:
            raise RollbackError(f"{how}: the prefix matches several commits; give more characters")
        succeeded = [u for u in matches if u.result == "succeeded"]
        return _succeeded_update((succeeded or matches)[0], how)
    moment = parse_time(spec)
    if moment is None:
        raise RollbackError(
            f"{how}: not a position (@2), version number (42), commit prefix (7+ hex digits) or ISO time"
        )
    earlier = [u for u in updates if u.kind == "update" and u.start is not None and u.start <= moment]
    if not earlier:
        raise RollbackError(f"{how}: no update started at or before {moment.isoformat()}")
    return _succeeded_update(earlier[0], how)
