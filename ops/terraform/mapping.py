"""Pulumi type tokens and property names -> Terraform resource types and attributes.

The data (`bridge_metadata.json`, beside this module) is a subset of the providers' own bridge metadata: the
Pulumi providers are generated from the Terraform providers, and that metadata records every name that differs
between the two. Nothing here is inferred from spelling: a property the data does not know is kept under its
Pulumi name *and reported*, so a gap in the data shows in the scan instead of silently hiding an attribute.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("bridge_metadata.json")
_TERRAFORM_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class TypeMapping:
    """One Pulumi type's Terraform counterpart, as the bridge metadata records it."""

    token: str  # the Pulumi type token, `aws:s3/bucket:Bucket`
    provider: str  # the Terraform provider: aws, github, cloudflare
    terraform: str  # the Terraform resource type, `aws_s3_bucket`
    properties: dict[str, Any]  # Pulumi property -> its Terraform name, or `{name, block, ...}` for a nested block


@dataclass
class Converted:
    """Terraform attribute values of one resource, and the Pulumi property paths the data could not map."""

    values: dict[str, Any]
    unmapped: list[str] = field(default_factory=list)


@cache
def load(path: Path = DATA_FILE) -> dict[str, TypeMapping]:
    document = json.loads(path.read_text())
    return {
        token: TypeMapping(token, entry["provider"], entry["terraform"], entry.get("properties", {}))
        for token, entry in document["types"].items()
    }


def sources(path: Path = DATA_FILE) -> dict[str, Any]:
    return json.loads(path.read_text())["sources"]


def convert(mapping: TypeMapping, inputs: dict[str, Any]) -> Converted:
    result = Converted(values={})
    result.values = _object(mapping.properties, inputs, "", result.unmapped)
    return result


def _object(spec: dict[str, Any], value: dict[str, Any], path: str, unmapped: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{path}{key}"
        prop = spec.get(key)
        if prop is None:
            # Absent from the metadata means "same name in Terraform"; that can only be true of a snake_case
            # scalar. Anything else is a property the data does not cover.
            if not _TERRAFORM_NAME.fullmatch(key) or _has_objects(item):
                unmapped.append(where)
            out[key] = item
        elif isinstance(prop, str):
            out[prop] = item
        elif prop.get("map"):
            block = prop.get("block")
            out[prop["name"]] = (
                {k: _object(block, v, f"{where}.{k}.", unmapped) if isinstance(v, dict) else v for k, v in item.items()}
                if block is not None and isinstance(item, dict)
                else item
            )
        else:
            out[prop["name"]] = _block(prop, item, f"{where}.", unmapped)
    return out


def _block(prop: dict[str, Any], item: Any, path: str, unmapped: list[str]) -> Any:
    block = prop.get("block", {})
    if isinstance(item, dict):
        converted = _object(block, item, path, unmapped)
        # Pulumi flattens a Terraform block limited to one element; the plan shows it as a list of one.
        return [converted] if prop.get("maxItemsOne") else converted
    if isinstance(item, list):
        return [_object(block, v, path, unmapped) if isinstance(v, dict) else v for v in item]
    return item


def _has_objects(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
