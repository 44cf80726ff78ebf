"""`Pulumi.yaml` and `Pulumi.<stack>.yaml` read the way the Pulumi CLI reads them, and refused where it would refuse.

Everything a user controls is checked before a program runs or a path is built: the stack name (Pulumi's
own rule), the project file (name, `main` and `stackConfigDir` inside the program directory, config
declarations), and the stack file (its top-level keys, `<namespace>:<name>` keys in known namespaces,
plain-text values under keys `Pulumi.yaml` declares secret, the shape of `secure:` ciphertext, declared
types). The YAML itself is read by `strict_yaml`. Every problem raises `InputError`.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .boundary import InputError
from .strict_yaml import read_yaml

# Pulumi's rule for stack and project names (sdk/go/common/tokens): 1-100 of letters, digits, _ . -
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,38}[A-Za-z0-9]")
# A config namespace is a package name; only these can name a provider SDK module.
_NAMESPACE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")
DECLARATION_KEYS = ("type", "description", "default", "value", "secret", "items")
DECLARED_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}
# Passphrase ciphertext is `v1:<nonce>:<sealed>`; the cloud secrets managers write plain base64.
_PASSPHRASE_CIPHERTEXT = re.compile(r"v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}")


def secret_placeholder(key: str) -> str:
    return f"[secret placeholder: {key}]"


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean `{close[0]}`?)" if close else ""


def stack_short_name(stack: str, project: str | None = None) -> str:
    """The stack part of `[owner/][project/]stack`, validated to Pulumi's rule; it names `Pulumi.<stack>.yaml`."""
    parts = stack.split("/")
    if len(parts) > 3:
        raise InputError(f"stack {stack!r}: expected `stack`, `owner/stack` or `owner/project/stack`")
    name = parts[-1]
    if not _NAME.fullmatch(name) or name in (".", ".."):
        raise InputError(
            f"stack {stack!r}: stack names may only contain letters, digits, hyphens, underscores and periods "
            "(at most 100 characters)"
        )
    if len(parts) >= 2 and not _OWNER.fullmatch(parts[0]):
        raise InputError(f"stack {stack!r}: {parts[0]!r} is not a valid owner (organisation or user) name")
    if len(parts) == 3 and project is not None and parts[1] != project:
        raise InputError(f"stack {stack!r}: names project {parts[1]!r}, but this program is {project!r}")
    return name


@dataclass(frozen=True)
class Project:
    name: str
    main: Path
    stack_config_dir: Path
    config: dict[str, str]  # declared defaults, `<namespace>:<name>` -> value as the engine passes it
    declared: dict[str, dict[str, Any]]  # declarations (mapping form) by full key
    secret_keys: tuple[str, ...]  # declared `secret: true`

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack_short_name(stack, self.name)}.yaml"


def config_value(value: Any) -> str:
    """A value as the engine hands it to a program: scalars as text, structures as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)


def _inside(program_dir: Path, value: Any, label: str, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise InputError(f"{label}: `{key}` must be a relative path (a non-empty string)")
    path = (program_dir / value).resolve()
    if Path(value).is_absolute() or not path.is_relative_to(program_dir):
        raise InputError(f"{label}: `{key}` ({value!r}) must stay inside the program directory")
    return path


def _full_key(key: str, project: str, label: str, *, bare_allowed: bool) -> str:
    """`<namespace>:<name>` (and the legacy `<namespace>:config:<name>`), as the CLI's ParseKey accepts."""
    parts = key.split(":")
    if len(parts) == 3 and parts[1] == "config":
        parts = [parts[0], parts[2]]
    if len(parts) == 1 and bare_allowed:
        parts = [project, key]
    if len(parts) != 2 or not all(parts):
        hint = f" (did you mean `{project}:{key}`?)" if len(parts) == 1 else ""
        raise InputError(f"{label}: config key {key!r} is not of the form `<namespace>:<name>`{hint}")
    return f"{parts[0]}:{parts[1]}"


def _declarations(
    program_dir: Path, name: str, declared: Any, label: str
) -> tuple[dict[str, str], dict[str, dict[str, Any]], list[str]]:
    config: dict[str, str] = {}
    specs: dict[str, dict[str, Any]] = {}
    secret_keys: list[str] = []
    if declared is None:
        return config, specs, secret_keys
    if not isinstance(declared, dict):
        raise InputError(f"{label}: `config` must be a mapping of keys to declarations")
    for key, spec in declared.items():
        full_key = _full_key(key, name, label, bare_allowed=True)
        where = f"{label}: config.{key}"
        if not isinstance(spec, dict):
            config[full_key] = config_value(spec)  # the short form declares a default value
            continue
        unknown = [k for k in spec if k not in DECLARATION_KEYS]
        if unknown:
            raise InputError(f"{where}: unknown field `{unknown[0]}`{_suggest(unknown[0], DECLARATION_KEYS)}")
        declared_type = spec.get("type")
        if declared_type is not None and declared_type not in DECLARED_TYPES:
            raise InputError(f"{where}.type: must be one of {', '.join(DECLARED_TYPES)}")
        if "secret" in spec and not isinstance(spec["secret"], bool):
            raise InputError(f"{where}.secret: must be true or false")
        specs[full_key] = spec
        if "default" in spec or "value" in spec:
            value = spec.get("default", spec.get("value"))
            _check_declared_type(full_key, spec, value, f"{where}.default")
            config[full_key] = config_value(value)
        if spec.get("secret"):
            # A secret's real value lives in the operator's stack, never here (even when a default exists).
            secret_keys.append(full_key)
            config[full_key] = secret_placeholder(full_key)
    return config, specs, secret_keys


