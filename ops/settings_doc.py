"""The README's settings reference, generated from the pydantic models so it cannot drift.

`python -m ops settings-doc --write` rewrites the README block; a test fails when it is stale.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from components.settings import StackSettings

from .boundary import InputError
from .strict_yaml import read_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
NAMESPACE = "functions-platform"
BEGIN, END = "<!-- section:settings-reference -->", "<!-- /section:settings-reference -->"


def nested_model(annotation: Any) -> tuple[type[BaseModel] | None, str]:
    """The settings model inside an annotation, and the key suffix that reaches it (`[]`, `.<key>`)."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return nested_model(args[0])
    if origin is list and args:
        model, suffix = nested_model(args[0])
        return model, "[]" + suffix
    if origin is dict and len(args) == 2:
        model, suffix = nested_model(args[1])
        return model, ".<key>" + suffix
    return None, ""


def _type_name(annotation: Any) -> str:  # noqa: PLR0911 - one return per kind of annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(json.dumps(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(a) for a in args)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in args)}]"
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: Any) -> str:
    if field.default_factory is not None:
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            return "(see keys below)"
        value = field.default_factory()
    elif field.default is PydanticUndefined:
        return "**required**"
    else:
        value = field.default
    if isinstance(value, BaseModel):
        return "(see keys below)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"{len(value)} runbook entries (see `components/settings/`)"
    text = json.dumps(value, default=str)
    return f"`{text}`" if len(text) <= 60 else "(long default; see `components/settings/`)"


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else f"{NAMESPACE}:{name}"
        nested, suffix = nested_model(field.annotation)
        description = field.description or (nested.__doc__ if nested is not None else "") or ""
        description = " ".join(description.split()).replace("|", "\\|")
        type_name = "mapping" if nested is not None and not suffix else _type_name(field.annotation)
        rows.append(f"| `{key}` | {type_name} | {_default(field)} | {description} |")
        if nested is not None:
            rows.extend(_rows(nested, key + suffix))
    return rows


def _secret_rows() -> list[str]:
    project = read_yaml(REPO_ROOT / "Pulumi.yaml")
    if not isinstance(project, dict):
        raise InputError("Pulumi.yaml: must be a mapping")
    rows = []
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and spec.get("secret"):
            rows.append(f"| `{NAMESPACE}:{key}` | {spec.get('description', '')} |")
    return rows


def render() -> str:
    lines = [
        BEGIN,
        "## Settings reference",
        "",
        "Generated from `components/settings/` by `python -m ops settings-doc --write` (a test keeps it current).",
        "Keys are set in `Pulumi.<stack>.yaml` under `config:`; structured values are YAML mappings.",
        "",
        "| Key | Type | Default | Meaning |",
        "|---|---|---|---|",
        *_rows(StackSettings, ""),
        "",
        "### Secrets",
        "",
        "Set each with `pulumi config set --secret <key> <value>`; they never appear in the stack files in",
        "plain text. Offline plans use a visible placeholder that stays marked secret.",
        "",
        "| Key | Meaning |",
        "|---|---|",
        *_secret_rows(),
        END,
    ]
    return "\n".join(lines)


def _readme() -> str:
    try:
        return README.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"README.md: cannot be read ({type(exc).__name__})") from None


def current() -> str:
    text = _readme()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise InputError(f"README.md: no `{BEGIN}` ... `{END}` block to rewrite")
    return text[start : end + len(END)]


def write() -> None:
    text = _readme().replace(current(), render())
    try:
        README.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"README.md: cannot be written ({exc.strerror or type(exc).__name__})") from None
