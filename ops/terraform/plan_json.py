"""An offline Pulumi plan as a Terraform plan JSON document (`terraform show -json` format 1.2).

Every custom resource the program registers becomes a `create` in `resource_changes` and a resource in
`planned_values`. `configuration` carries, for each attribute that takes its value from another resource, the
`references` Terraform would record (`aws_s3_bucket.backups.id`): that is what lets Checkov's graph checks
connect a versioning or public-access-block resource to its bucket. A reference is recorded only where Pulumi
recorded a dependency on that resource *and* the value equals one of its outputs, so two resources that merely
share a value are not connected.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ops.offline import REDACTED, Evaluation, RecordedResource, redact_secrets

from . import mapping

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.0"  # the plan format, not a Terraform that ran: nothing here calls Terraform
PROVIDER_SOURCES = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "github": "registry.terraform.io/integrations/github",
    "cloudflare": "registry.terraform.io/cloudflare/cloudflare",
}
WORKFLOW_FILE = re.compile(r"\.github/workflows/[^/]+\.ya?ml")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Workflow:
    """A GitHub Actions workflow file the plan commits into an application repository."""

    urn: str
    repository: str
    path: str
    content: str


@dataclass
class Conversion:
    plan: dict[str, Any]
    urn_of: dict[str, str]  # Terraform address -> Pulumi URN
    unmapped_types: dict[str, list[str]] = field(default_factory=dict)  # Pulumi type -> URNs
    unmapped_properties: list[str] = field(default_factory=list)  # "<urn>: <property path>"
    workflows: list[Workflow] = field(default_factory=list)


def convert(evaluation: Evaluation) -> Conversion:
    types = mapping.load()
    scanned = [r for r in evaluation.resources if r.custom and not r.type.startswith("pulumi:providers:")]
    conversion = Conversion(plan={}, urn_of={})
    addresses = _addresses(scanned, types)
    converted: dict[str, tuple[RecordedResource, mapping.TypeMapping, dict[str, Any]]] = {}
    for resource in scanned:
        type_mapping = types.get(resource.type)
        if type_mapping is None:
            conversion.unmapped_types.setdefault(resource.type, []).append(resource.urn)
            continue
        result = mapping.convert(type_mapping, _plain_json(redact_secrets(resource.inputs)))
        conversion.unmapped_properties += [f"{resource.urn}: {p}" for p in result.unmapped]
        converted[resource.urn] = (resource, type_mapping, result.values)
        conversion.urn_of[addresses[resource.urn]] = resource.urn
        workflow = _workflow(resource)
        if workflow:
            conversion.workflows.append(workflow)

    planned, changes, configured = [], [], []
    for urn, (resource, type_mapping, values) in converted.items():
        address = addresses[urn]
        name = address.split(".", 1)[1]
        common = {
            "address": address,
            "mode": "managed",
            "type": type_mapping.terraform,
            "name": name,
            "provider_name": PROVIDER_SOURCES[type_mapping.provider],
        }
        planned.append({**common, "schema_version": 0, "values": values, "sensitive_values": {}})
        changes.append(
            {
                **common,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": {},
                    "before_sensitive": False,
                    "after_sensitive": {},
                },
            }
        )
        targets = _reference_targets(resource, converted, addresses)
        configured.append(
            {
                "address": address,
                "mode": "managed",
                "type": type_mapping.terraform,
                "name": name,
                "provider_config_key": type_mapping.provider,
                "expressions": _expressions(values, targets),
                "schema_version": 0,
            }
        )

    providers = sorted({t.provider for _, t, _ in converted.values()})
    conversion.plan = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                p: {"name": p, "full_name": PROVIDER_SOURCES[p], "expressions": _provider_expressions(p, evaluation)}
                for p in providers
            },
            "root_module": {"resources": configured},
        },
    }
    return conversion


def _plain_json(value: Any) -> Any:
    """Inputs as JSON values: an asset, archive or other SDK object becomes a visible stand-in, not a crash."""
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_json(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return f"[{type(value).__name__}]"


def _addresses(resources: list[RecordedResource], types: dict[str, mapping.TypeMapping]) -> dict[str, str]:
    """Unique `type.name` per resource; Pulumi names are unique per parent, Terraform's per type."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for resource in resources:
        type_mapping = types.get(resource.type)
        terraform_type = type_mapping.terraform if type_mapping else "unmapped"
        base = _NAME_CHARS.sub("_", resource.name) or "resource"
        if not (base[0].isalpha() or base[0] == "_"):
            base = f"r_{base}"
        name, n = base, 2
        while f"{terraform_type}.{name}" in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(f"{terraform_type}.{name}")
        out[resource.urn] = f"{terraform_type}.{name}"
    return out


def _reference_targets(
    resource: RecordedResource,
    converted: dict[str, tuple[RecordedResource, mapping.TypeMapping, dict[str, Any]]],
    addresses: dict[str, str],
) -> dict[str, list[str]]:
    """Identifier value -> reference, over the resources this one depends on.

    Only a dependency's identifiers count (`id`, `arn`): they are what one resource takes from another. Matching
    any output would connect an alarm to a bucket because both are in `us-east-1`.
    """
    targets: dict[str, list[str]] = defaultdict(list)
    for urn in resource.depends_on:
        if urn not in converted:
            continue
        dependency = converted[urn][0]
        outputs = dependency.plain_outputs
        for attribute, value in (("id", dependency.id or outputs.get("id")), ("arn", outputs.get("arn"))):
            reference = f"{addresses[urn]}.{attribute}"
            if isinstance(value, str) and value and value != REDACTED and not targets[value]:
                targets[value].append(reference)
    return targets


def _expressions(values: dict[str, Any], targets: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        refs = _references_in(value, targets)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out[key] = [_expressions(v, targets) for v in value]
        elif refs:
            out[key] = {"references": refs}
        else:
            out[key] = {"constant_value": value}
    return out


def _references_in(value: Any, targets: dict[str, list[str]]) -> list[str]:
    """Terraform lists a reference with its address prefixes: `aws_s3_bucket.b.id`, then `aws_s3_bucket.b`."""
    found: list[str] = []
    strings = (
        [value]
        if isinstance(value, str)
        else [v for v in value if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )
    for item in strings:
        for reference in targets.get(item, []):
            for entry in (reference, reference.rsplit(".", 1)[0]):
                if entry not in found:
                    found.append(entry)
    return found


def _provider_expressions(provider: str, evaluation: Evaluation) -> dict[str, Any]:
    region = evaluation.config.get("aws:region")
    return {"region": {"constant_value": region}} if provider == "aws" and region else {}


def _workflow(resource: RecordedResource) -> Workflow | None:
    if resource.type != "github:index/repositoryFile:RepositoryFile":
        return None
    inputs = resource.plain_inputs
    path, content = inputs.get("file"), inputs.get("content")
    if not (isinstance(path, str) and isinstance(content, str) and WORKFLOW_FILE.fullmatch(path)):
        return None
    return Workflow(resource.urn, str(inputs.get("repository", "")), path, content)
