"""The real stack files, and the settings of the stack file an evaluation ran with (the real one or an edited copy)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from ops.offline import Evaluation
from tests.support.repository import REPO

NAMESPACE = "functions-platform"
# Changes a mapping of a stack file in place: its `config:`, its project keys without the namespace, or one area.
Edit = Callable[[dict[str, Any]], None]


def load_stack(stack: str) -> dict[str, Any]:
    """The whole document of `Pulumi.<stack>.yaml`."""
    return yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())


def raw_config(stack: str) -> dict[str, Any]:
    """The stack file's project keys without the namespace, as the loader hands them to `parse_settings`."""
    config = copy.deepcopy(load_stack(stack)["config"])
    prefix = f"{NAMESPACE}:"
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}


def evaluated_area(evaluation: Evaluation, area: str) -> dict[str, Any]:
    """One area's mapping (`<namespace>:<area>`) in the stack file the evaluation ran with; empty when unset."""
    document = yaml.safe_load((evaluation.program_dir / f"Pulumi.{evaluation.stack}.yaml").read_text())
    return document["config"].get(f"{NAMESPACE}:{area}", {})


def set_nested(mapping: dict[str, Any], path: Sequence[Any], value: Any) -> None:
    """Set `value` at `path` (mapping keys and list indexes) inside `mapping`; missing mappings on the way are made."""
    node: Any = mapping
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    node[path[-1]] = value


def edit_setting(*path: Any, value: Any) -> Edit:
    """An edit that sets one value: `edit_setting("retention", "daily_days", value=0)`."""
    return lambda mapping: set_nested(mapping, path, value)
