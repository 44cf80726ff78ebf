"""`--policy-config FILE`: the JSON that `pulumi preview --policy-pack-config` takes, validated before any program runs.

The file is an object keyed by policy name (or `all`, which sets every policy's level). A value is an
enforcement level, or an object with an optional `enforcementLevel` and the policy's own properties,
checked against the policy's config schema. Unknown policy names and properties are refused (a typo would
otherwise leave the default silently in force), and so are duplicate keys, NaN and files over 1 MiB.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
from pulumi_policy import EnforcementLevel, Policy

from .boundary import InputError
from .strict_yaml import read_bounded

ALL = "all"
LEVELS = tuple(level.value for level in EnforcementLevel)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _level(value: Any, where: str) -> str:
    if value not in LEVELS:
        raise InputError(f"{where}: enforcement level must be one of {', '.join(LEVELS)}")
    return value


def _check_properties(policy: Policy, values: dict[str, Any], where: str) -> None:
    schema = policy.config_schema
    properties = dict(schema.properties) if schema is not None else {}
    for key in values:
        if key not in properties:
            known = ", ".join(sorted(properties)) or "none"
            raise InputError(f"{where}: unknown property {key!r}{_suggest(key, list(properties))} (known: {known})")
    document = {"type": "object", "properties": properties, "required": list(schema.required or []) if schema else []}
    validator = jsonschema.Draft7Validator(document, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise InputError(f"{where}{path}: {error.message}")


def parse_policy_config(text: str, policies: Sequence[Policy], label: str) -> dict[str, Any]:
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{label}: not valid JSON: {str(exc).splitlines()[0]}") from None
    if not isinstance(document, dict):
        raise InputError(f"{label}: must be a JSON object keyed by policy name")
    by_name = {p.name: p for p in policies}
    for name, value in document.items():
        where = f"{label}: {name}"
        if name == ALL:
            _level(value, where)
            continue
        policy = by_name.get(name)
        if policy is None:
            raise InputError(f"{where}: no policy of that name in the pack{_suggest(name, list(by_name))}")
        if isinstance(value, str):
            _level(value, where)
        elif isinstance(value, dict):
            if "enforcementLevel" in value:
                _level(value["enforcementLevel"], f"{where}.enforcementLevel")
            _check_properties(policy, {k: v for k, v in value.items() if k != "enforcementLevel"}, where)
        else:
            raise InputError(f"{where}: must be an enforcement level or an object")
    return document


def read_policy_config(path: Path, policies: Sequence[Policy]) -> dict[str, Any]:
    label = str(path)
    data = read_bounded(path, label)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{label}: not UTF-8 text") from None
    return parse_policy_config(text, policies, label)
