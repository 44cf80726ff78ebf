"""Helpers of the GitHub delivery tests: the recorded GitHub resources by kind and by environment."""

from __future__ import annotations

from typing import Any

from ops.offline import Evaluation, RecordedResource
from tests.support.resources import type_token
from tests.support.stack_files import NAMESPACE

GITHUB = f"{NAMESPACE}:github"


def github_resources(evaluation: Evaluation, kind: str) -> list[RecordedResource]:
    """The recorded resources of the pulumi_github class `kind` (e.g. `ActionsSecret`)."""
    return evaluation.of_type(type_token("github", "index", kind))


def by_environment(resources: list[RecordedResource], key: str) -> dict[str, dict[str, Any]]:
    """environment -> {secret or variable name -> plain value}."""
    result: dict[str, dict[str, Any]] = {}
    for resource in resources:
        inputs = resource.plain_inputs
        result.setdefault(inputs["environment"], {})[inputs[key]] = inputs.get("value")
    return result
