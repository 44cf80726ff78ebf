"""The JSON policy documents that recorded resources hold (key, bucket, topic, role and trust policies)."""

from __future__ import annotations

import json
from typing import Any

from ops.offline import RecordedResource


def policy_document(resource: RecordedResource, key: str = "policy") -> dict[str, Any]:
    """The document in the resource's input `key` (`assumeRolePolicy` for a role's trust), parsed."""
    value = resource.plain_inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def statement_with_sid(document: dict[str, Any], sid: str) -> dict[str, Any]:
    """The one statement of `document` whose `Sid` is `sid`."""
    (match,) = [s for s in document["Statement"] if s.get("Sid") == sid]
    return match


def as_list(value: Any) -> list[Any]:
    """An `Action`, `Resource` or `Principal` value as a list (IAM allows a single value or a list)."""
    return value if isinstance(value, list) else [value]
