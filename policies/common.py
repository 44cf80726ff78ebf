"""Helpers shared by the rule modules: reading props as the engine hands them, policy documents, stack views.

Props reach rules as read-only mappings (`pulumi_policy`'s unknown-checking proxies: not `dict`, lists are
not `list`), with camelCase keys. Everything here accepts any `Mapping` / `Sequence` and never mutates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

# --------------------------------------------------------------------------------------------------
# Reading props

PRODUCTION_STACKS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "default": ["production"],
    "description": "Stack names treated as production (the stack segment of each resource URN).",
}


def get(value: Any, *path: str) -> Any:
    """`value[path[0]][path[1]]...`, or None when a step is missing or not a mapping."""
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def as_list(value: Any) -> list[Any]:
    """A scalar, None or a sequence as a list (IAM allows a string where a list is meant)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def first(value: Any) -> Any:
    """The single object of a list-shaped nested block (`rule`, `rules[0]`), or the value itself."""
    items = as_list(value)
    return items[0] if items else None


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`."""
    parts = urn.split("::")
    return parts[0].removeprefix("urn:pulumi:") if parts and parts[0].startswith("urn:pulumi:") else ""


def is_production(urn: str, config: Mapping[str, Any]) -> bool:
    return stack_of(urn) in set(as_list(config.get("productionStacks", ["production"])))


def tags_of(props: Mapping[str, Any]) -> Mapping[str, Any]:
    tags = props.get("tags")
    return tags if isinstance(tags, Mapping) else {}


# --------------------------------------------------------------------------------------------------
# IAM-style policy documents (IAM, bucket, key and topic policies)


def document(value: Any) -> Mapping[str, Any] | None:
    """A policy document given as a JSON string or an object; None if absent or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, Mapping) else None
    return None


def statements(doc: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if doc is None:
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, Mapping)]


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def lower_actions(statement: Mapping[str, Any]) -> set[str]:
    return {a.lower() for a in actions(statement)}


def is_wildcard_principal(principal: Any) -> bool:
    """`"*"` or `{"AWS": "*"}` (any AWS account, including anonymous callers)."""
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in [str(p) for p in as_list(principal.get("AWS"))]


def condition_values(statement: Mapping[str, Any], operator_prefix: str, key: str) -> list[str]:
    """Values of `Condition[<op>][key]` for operators starting with `operator_prefix` (case-insensitive key)."""
    found: list[str] = []
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return found
    for operator, clauses in condition.items():
        if not str(operator).startswith(operator_prefix) or not isinstance(clauses, Mapping):
            continue
        for clause_key, values in clauses.items():
            if str(clause_key).lower() == key.lower():
                found.extend(str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(values))
    return found


def denies_insecure_transport(statement: Mapping[str, Any], needed_actions: Iterable[str]) -> bool:
    """A Deny for any principal when `aws:SecureTransport` is false, covering `needed_actions` (lowercase)."""
    if statement.get("Effect") != "Deny" or not is_wildcard_principal(statement.get("Principal")):
        return False
    if "false" not in [v.lower() for v in condition_values(statement, "Bool", "aws:SecureTransport")]:
        return False
    granted = lower_actions(statement)
    return all(a in granted or "*" in granted or f"{a.split(':')[0]}:*" in granted for a in needed_actions)


# --------------------------------------------------------------------------------------------------
# Stack views


class StackView:
    """Index of a stack's resources for relation rules (a config resource -> the bucket it configures)."""

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.resources = list(resources)

    def of_type(self, *types: str) -> list[PolicyResource]:
        wanted = set(types)
        return [r for r in self.resources if r.resource_type in wanted]

    def by_prop(self, types: Iterable[str], prop: str) -> dict[str, list[PolicyResource]]:
        """Resources of `types` grouped by the string value of `prop`."""
        index: dict[str, list[PolicyResource]] = {}
        for r in self.of_type(*types):
            value = r.props.get(prop)
            if isinstance(value, str):
                index.setdefault(value, []).append(r)
        return index


def identifiers(resource: PolicyResource, *props: str) -> set[str]:
    """The values other resources may use to reference this one (name, id, ARN...)."""
    found: set[str] = set()
    for prop in props:
        value = resource.props.get(prop)
        if isinstance(value, str) and value:
            found.add(value)
    return found


def matching(index: Mapping[str, list[PolicyResource]], keys: Iterable[str]) -> list[PolicyResource]:
    out: list[PolicyResource] = []
    for key in keys:
        out.extend(index.get(key, []))
    return out


def walk(value: Any) -> Iterator[Any]:
    """Every nested value of a props tree (for rules that look for a field anywhere)."""
    yield value
    if isinstance(value, Mapping):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        for v in value:
            yield from walk(v)


def regex(config: Mapping[str, Any], key: str, default: str) -> re.Pattern[str]:
    return re.compile(str(config.get(key) or default))
