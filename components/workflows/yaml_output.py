"""Serialise workflow dicts with yaml.safe_dump semantics, plus two deliberate adjustments.

1. PyYAML follows YAML 1.1, where a plain `on` is a boolean, so `safe_dump` writes the trigger key as
   `'on':`. GitHub reads `on:`; we want exactly that. Only the top-level trigger key is changed: it is
   emitted as a plain scalar, every other value keeps safe_dump's quoting (a string "on" or "true" stays
   quoted, real booleans stay `true`/`false`).
2. Multi-line strings (run scripts) are written as literal blocks (`|`) so they read like shell.

The only text added after serialisation is comments: `# <tag>` after each pinned `uses:` value, and
the reason after each granted permission (zizmor's undocumented-permissions).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .actions import tag_comments


class _TriggerKey(str):
    """The workflow's `on` key."""

    __slots__ = ()


class WorkflowDumper(yaml.SafeDumper):
    """SafeDumper that writes the trigger key as plain `on` and multi-line strings as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        # Shared dicts (e.g. `permissions: {}`) must be written out, not as anchors: zizmor and many
        # readers of workflow files handle YAML anchors poorly.
        return True


def _represent_trigger_key(dumper: yaml.SafeDumper, value: _TriggerKey) -> yaml.Node:
    # Tagged as the boolean that a YAML 1.1 resolver reads from plain `on`, the emitter may leave it
    # unquoted; GitHub's YAML 1.2 parser reads it as the string key "on".
    return dumper.represent_scalar("tag:yaml.org,2002:bool", str(value))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


WorkflowDumper.add_representer(_TriggerKey, _represent_trigger_key)
WorkflowDumper.add_representer(str, _represent_str)


def dump_workflow(document: dict[str, Any]) -> str:
    document = {(_TriggerKey(key) if key == "on" else key): value for key, value in document.items()}
    text = yaml.dump(document, Dumper=WorkflowDumper, sort_keys=False, width=1000, allow_unicode=False)
    return _add_comments(text)


_USES_LINE = re.compile(r"^(?P<head>\s*(?:- )?uses: )(?P<ref>\S+)$")
_PERMISSIONS_LINE = re.compile(r"^(?P<indent>\s*)permissions:$")
_GRANT_LINE = re.compile(r"^(?P<indent>\s*)(?P<scope>[a-z-]+): (?P<level>read|write)$")

PERMISSION_REASONS = {
    ("contents", "read"): "check out the repository",
    ("actions", "read"): "find the last successful deploy run to roll back to",
    ("id-token", "write"): "exchange the job's OIDC token for short-lived AWS credentials",
}


def _add_comments(text: str) -> str:
    tags = tag_comments()
    lines: list[str] = []
    permissions_indent: int | None = None
    for line in text.splitlines():
        comment = ""
        if permissions_indent is not None and (len(line) - len(line.lstrip())) <= permissions_indent:
            permissions_indent = None
        if match := _PERMISSIONS_LINE.match(line):
            permissions_indent = len(match["indent"])
        elif (match := _USES_LINE.match(line)) and match["ref"] in tags:
            comment = tags[match["ref"]]
        elif permissions_indent is not None and (match := _GRANT_LINE.match(line)):
            reason = PERMISSION_REASONS.get((match["scope"], match["level"]))
            if reason is None:
                raise ValueError(f"permission {match['scope']}: {match['level']} has no documented reason")
            comment = reason
        lines.append(f"{line} # {comment}" if comment else line)
    return "\n".join(lines) + "\n"


class WorkflowLoader(yaml.SafeLoader):
    """Reads workflows as GitHub does: YAML 1.2 booleans (`true`/`false` only), so `on` is a string key."""


_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WorkflowLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _YAML12_BOOL, list("tTfF"))


def load_workflow(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=WorkflowLoader)  # noqa: S506 - a SafeLoader subclass
