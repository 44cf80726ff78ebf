"""Strict, bounded YAML reading for files a user or a commit controls (`Pulumi.yaml`, stack files).

What it refuses, each with the file name and line: bytes that are not UTF-8, files over 1 MiB, anything
that is not valid YAML, a key repeated in one mapping (naming both lines, as the CLI's YAML library does),
keys that are not strings, nesting deeper than `MAX_DEPTH`, aliases that are recursive or expand to more
than `MAX_NODES` nodes (an alias bomb), and tags other than the plain JSON-like types (`!!binary`,
`!!timestamp`, `!!set`, custom tags). Scalars resolve by the YAML 1.2 core schema the CLI's Go library
uses: `yes`, `no`, `on`, `off` and dates stay strings, `010` is ten.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .boundary import InputError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 100_000

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null")}
_MERGE = f"{_TAG}merge"


class _Refused(yaml.YAMLError):
    def __init__(self, node_or_mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = getattr(node_or_mark, "start_mark", node_or_mark)
        self.message = message


class _CoreSchemaLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars and a bound on nesting."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry, rebuilt below

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # pyright: ignore[reportIncompatibleMethodOverride]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(self.peek_event().start_mark, f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)  # pyright: ignore[reportArgumentType]
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: ScalarNode) -> int:  # pyright: ignore[reportIncompatibleMethodOverride]
        text = str(self.construct_scalar(node))
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.startswith(("0o", "0x")):
            return int(digits, 0)
        return sign * int(digits, 10)


for _tag, _pattern, _first in (
    ("bool", r"(?:true|True|TRUE|false|False|FALSE)\Z", "tTfF"),
    ("int", r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z", "-+0123456789"),
    (
        "float",
        r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z",
        "-+0123456789.",
    ),
    ("null", r"(?:~|null|Null|NULL|)\Z", ["~", "n", "N", ""]),
    ("merge", r"<<\Z", "<"),
):
    _CoreSchemaLoader.add_implicit_resolver(f"{_TAG}{_tag}", re.compile(_pattern), list(_first))
_CoreSchemaLoader.add_constructor(f"{_TAG}int", _CoreSchemaLoader.construct_yaml_int)


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _check(root: Node) -> None:
    """Key types, duplicate keys, tags, recursion and expanded size, before anything is constructed."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def walk(node: Node, path: str) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in visiting:
            raise _Refused(node, f"recursive alias at {path or 'the top level'}")
        visiting.add(id(node))
        expected = _SCALAR_TAGS if isinstance(node, ScalarNode) else {f"{_TAG}seq", f"{_TAG}map"}
        if node.tag not in expected:
            raise _Refused(node, f"unsupported tag {_tag_name(node.tag)} at {path or 'the top level'}")
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(walk(item, f"{path}[{index}]") for index, item in enumerate(node.value))
        elif isinstance(node, MappingNode):
            size += sum(walk(value, where) for where, value in _entries(node, path))
        visiting.discard(id(node))
        sizes[id(node)] = size
        if size > MAX_NODES:
            raise _Refused(node, f"expands to more than {MAX_NODES} values (aliases repeated too often)")
        return size

    walk(root, "")


def _entries(node: MappingNode, path: str) -> list[tuple[str, Node]]:
    """(key path, value) of each entry; keys must be strings and appear once (merge keys `<<` excepted)."""
    entries: list[tuple[str, Node]] = []
    seen: dict[str, int] = {}
    for key, value in node.value:
        if key.tag == _MERGE:
            entries.append((path, value))
            continue
        if not isinstance(key, ScalarNode) or key.tag != f"{_TAG}str":
            shown = repr(key.value) if isinstance(key, ScalarNode) else "a " + type(key).__name__[:-4].lower()
            raise _Refused(key, f"key {shown} at {path or 'the top level'} is not a string (quote it)")
        where = f"{path}.{key.value}" if path else key.value
        if key.value in seen:
            raise _Refused(key, f"duplicate key {where!r} (first defined on line {seen[key.value]}); keep one of them")
        seen[key.value] = key.start_mark.line + 1
        entries.append((where, value))
    return entries


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{label}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x})") from None


def parse_yaml(text: str, label: str) -> Any:
    """The one document in `text`, checked as described above; `label` names it in messages."""
    try:
        loader = _CoreSchemaLoader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters up front
        raise InputError(f"{label}: not valid YAML: {exc}".split("\n")[0]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node)
        return loader.construct_document(node)
    except _Refused as exc:
        raise InputError(f"{label}, line {exc.mark.line + 1}: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise InputError(f"{label}{where}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{label}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def read_bounded(path: Path, label: str, too_large: str = "") -> bytes:
    """At most MAX_BYTES of `path`; an unreadable or larger file is an `InputError` naming `label`."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{label}: larger than {MAX_BYTES // 1024} KiB{too_large}")
    return data


def read_yaml(path: Path, label: str | None = None) -> Any:
    """Read and parse `path` strictly; raise `InputError` naming `label` (default: the file name)."""
    label = label or path.name
    data = read_bounded(path, label, "; not a Pulumi settings file")
    return parse_yaml(_decode(data, label), label)
