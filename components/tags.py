"""Cost-allocation tags applied once, centrally, to every taggable AWS resource (runbook IF-012).

A stack transformation sees every resource before it is registered. For each AWS resource that takes
`tags`, it merges the stack's cost tags with `component=<area>`, where the area comes from the nearest
`platform:<area>:<Name>` component above the resource. Tags a resource sets itself win.
"""

from __future__ import annotations

from typing import Any

import pulumi

from .settings.base import Environment
from .settings.tags import TagSettings


def cost_tags(tags: TagSettings, environment: Environment, component: str) -> dict[str, str]:
    return {
        "project": tags.project,
        "environment": environment,
        "component": component,
        "owner": tags.owner,
        "cost-center": tags.cost_center,
    }


def _component_of(resource: pulumi.Resource | None) -> str:
    while resource is not None:
        type_ = getattr(resource, "_type", "") or ""
        if type_.startswith("platform:"):
            return type_.split(":")[1]
        resource = getattr(resource, "_parent", None)
    return "shared"


def register_cost_tags(tags: TagSettings, environment: Environment) -> None:
    """Install the transformation; call once, before any resource is created."""

    def add_tags(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not args.type_.startswith("aws:") or "tags" not in args.props:
            return None
        props: dict[str, Any] = dict(args.props)
        component = _component_of(args.opts.parent)
        props["tags"] = {**cost_tags(tags, environment, component), **(props.get("tags") or {})}
        return pulumi.ResourceTransformationResult(props, args.opts)

    pulumi.runtime.register_stack_transformation(add_tags)
