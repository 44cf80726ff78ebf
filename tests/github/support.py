"""Helpers of the GitHub delivery tests: stack-file settings parsed without running the program."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.settings import SettingsError, StackSettings, parse_settings
from ops.offline import Evaluation, RecordedResource
from tests.helpers import NAMESPACE, load_stack
from tests.parliament_check import parliament_findings

GITHUB = f"{NAMESPACE}:github"

# parliament 1.6.4 reads every document as an identity policy and stops at a statement without Resource,
# which a role trust policy must not have (IAM rejects one there). So the trust policy is analysed with
# `Resource: "*"` added to each statement, and the findings that only come from reading a trust policy as an
# identity policy are set aside: the added resource, an IAM OIDC provider ARN as federated principal
# (parliament knows SAML providers and four public web-identity hosts only), and the GitHub token's
# `aud`/`sub` condition keys (provider-specific keys that its per-action condition table does not list).
# Everything else counts, including an unknown action or a malformed condition.
_GITHUB_OIDC = "token.actions.githubusercontent.com"
TRUST_POLICY_FALSE_POSITIVES = (
    "RESOURCE_STAR: ['sts:AssumeRoleWithWebIdentity']",
    f"UNKNOWN_FEDERATION_SOURCE: arn:aws:iam::123456789012:oidc-provider/{_GITHUB_OIDC} ",
    f"UNKNOWN_CONDITION_FOR_ACTION: Unknown condition {_GITHUB_OIDC}:aud for action sts:AssumeRoleWithWebIdentity ",
    f"UNKNOWN_CONDITION_FOR_ACTION: Unknown condition {_GITHUB_OIDC}:sub for action sts:AssumeRoleWithWebIdentity ",
)


def trust_policy_findings(policy: str) -> list[str]:
    document = json.loads(policy)
    statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
    assert all("Resource" not in st and "NotResource" not in st for st in statements), "IAM forbids it in a trust"
    analysed = {**document, "Statement": [{**st, "Resource": "*"} for st in statements]}
    findings = parliament_findings(json.dumps(analysed))
    return [f for f in findings if not f.startswith(TRUST_POLICY_FALSE_POSITIVES)]


def raw_config(stack: str) -> dict[str, Any]:
    """The stack file's project keys without the namespace, as the loader hands them to `parse_settings`."""
    config = copy.deepcopy(load_stack(stack)["config"])
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}


def settings_with(stack: str, edit: Callable[[dict[str, Any]], None]) -> StackSettings:
    """Parse the stack's settings with `edit` applied to its `github` mapping."""
    raw = raw_config(stack)
    edit(raw["github"])
    return parse_settings(NAMESPACE, f"Pulumi.{stack}.yaml", raw)


def problems_with(stack: str, edit: Callable[[dict[str, Any]], None]) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        settings_with(stack, edit)
    return caught.value.problems


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
