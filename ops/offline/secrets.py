"""Secret values as they travel in recorded properties (`{SECRET_SIG_KEY: SECRET_SIG, "value": ...}`).

Policies see them unwrapped; anything shown to people or written to files shows `[secret]` instead, and the
text of every secret is collected so that a message quoting one can be scrubbed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from components.shared.pulumi_internals import SECRET_SIG, SECRET_SIG_KEY, Unknown

if TYPE_CHECKING:
    from .records import Evaluation

REDACTED = "[secret]"
UNKNOWN = "[unknown]"


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def mark_secret(value: Any) -> Any:
    return value if is_secret(value) else {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def contains_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret(v) for v in value)
    return False


def unwrap_secrets(value: Any) -> Any:
    if is_secret(value):
        return unwrap_secrets(value.get("value"))
    if isinstance(value, dict):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def redact_secrets(value: Any) -> Any:
    """For anything shown to people or written to files: secret values never appear, unknowns read as such."""
    if is_secret(value):
        return REDACTED
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: redact_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_secrets(v) for v in value]
    return value


def _texts(value: Any, *, secrets_only: bool) -> Iterator[str]:
    """The text of each string or number in `value`; with `secrets_only`, of those under a secret marker alone."""
    if is_secret(value):
        yield from _texts(unwrap_secrets(value.get("value")), secrets_only=False)
    elif isinstance(value, dict | list):
        for child in value.values() if isinstance(value, dict) else value:
            yield from _texts(child, secrets_only=secrets_only)
    elif secrets_only:
        return
    elif isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def secret_strings(evaluation: Evaluation) -> list[str]:
    """Every secret-marked value of the evaluation as text (and as JSON escapes it), longest first, for scrubbing."""
    found: set[str] = set()
    for resource in evaluation.resources:
        found.update(_texts(resource.inputs, secrets_only=True))
        found.update(_texts(resource.outputs, secrets_only=True))
    for key in evaluation.secret_outputs:
        found.update(_texts(evaluation.outputs.get(key), secrets_only=False))
    found.update(json.dumps(s)[1:-1] for s in list(found))
    return sorted((s for s in found if s), key=len, reverse=True)
