"""Serialise workflow dicts as YAML 1.2 with ruamel.yaml (round-trip mode, so comments are part of the data).

The layout is the one the committed files have always had (block style, sequences not indented under
their key, width 1000, ASCII only). Three choices are made explicit on the data before dumping:

1. Quoting: a string is single-quoted where PyYAML's YAML 1.1 resolver (the policy pack reads workflows
   with PyYAML) would read its plain form as something else (`'on'`, `'20'`, `'0755'`); what YAML 1.2, and
   so GitHub, would misread ruamel's emitter quotes by itself. The top-level trigger key stays a plain
   `on:`, the spelling GitHub documents.
2. Multi-line strings (run scripts) are literal blocks (`|`), so they read like shell; one holding a character a
   block cannot carry (a control character) is double-quoted with escapes instead.
3. Comments, attached through ruamel's API: `# <tag>` after each pinned `uses:` value, and the reason after
   each granted permission (zizmor's undocumented-permissions).

Every dict and list is copied into a fresh CommentedMap/CommentedSeq, so a dict that several jobs share
(`permissions: {}`) is written out each time, never as a YAML anchor, and gets no comment of another job.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.reader import Reader
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from .actions import tag_comments

PERMISSION_REASONS = {
    ("contents", "read"): "check out the repository",
    ("actions", "read"): "find the last successful deploy run to roll back to",
    ("id-token", "write"): "exchange the job's OIDC token for short-lived AWS credentials",
}
GRANTED_LEVELS = ("read", "write")
STRING_TAG = "tag:yaml.org,2002:str"
# PyYAML is the YAML 1.1 reader we have (the policy pack reads workflows with it).
_YAML11 = yaml.resolver.Resolver()


def _writer() -> YAML:
    writer = YAML(typ="rt")
    writer.indent(mapping=2, sequence=2, offset=0)
    writer.width = 1000
    writer.allow_unicode = False
    # Round-trip mode writes a null mapping value as nothing (`key:`); workflows spell it `null`.
    writer.representer.add_representer(
        type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return writer


def dump_workflow(document: Mapping[str, Any]) -> str:
    tree = CommentedMap((key if key == "on" else _string(key), _node(value, key)) for key, value in document.items())
    buffer = io.StringIO()
    _writer().dump(tree, buffer)
    return buffer.getvalue()


def load_workflow(text: str) -> Any:
    """Reads a workflow as GitHub does: YAML 1.2, where `on` is a string key and only true/false are booleans."""
    return YAML(typ="safe", pure=True).load(text)


def _node(value: Any, key: object = None) -> Any:
    if isinstance(value, Mapping):
        return _mapping(value, key)
    if isinstance(value, list | tuple):
        return CommentedSeq(_node(item) for item in value)
    if isinstance(value, str):
        return _string(value)
    return value


def _mapping(value: Mapping[Any, Any], key: object) -> CommentedMap:
    mapping = CommentedMap((_string(k) if isinstance(k, str) else k, _node(v, k)) for k, v in value.items())
    tag = tag_comments().get(mapping.get("uses", ""))
    if tag:
        _comment(mapping, "uses", tag)
    if key == "permissions":
        for scope, level in value.items():
            if level in GRANTED_LEVELS:
                reason = PERMISSION_REASONS.get((scope, level))
                if reason is None:
                    raise ValueError(f"permission {scope}: {level} has no documented reason")
                _comment(mapping, scope, reason)
    return mapping


def _comment(mapping: CommentedMap, key: str, text: str) -> None:
    # Column 0 is before any value, so ruamel puts the comment one space after the value.
    mapping.yaml_add_eol_comment(text, key, column=0)


def _string(value: str) -> str:
    # A literal block cannot escape anything: a value with a character YAML forbids there is left to the
    # emitter, which double-quotes it with escapes (the file stays readable).
    if "\n" in value and not Reader.NON_PRINTABLE.search(value):
        return LiteralScalarString(value)
    if _YAML11.resolve(yaml.ScalarNode, value, (True, False)) != STRING_TAG:
        return SingleQuotedScalarString(value)
    return value
