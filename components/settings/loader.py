"""Reads and validates the stack's configuration: the one place `pulumi.Config` is read.

Every problem is collected into one `SettingsError` that names the stack file and the full key path,
and it is raised before any resource is registered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

import pulumi
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from components.shared import pulumi_internals

from .alerting import RETIRED_KEYS
from .base import FieldError
from .github import GitHubSettings
from .stack import StackSettings


class SettingsError(pulumi.RunError):
    """Invalid or missing stack settings. `pulumi` prints a RunError without a Python traceback."""

    def __init__(self, stack_file: str, problems: list[str]) -> None:
        self.stack_file = stack_file
        # A value quoted in a message may hold control characters; show them escaped, one problem per line.
        self.problems = [
            "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in p) for p in problems
        ]
        lines = "\n".join(f"  {stack_file}: {p}" for p in self.problems)
        super().__init__(f"invalid stack settings ({len(problems)} problem(s)):\n{lines}")


@dataclass(frozen=True)
class Secrets:
    """Secret settings, always `pulumi.Output` values marked secret."""

    github_token: pulumi.Output[str]
    cloudflare_api_token: pulumi.Output[str]
    filter_to: pulumi.Output[str]
    function_id: pulumi.Output[str]
    organisation_id: pulumi.Output[str]
    supabase_db_url: pulumi.Output[str]
    supabase_access_token: pulumi.Output[str]
    # Needed only by the route that uses it (alerting.route_secrets); `Pulumi.yaml` gives it an empty default.
    pagerduty_webhook_url: pulumi.Output[str] | None = None


# The secret config keys are the fields of `Secrets`; Pulumi.yaml declares each with `secret: true`.
SECRET_KEYS = tuple(field.name for field in fields(Secrets))
# Secrets with a default (`None`): required only when a route of the stack uses them.
ROUTE_SECRET_KEYS = frozenset(field.name for field in fields(Secrets) if field.default is None)


def is_offline_placeholder(full_key: str, value: str) -> bool:
    """An offline plan's stand-in for a secret it cannot know: `[secret placeholder: <full key>]`, mocks only.

    A real deployment always runs with the decrypted value, so there every secret's shape is checked.
    """
    mocked = pulumi_internals.running_under_mocks()
    return mocked and value == f"[secret placeholder: {full_key}]"


@dataclass(frozen=True)
class LoadedConfig:
    settings: StackSettings
    secrets: Secrets
    # Secrets under the keys that repository entries name instead of the defaults (github.repositories[].secret_keys).
    extra_secrets: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)

    def secret(self, key: str) -> pulumi.Output[str]:
        """The secret config value of `key`."""
        return secret_value(self.secrets, self.extra_secrets, key)


def secret_value(secrets: Secrets, extra_secrets: Mapping[str, pulumi.Output[str]], key: str) -> pulumi.Output[str]:
    """The secret under config key `key`: one of the fixed `Secrets`, else one a repository entry names."""
    return getattr(secrets, key) if key in SECRET_KEYS else extra_secrets[key]


_MESSAGES = {
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be greater than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "missing": "is required but not set",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "too_long": "must have at most {max_length} items",
}


def _describe(error: ErrorDetails) -> tuple[tuple[str | int, ...], str]:
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, FieldError):
        return (*loc, *(int(p) if p.isdigit() else p for p in cause.field.split("."))), cause.message
    kind = error["type"]
    if kind == "extra_forbidden":
        return loc, "unknown key (check its spelling against the settings reference in docs/settings.md)"
    if kind == "literal_error":
        return loc, f"must be one of {ctx.get('expected', '')}"
    if kind in _MESSAGES:
        return loc, _MESSAGES[kind].format(**ctx)
    message = error["msg"]
    if kind == "value_error" and message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return loc, message


def _key_part(part: str | int) -> str:
    """`.name` for ordinary keys, `[0]` for list positions, `["odd key"]` for anything else."""
    if isinstance(part, int):
        return f"[{part}]"
    if re.fullmatch(r"[A-Za-z0-9_-]+", part):
        return f".{part}"
    return f"[{json.dumps(part)}]"


def format_errors(namespace: str, exc: ValidationError) -> list[str]:
    """One line per problem: `<namespace>:<dotted key path>: <message>`."""
    problems = []
    for error in exc.errors():
        loc, message = _describe(error)
        # pydantic marks an error in a mapping's key with a trailing "[key]" part; the key itself names the place.
        path = "".join(_key_part(p) for p in loc if p != "[key]").lstrip(".")
        problems.append(f"{namespace}:{path}: {message}")
    return problems


# Secrets whose value reaches a URL: SNS delivers only to https endpoints, and pg_dump needs a postgres URL.
_SECRET_SCHEMES = {
    "pagerduty_webhook_url": ("https",),
    "supabase_db_url": ("postgres", "postgresql"),
}
_HOST = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
# The offline evaluator's stand-in for a secret it cannot decrypt: its shape is unknown, so it is not checked.
_PLACEHOLDER = "[secret placeholder: {namespace}:{key}]"


def secret_problem(namespace: str, key: str, value: str) -> str | None:
    """What is wrong with a secret's value, described without quoting it (None when it is fine)."""
    if value == _PLACEHOLDER.format(namespace=namespace, key=key):
        return None
    if not value or value != value.strip() or not value.isprintable():
        return "is empty, or has surrounding whitespace or control characters"
    schemes = _SECRET_SCHEMES.get(key)
    if schemes:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
        except ValueError:
            return f"is not a {schemes[0]}:// URL"
        if parts.scheme not in schemes or not _HOST.fullmatch(parts.hostname or ""):
            return f"must be a {schemes[0]}:// URL with a host name (other schemes are refused)"
    return None


