"""Cost-allocation tags applied once, centrally, to every taggable AWS resource (runbook IF-012).

A stack transformation sees every resource before it is registered, including components and resources
nested at any depth. For each AWS resource whose `tags` input is a string map, it merges the stack's cost
tags with `component=<area>`, where the area comes from the nearest `platform:<area>:<Name>` component
above the resource (`shared` outside any). Tags a resource sets itself win.

Why a transformation and not the provider's `default_tags`: `component` differs per resource, and
default tags would also need every explicit provider (a DR-region provider, for example) to repeat them.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Mapping
from functools import cache
from typing import Any

import pulumi

from .settings.base import Environment
from .settings.tags import TagSettings

SHARED_COMPONENT = "shared"  # `component` of resources created outside any platform component


def cost_tags(tags: TagSettings, environment: Environment, component: str) -> dict[str, str]:
    return {
        "project": tags.project,
        "environment": environment,
        "component": component,
        "owner": tags.owner,
        "cost-center": tags.cost_center,
        "feature": tags.feature,
    }


@cache
def takes_tag_map(resource_class: type) -> bool:
    """True when the SDK class's `tags` input is a string map (a few, like autoscaling.Group, take a list)."""
    init = getattr(resource_class, "_internal_init", None)
    if init is None:
        return False
    parameter = inspect.signature(init).parameters.get("tags")
    return parameter is not None and "Mapping[" in str(parameter.annotation)


def area_of_type(type_: str) -> str | None:
    """`platform:<area>:<Name>` -> `<area>`."""
    parts = type_.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "platform" else None


def _merge(base: dict[str, str], own: Any) -> Any:
    """The resource's own tags win; they may be a plain mapping or an Output of one."""
    if own is None:
        return base
    if isinstance(own, Mapping):
        return {**base, **own}
    return pulumi.Output.from_input(own).apply(lambda value: {**base, **(value or {})})


def register_cost_tags(tags: TagSettings, environment: Environment) -> None:
    """Install the transformation; call once, before any resource is created."""
    # Area of every resource seen so far. Pulumi's Resource keeps no reference to its parent, so the
    # area is resolved when a resource is constructed (its parent always was constructed before it).
    areas: weakref.WeakKeyDictionary[pulumi.Resource, str] = weakref.WeakKeyDictionary()

    def add_tags(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        parent = args.opts.parent
        area = area_of_type(args.type_) or (areas.get(parent) if parent is not None else None) or SHARED_COMPONENT
        areas[args.resource] = area
        if not args.type_.startswith("aws:") or "tags" not in args.props or not takes_tag_map(type(args.resource)):
            return None
        props: dict[str, Any] = dict(args.props)
        props["tags"] = _merge(cost_tags(tags, environment, area), props.get("tags"))
        return pulumi.ResourceTransformationResult(props, args.opts)

    pulumi.runtime.register_stack_transformation(add_tags)
