"""Helpers of the GitHub delivery tests: stack-file settings parsed without running the program."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from components.settings import StackSettings
from ops.offline import Evaluation, RecordedResource
from tests.helpers import NAMESPACE, problems_with_area, settings_with_area

GITHUB = f"{NAMESPACE}:github"


def settings_with(stack: str, edit: Callable[[dict[str, Any]], None]) -> StackSettings:
    """Parse the stack's settings with `edit` applied to its `github` mapping."""
    return settings_with_area(stack, "github", edit)


def problems_with(stack: str, edit: Callable[[dict[str, Any]], None]) -> list[str]:
    return problems_with_area(stack, "github", edit)


def github_resources(evaluation: Evaluation, kind: str) -> list[RecordedResource]:
    return evaluation.of_type(f"github:index/{kind[0].lower() + kind[1:]}:{kind}")


def by_environment(resources: list[RecordedResource], key: str) -> dict[str, dict[str, Any]]:
    """environment -> {secret or variable name -> plain value}."""
    result: dict[str, dict[str, Any]] = {}
    for r in resources:
        inputs = r.plain_inputs
        result.setdefault(inputs["environment"], {})[inputs[key]] = inputs.get("value")
    return result


def trust_document(role: RecordedResource) -> dict[str, Any]:
    return json.loads(role.plain_inputs["assumeRolePolicy"])