def _parse(value: Any) -> Any:
    """Structured values reach the program as JSON text; scalars as plain strings."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _configured_keys(namespace: str) -> set[str]:
    keys = pulumi_internals.config_keys()
    prefix = f"{namespace}:"
    return {k[len(prefix) :] for k in keys if k.startswith(prefix)}


def _entry_secret_keys(settings: StackSettings | None, raw: Mapping[str, Any]) -> set[str]:
    """The secret keys the repository entries name; read from the github area alone when another area failed,
    so that a set key is not also reported as unknown."""
    if settings is not None:
        return settings.github.secret_config_keys()
    try:
        return GitHubSettings.model_validate(raw.get("github")).secret_config_keys()
    except ValidationError:
        return set()


def parse_settings(namespace: str, stack_file: str, raw_config: Mapping[str, Any]) -> StackSettings:
    """Validate the project's non-secret config keys (`<key>` -> value as the engine passes it).

    Pure: no Pulumi runtime needed, so it is also what the property-based tests drive.
    """
    known = set(StackSettings.model_fields)
    raw = {key: _parse(value) for key, value in raw_config.items() if key in known and value is not None}
    try:
        settings = StackSettings.model_validate(raw)
    except ValidationError as exc:
        settings, errors = None, format_errors(namespace, exc)
    else:
        errors = []
    # Keys a repository entry names for its secrets are secret keys too (set with `config set --secret`).
    secret_keys = set(SECRET_KEYS) | _entry_secret_keys(settings, raw)
    problems = [
        f"{namespace}:{key}: "
        + RETIRED_KEYS.get(key, "unknown key (check its spelling against the settings reference)")
        for key in sorted(set(raw_config) - known - secret_keys)
    ]
    if settings is None or problems:
        raise SettingsError(stack_file, problems + errors)
    return settings


def load_config() -> LoadedConfig:
    """Validate the current stack's configuration; raise `SettingsError` listing every problem."""
    namespace = pulumi.get_project()
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    config = pulumi.Config(namespace)
    problems: list[str] = []
    settings: StackSettings | None = None
    try:
        settings = parse_settings(
            namespace, stack_file, {key: config.get(key) for key in _configured_keys(namespace) - set(SECRET_KEYS)}
        )
    except SettingsError as exc:
        problems.extend(exc.problems)

    secret_values: dict[str, pulumi.Output[str]] = {}
    route_secrets = settings.alerting.route_secrets() if settings is not None else {}
    for key in SECRET_KEYS:
        if key in ROUTE_SECRET_KEYS and key not in route_secrets:
            continue  # its route is not used by this stack
        # The program holds the decrypted text (the CLI decrypts before the program runs); it is checked here,
        # never printed, and leaves only as a secret Output.
        value = pulumi_internals.config_value(f"{namespace}:{key}")
        if not value:
            needed_by = f" ({route_secrets[key].used_by} routes to it)" if key in route_secrets else ""
            problems.append(
                f"{namespace}:{key}: secret is not set{needed_by}; run `pulumi config set --secret {key}` (it prompts for the value)"
            )
            continue
        # A route's own check names the exact shape it needs; the generic one covers every other secret.
        if key in route_secrets and not is_offline_placeholder(f"{namespace}:{key}", value):
            problem = route_secrets[key].check(value)
        else:
            problem = secret_problem(namespace, key, value)
        if problem:
            problems.append(f"{namespace}:{key}: {problem}; set it again with `pulumi config set --secret {key}`")
        secret_values[key] = pulumi.Output.secret(value)

    extra_secrets: dict[str, pulumi.Output[str]] = {}
    for key in sorted(settings.github.secret_config_keys() - set(SECRET_KEYS)) if settings else []:
        extra = config.get_secret(key)
        if extra is None:
            problems.append(
                f"{namespace}:{key}: secret is not set (a github.repositories entry reads it);"
                f" run `pulumi config set --secret {key}` (it prompts for the value)"
            )
        else:
            extra_secrets[key] = extra

    if problems or settings is None:
        raise SettingsError(stack_file, problems)
    return LoadedConfig(settings=settings, secrets=Secrets(**secret_values), extra_secrets=extra_secrets)
