"""The JSON Schema of a stack file and the settings reference, both generated from the pydantic models.

`python -m ops settings-doc --write` rewrites `schema/stack-settings.schema.json` (the stack files point
editors at it with a `yaml-language-server` comment) and `docs/settings.md` (rendered from that same
schema); a test fails when either is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from components.settings import StackSettings

from .boundary import InputError
from .strict_yaml import read_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "schema" / "stack-settings.schema.json"
DOC_PATH = REPO_ROOT / "docs" / "settings.md"
NAMESPACE = "functions-platform"
SECRET_VALUE = "SecretValue"
_LONG = 60


class _WithFactoryDefaults(GenerateJsonSchema):
    """Also show the defaults that come from a default factory (lists and nested sections)."""

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            return factory()  # pyright: ignore[reportCallIssue]
        return super().get_default_value(schema)


def _declared_secrets() -> dict[str, str]:
    project = read_yaml(REPO_ROOT / "Pulumi.yaml")
    if not isinstance(project, dict) or not isinstance(project.get("config") or {}, dict):
        raise InputError("Pulumi.yaml: must be a mapping whose `config:` is a mapping")
    return {
        key: str(spec.get("description", ""))
        for key, spec in (project.get("config") or {}).items()
        if isinstance(spec, dict) and spec.get("secret")
    }


def stack_file_schema() -> dict[str, Any]:
    """The schema of `Pulumi.<stack>.yaml` as it is written: settings under `config:` as `<project>:<key>`."""
    settings = StackSettings.model_json_schema(schema_generator=_WithFactoryDefaults)
    defs: dict[str, Any] = settings.pop("$defs", {})
    alarm = defs.get("AlarmDefinition")
    if alarm is not None:
        # `alerting.alarms` entries merge with the runbook defaults by name: an override names only what it
        # changes, so only `name` is required here; the loader checks a new alarm has all it needs.
        alarm["required"] = ["name"]
    defs[SECRET_VALUE] = {
        "type": "object",
        "description": "An encrypted value, written by `pulumi config set --secret <key>` (which prompts for the value).",
        "properties": {"secure": {"type": "string"}},
        "required": ["secure"],
        "additionalProperties": False,
    }
    properties = {f"{NAMESPACE}:{key}": value for key, value in settings["properties"].items()}
    for key, description in _declared_secrets().items():
        properties[f"{NAMESPACE}:{key}"] = {"$ref": f"#/$defs/{SECRET_VALUE}", "description": description}
    config = {
        "type": "object",
        "description": settings.get("description", ""),
        "properties": properties,
        "required": [f"{NAMESPACE}:{key}" for key in settings.get("required", [])],
        "patternProperties": {
            # Secret keys that repository entries name (github.repositories[].secret_keys); a pattern applies
            # to the named keys too, so they are left out of it.
            f"^{NAMESPACE}:(?!({'|'.join(sorted(k.split(':', 1)[1] for k in properties))})$)[a-z][a-z0-9_]*$": {
                "$ref": f"#/$defs/{SECRET_VALUE}"
            },
            # Other namespaces (aws:region, pulumi:..., provider settings) are not this program's to check.
            f"^(?!{NAMESPACE}:)[A-Za-z0-9_.-]+:.+$": {},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/lodgetix/functions-platform/schema/stack-settings.schema.json",
        "title": f"Pulumi stack file of {NAMESPACE}",
        "description": "Generated from components/settings/ by `python -m ops settings-doc --write`.",
        "type": "object",
        "properties": {
            "config": config,
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {"description": "Pulumi ESC environments to import."},
        },
        "required": ["config"],
        "$defs": dict(sorted(defs.items())),
    }


def render_schema(document: dict[str, Any] | None = None) -> str:
    return json.dumps(document or stack_file_schema(), indent=2, sort_keys=False) + "\n"


# ---------------------------------------------------------------------------------------------------
# The reference, rendered from the schema


class _Schema:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = schema.get("$defs", {})

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if ref is None:
            return node
        merged = {**self.defs[ref.rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        return self.resolve(merged) if "$ref" in merged else merged

    def alternatives(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        node = self.resolve(node)
        options = node.get("anyOf") or node.get("oneOf")
        return [self.resolve(o) for o in options] if options else [node]

    def type_name(self, node: dict[str, Any]) -> str:  # noqa: PLR0911 - one return per kind of schema
        node = self.resolve(node)
        if "anyOf" in node or "oneOf" in node:
            return " | ".join(self.type_name(o) for o in self.alternatives(node))
        if "enum" in node:
            return " | ".join(json.dumps(v) for v in node["enum"])
        if "const" in node:
            return json.dumps(node["const"])
        kind = node.get("type")
        if kind == "array":
            return f"list[{self.type_name(node.get('items', {}))}]"
        if kind == "object" and "properties" in node:
            return "mapping"
        if kind == "object":
            values = node.get("additionalProperties")
            keys = node.get("propertyNames")
            key_type = self.type_name(keys) if isinstance(keys, dict) else "string"
            return f"map[{key_type}, {self.type_name(values) if isinstance(values, dict) else 'any'}]"
        names = {"integer": "int", "number": "float", "boolean": "bool", "string": "str", "null": "null"}
        return names.get(str(kind), str(kind or "any"))

    def nested(self, node: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """The mapping with keys inside a node, and the key suffix that reaches it (`[]` for list items)."""
        for option in self.alternatives(node):
            if option.get("type") == "object" and "properties" in option:
                return option, ""
            if option.get("type") == "array":
                inner, suffix = self.nested(option.get("items", {}))
                if inner is not None:
                    return inner, "[]" + suffix
        return None, ""


def _default(node: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default" not in node:
        return ""
    value = node["default"]
    if isinstance(value, dict) and value:
        return "(see keys below)"
    text = json.dumps(value)
    return f"`{text}`" if len(text) <= _LONG else "(long default: see the schema)"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rows(schema: _Schema, mapping: dict[str, Any], prefix: str, *, top: bool) -> list[str]:
    rows = []
    required = set(mapping.get("required", []))
    for name, raw in mapping.get("properties", {}).items():
        node = schema.resolve(raw)
        key = name if top else f"{prefix}.{name}"
        inner, suffix = schema.nested(raw)
        description = node.get("description") or (inner or {}).get("description", "")
        type_name = schema.type_name(raw)
        rows.append(f"| `{key}` | {_cell(type_name)} | {_default(node, name in required)} | {_cell(description)} |")
        if inner is not None and inner.get("title") != SECRET_VALUE:
            rows.extend(_rows(schema, inner, key + suffix, top=False))
    return rows


def render(document: dict[str, Any] | None = None) -> str:
    """docs/settings.md, from the stack file schema (the one `render_schema` writes)."""
    document = document or stack_file_schema()
    schema = _Schema(document)
    config = document["properties"]["config"]
    settings = {
        "properties": {k: v for k, v in config["properties"].items() if v.get("$ref") != f"#/$defs/{SECRET_VALUE}"},
        "required": config["required"],
    }
    secrets = [
        f"| `{key}` | {_cell(node.get('description', ''))} |"
        for key, node in config["properties"].items()
        if node.get("$ref") == f"#/$defs/{SECRET_VALUE}"
    ]
    lines = [
        "# Settings reference",
        "",
        "Generated from `schema/stack-settings.schema.json` (itself generated from `components/settings/`) by",
        "`python -m ops settings-doc --write`; a test keeps both current. Keys are set in `Pulumi.<stack>.yaml`",
        "under `config:`; structured values are YAML mappings. `key[]` is each item of a list. The stack files",
        "point editors at the schema (`# yaml-language-server: $schema=...`), so keys complete and mistakes",
        "show while typing.",
        "",
        "| Key | Type | Default | Meaning |",
        "|---|---|---|---|",
        *_rows(schema, settings, "", top=True),
        "",
        "## Secrets",
        "",
        "Set each with `pulumi config set --secret <key>`: the CLI prompts for the value (or reads it from",
        "standard input), so it stays off the command line, and the stack file holds only its ciphertext",
        "(`secure: ...`), never the plain text. Offline plans use a visible placeholder that stays marked",
        "secret. A repository entry can",
        "read a secret from another key (`github.repositories[].secret_keys`); set that key the same way.",
        "",
        "| Key | Meaning |",
        "|---|---|",
        *secrets,
    ]
    return "\n".join(lines) + "\n"


def stale() -> list[Path]:
    """Generated files that differ from what the models produce now."""
    return [path for path, text in _generated().items() if not path.is_file() or path.read_text() != text]


def _generated() -> dict[Path, str]:
    """Both files from one schema: the reference documents exactly what the schema checks."""
    document = stack_file_schema()
    return {SCHEMA_PATH: render_schema(document), DOC_PATH: render(document)}


def write() -> None:
    try:
        for path, text in _generated().items():
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
    except OSError as exc:
        raise InputError(f"{exc.filename}: cannot be written ({exc.strerror or type(exc).__name__})") from None
