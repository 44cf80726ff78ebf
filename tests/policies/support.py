"""What the policy tests share: resources built as the policy pack receives them."""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions

# No protect, no dependencies, no provider, no custom timeouts: the rules under test do not read options.
NO_OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def policy_resource(type_: str, props: dict[str, Any], *, name: str = "r", urn: str | None = None) -> PolicyResource:
    """A resource of `type_` with `props`, as a stack policy sees it; the URN is a `production` stack's by default."""
    return PolicyResource(
        type_, props, urn or f"urn:pulumi:production::p::{type_}::{name}", name, NO_OPTIONS, None, None, [], {}
    )
