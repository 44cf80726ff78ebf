"""Config drift: where the config an update recorded differs from the stack file of the commit it deployed.

A code rollback deploys the commit's stack file, so a value set by hand after that commit (or a key removed
since) would silently change; each difference is printed as a warning, without its value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ops.pulumi_cli import RollbackError
from ops.strict_yaml import read_yaml


def _as_recorded(value: Any) -> Any:
    """A stack-file value the way the history records it: booleans as `true`/`false`, scalars as text."""
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, dict | list) else str(value)


def config_drift(recorded: dict[str, Any], stack_file: Path, label: str) -> list[str]:
    """Differences between the config an update recorded and the stack file of its commit (values not shown)."""
    document = read_yaml(stack_file, label) or {}
    committed = document.get("config") if isinstance(document, dict) else None
    if not isinstance(committed, dict | None):
        raise RollbackError(f"{label}: `config:` is not a mapping; that commit cannot be redeployed")
    committed = committed or {}
    notes: list[str] = []
    for key, entry in sorted(recorded.items()):
        if key not in committed:
            notes.append(f"{key}: set when the update ran, absent from the commit's stack file")
            continue
        if not isinstance(entry, dict) or entry.get("secret"):
            continue
        was = entry.get("objectValue", entry.get("value"))
        now = committed[key]
        if _as_recorded(now) != was and not (isinstance(now, dict | list) and json.dumps(now) == was):
            notes.append(f"{key}: differs between the update's record and the commit's stack file")
    notes += [
        f"{key}: in the commit's stack file, not in the update's record"
        for key in sorted(set(committed) - set(recorded))
    ]
    return notes
