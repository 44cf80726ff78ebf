"""What an offline run records: each registered resource with its options, and the whole evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .secrets import unwrap_secrets


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    protect: bool
    retain_on_delete: bool
    depends_on: list[str]
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    @property
    def plain_inputs(self) -> dict[str, Any]:
        """Inputs as the policy engine hands them to rules: secrets unwrapped."""
        return unwrap_secrets(self.inputs)

    @property
    def plain_outputs(self) -> dict[str, Any]:
        return unwrap_secrets(self.outputs)


@dataclass
class Evaluation:
    project: str
    stack: str
    program_dir: Path
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    config: dict[str, str]

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources are named {name!r}")
        return matches[0]
