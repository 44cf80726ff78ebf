"""The scan result as text for people, JSON for tools, and SARIF 2.1.0 for GitHub code scanning."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .checkov import Finding
from .exceptions import Review

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
PROVIDER_LEVEL = "(provider configuration)"


@dataclass(frozen=True)
class ScanResult:
    stack: str
    stack_file: str  # the settings file of the stack, relative to the program: where SARIF results point
    checkov_version: str
    findings: list[Finding]
    review: Review
    unmapped_types: dict[str, list[str]]
    unmapped_properties: list[str]

    @property
    def passed(self) -> int:
        return sum(1 for f in self.findings if f.passed)


def text(result: ScanResult) -> str:
    # Checkov reports no version when it found nothing to check (every resource unmapped).
    lines = [f"Checkov {result.checkov_version or '(no resources checked)'} on stack {result.stack}"]
    for finding in result.review.unreviewed:
        lines += [f"  FAILED  {finding.check_id}  {finding.check_name}", *_where(finding)]
        if finding.guideline:
            lines.append(f"          guide: {finding.guideline}")
    for finding, exception in result.review.waived:
        lines += [f"  WAIVED  {finding.check_id}  {finding.check_name}", *_where(finding)]
        lines.append(f"          reviewed by {exception.reviewer} on {exception.date}: {exception.reason}")
    for exception in result.review.unused:
        lines.append(f"  note: exception {exception.check} for {exception.resource!r} matched nothing in this stack")
    for type_, urns in sorted(result.unmapped_types.items()):
        lines.append(f"  UNMAPPED type {type_} ({len(urns)} resources): not scanned, no Terraform mapping")
    if result.unmapped_properties:
        lines.append(
            f"  note: {len(result.unmapped_properties)} properties outside the mapping data were kept under their "
            "Pulumi names (--format json lists them)"
        )
    lines.append(
        f"{result.passed} passed, {len(result.review.unreviewed)} failed, {len(result.review.waived)} waived"
        + (
            f", {sum(len(u) for u in result.unmapped_types.values())} resources unmapped"
            if result.unmapped_types
            else ""
        )
    )
    return "\n".join(lines) + "\n"


def _where(finding: Finding) -> list[str]:
    return [f"          {finding.urn or PROVIDER_LEVEL}", f"          ({finding.target})"]


def as_json(result: ScanResult) -> str:
    waivers = {id(f): e for f, e in result.review.waived}
    document = {
        "stack": result.stack,
        "checkov_version": result.checkov_version,
        "summary": {
            "passed": result.passed,
            "failed": len(result.review.unreviewed),
            "waived": len(result.review.waived),
            "unmapped_resources": sum(len(u) for u in result.unmapped_types.values()),
        },
        "findings": [
            {
                "check_id": f.check_id,
                "check_name": f.check_name,
                "framework": f.framework,
                "result": "passed" if f.passed else ("waived" if id(f) in waivers else "failed"),
                "urn": f.urn,
                "target": f.target,
                "guideline": f.guideline,
                **({"exception": waivers[id(f)].model_dump(mode="json")} if id(f) in waivers else {}),
            }
            for f in result.findings
        ],
        "unused_exceptions": [e.model_dump(mode="json") for e in result.review.unused],
        "unmapped_types": result.unmapped_types,
        "unmapped_properties": result.unmapped_properties,
    }
    return json.dumps(document, indent=2) + "\n"


def sarif(result: ScanResult) -> str:
    failed = [(f, None) for f in result.review.unreviewed] + list(result.review.waived)
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for finding, exception in failed:
        rules.setdefault(
            finding.check_id,
            {
                "id": finding.check_id,
                "name": finding.check_id,
                "shortDescription": {"text": finding.check_name},
                **({"helpUri": finding.guideline} if finding.guideline else {}),
            },
        )
        entry: dict[str, Any] = {
            "ruleId": finding.check_id,
            "level": "error",
            "message": {"text": f"{finding.check_name}: {finding.urn or PROVIDER_LEVEL} ({finding.target})"},
            # Resources have no source line: results point at the stack's settings file, and name the resource.
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": result.stack_file},
                        "region": {"startLine": 1},
                    },
                    "logicalLocations": [{"fullyQualifiedName": finding.urn or PROVIDER_LEVEL, "kind": "resource"}],
                }
            ],
            "partialFingerprints": {
                "resourceCheck/v1": hashlib.sha256(
                    f"{finding.check_id}|{finding.urn}|{finding.target}".encode()
                ).hexdigest()
            },
        }
        if exception is not None:
            entry["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{exception.reason} (reviewed by {exception.reviewer} on {exception.date})",
                }
            ]
        results.append(entry)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Checkov",
                        **({"version": result.checkov_version} if result.checkov_version else {}),
                        "informationUri": "https://www.checkov.io/",
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"ops-scan/{result.stack}/"},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