def _check_declared_type(full_key: str, spec: dict[str, Any], value: Any, where: str) -> None:
    expected = DECLARED_TYPES.get(spec.get("type") or "")
    if expected is None or value is None:
        return
    wrong = not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    if wrong and not (expected is str and isinstance(value, (int, float)) and not isinstance(value, bool)):
        raise InputError(f"{where}: {full_key} is declared `type: {spec['type']}` in Pulumi.yaml")


def load_project(program_dir: Path) -> Project:
    """The project file of `program_dir`, validated."""
    program_dir = program_dir.resolve()
    path = next((program_dir / n for n in ("Pulumi.yaml", "Pulumi.yml") if (program_dir / n).is_file()), None)
    if path is None:
        raise InputError(f"{program_dir}: no Pulumi.yaml; not a Pulumi program directory")
    label = path.name
    document = read_yaml(path, label)
    if not isinstance(document, dict):
        raise InputError(f"{label}: must be a mapping with at least `name` and `runtime`")
    name = document.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(f"{label}: `name` must be a project name of letters, digits, hyphens, underscores and periods")
    runtime = document.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if not isinstance(runtime_name, str) or not runtime_name:
        raise InputError(f"{label}: `runtime` must name the language runtime (for example `python`)")
    main = _inside(program_dir, document.get("main", "."), label, "main")
    if main.is_dir():
        main = main / "__main__.py"
    config_dir = _inside(program_dir, document.get("stackConfigDir", "."), label, "stackConfigDir")
    config, specs, secret_keys = _declarations(program_dir, name, document.get("config"), label)
    return Project(name, main, config_dir, config, specs, tuple(secret_keys))


def _known_namespace(namespace: str, project: Project) -> bool:
    if namespace in (project.name, "pulumi") or any(k.startswith(f"{namespace}:") for k in project.declared):
        return True
    # A provider's config belongs to its plugin, which a Python program reaches through its SDK package.
    return (
        bool(_NAMESPACE.fullmatch(namespace))
        and importlib.util.find_spec("pulumi_" + namespace.replace("-", "_")) is not None
    )


def _check_ciphertext(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise InputError(f"{where}: `secure:` must hold the ciphertext string that `pulumi config set --secret` writes")
    if _PASSPHRASE_CIPHERTEXT.fullmatch(value):
        return
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded:
        raise InputError(
            f"{where}: `secure:` value is not Pulumi ciphertext (`v1:<nonce>:<data>` or base64); "
            "set it again with `pulumi config set --secret`"
        )


def _secure_to_placeholders(value: Any, full_key: str, where: str) -> tuple[Any, bool]:
    """Replace each `{secure: ...}` inside a structured value by a placeholder; say whether one was found."""
    if isinstance(value, dict):
        if "secure" in value:
            if len(value) != 1:
                raise InputError(f"{where}: a `secure:` mapping may hold nothing but the ciphertext")
            _check_ciphertext(value["secure"], where)
            return secret_placeholder(full_key), True
        found = False
        out: dict[str, Any] = {}
        for key, child in value.items():
            out[key], child_found = _secure_to_placeholders(child, full_key, f"{where}.{key}")
            found = found or child_found
        return out, found
    if isinstance(value, list):
        items = [_secure_to_placeholders(child, full_key, f"{where}[{i}]") for i, child in enumerate(value)]
        return [item for item, _ in items], any(found for _, found in items)
    return value, False


def _stack_entries(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a stack file, after its top-level keys are checked."""
    label = path.name
    if not path.is_file():
        raise InputError(f"{label}: no such stack file in {path.parent}")
    document = read_yaml(path, label)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise InputError(f"{label}: must be a mapping with a `config:` key")
    for key in document:
        if key not in STACK_FILE_KEYS:
            raise InputError(f"{label}: unknown top-level key `{key}`{_suggest(key, STACK_FILE_KEYS)}")
    for key in ("secretsprovider", "encryptedkey", "encryptionsalt"):
        if key in document and not isinstance(document[key], str):
            raise InputError(f"{label}: `{key}` must be a string")
    if "environment" in document:
        raise InputError(f"{label}: `environment` (Pulumi ESC) cannot be resolved offline; inline the values")
    entries = document.get("config")
    if entries is None:
        return {}
    if not isinstance(entries, dict):
        raise InputError(f"{label}: `config` must be a mapping of `<namespace>:<name>` keys to values")
    return entries


def stack_config(project: Project, stack: str) -> tuple[dict[str, str], list[str]]:
    """The config map and secret keys the engine would hand the program for `stack`."""
    path = project.stack_file(stack)
    label = path.name
    config = dict(project.config)
    secret_keys = list(project.secret_keys)
    seen: dict[str, str] = {}
    for key, raw in _stack_entries(path).items():
        full_key = _full_key(key, project.name, label, bare_allowed=False)
        where = f"{label}: {full_key}"
        if full_key in seen:
            raise InputError(f"{where}: set twice (as {seen[full_key]!r} and {key!r})")
        seen[full_key] = key
        namespace = full_key.split(":", 1)[0]
        if not _known_namespace(namespace, project):
            raise InputError(
                f"{where}: unknown namespace `{namespace}`{_suggest(namespace, [project.name])}; use the project's "
                f"(`{project.name}`), `pulumi`, or a provider whose SDK the program uses"
            )
        value, secure = _secure_to_placeholders(raw, full_key, where)
        spec = project.declared.get(full_key, {})
        if secure:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
            if full_key not in secret_keys:
                secret_keys.append(full_key)
            continue
        if spec.get("secret"):
            raise InputError(
                f"{where}: is declared `secret: true` in Pulumi.yaml but set in plain text; "
                f"remove it and run `pulumi config set --secret {full_key.split(':', 1)[1]}`"
            )
        _check_declared_type(full_key, spec, value, where)
        config[full_key] = config_value(value)
    return config, secret_keys
