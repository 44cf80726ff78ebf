"""Which recorded AWS resources lack the cost tags: taggability comes from the pulumi_aws SDK class itself."""

from __future__ import annotations

import importlib
import inspect
from functools import cache

from components.shared.pulumi_internals import resource_module
from ops.offline import Evaluation, RecordedResource


@cache
def sdk_class(type_token: str) -> type:
    """The Python class pulumi_aws registers for a type token (its own resource-module registry)."""
    pkg, module_name, _ = type_token.split(":")
    module = resource_module(pkg, module_name)
    if module is None:
        raise LookupError(f"no SDK module registered for {type_token}")
    info = module.mod_info  # pyright: ignore[reportAttributeAccessIssue] - pulumi_aws's codegen registry entry
    return getattr(importlib.import_module(info["fqn"]), info["classes"][type_token])


def tags_annotation(type_token: str) -> str | None:
    """The annotation of the class's `tags` input, or None if the resource takes no tags."""
    parameter = inspect.signature(sdk_class(type_token)._internal_init).parameters.get("tags")  # pyright: ignore[reportAttributeAccessIssue]
    return None if parameter is None else str(parameter.annotation)


def taggable(evaluation: Evaluation) -> list[RecordedResource]:
    return [r for r in evaluation.resources if r.custom and r.type.startswith("aws:") and tags_annotation(r.type)]


def expected_component(evaluation: Evaluation, resource: RecordedResource) -> str:
    """Nearest `platform:<area>:` component up the recorded parent chain, else `shared`."""
    by_urn = {r.urn: r for r in evaluation.resources}
    current: RecordedResource | None = resource
    while current is not None:
        if current.type.startswith("platform:"):
            return current.type.split(":")[1]
        current = by_urn.get(current.parent)
    return "shared"


def tag_problems(evaluation: Evaluation, expected: dict[str, str]) -> list[str]:
    """Every taggable AWS resource must carry `expected` plus `component` = its platform area."""
    problems = []
    for resource in taggable(evaluation):
        tags = resource.plain_inputs.get("tags") or {}
        want = {**expected, "component": expected_component(evaluation, resource)}
        wrong = {k: tags.get(k) for k, v in sorted(want.items()) if tags.get(k) != v}
        if wrong:
            problems.append(f"{resource.type} {resource.name}: {wrong}")
    return problems
