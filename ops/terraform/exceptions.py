"""Reviewed exceptions to scanner findings: one committed YAML file, each entry with who reviewed it and when.

An entry waives one check for the resources its pattern matches (shell-style `*` and `?`, matched against the
whole Pulumi URN, the Terraform address, or `repository/.github/workflows/file.yml` for a workflow). A finding no
entry matches is unreviewed, and fails the scan.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .checkov import Finding

FILE_NAME = "scan-exceptions.yaml"
CHECK_ID = re.compile(r"CKV2?_[A-Z0-9]+_[0-9]+")


class ExceptionsFileError(Exception):
    """The exceptions file is not valid; the message names the file and the key path."""


class ReviewedException(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    check: str = Field(description="Checkov check id, e.g. CKV2_AWS_62")
    resource: str = Field(min_length=1, description="pattern over the URN, Terraform address or workflow file")
    reason: str = Field(min_length=20, description="why the finding is acceptable here")
    reviewer: str = Field(min_length=1)
    date: datetime.date

    @field_validator("check")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not CHECK_ID.fullmatch(value):
            raise ValueError("must be a Checkov check id such as CKV_AWS_300 or CKV2_AWS_62")
        return value

    @field_validator("resource", "reason", "reviewer")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    def matches(self, finding: Finding) -> bool:
        if finding.check_id != self.check:
            return False
        candidates = [finding.urn, finding.target, finding.target.split(" ", 1)[0]]
        return any(c and fnmatchcase(c, self.resource) for c in candidates)


class ExceptionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    exceptions: list[ReviewedException] = Field(default_factory=list)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A duplicated key would make one of two reviews silently disappear."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@dataclass(frozen=True)
class Review:
    waived: list[tuple[Finding, ReviewedException]]
    unreviewed: list[Finding]
    unused: list[ReviewedException]


def load(path: Path) -> list[ReviewedException]:
    if not path.exists():
        return []
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ExceptionsFileError(f"{path.name}: cannot be read: {exc}") from None
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ExceptionsFileError(f"{path.name}: not valid YAML: {exc}") from None
    try:
        return ExceptionsFile.model_validate(document if document is not None else {}).exceptions
    except ValidationError as exc:
        problems = "; ".join(f"{_key_path(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ExceptionsFileError(f"{path.name}: {problems}") from None


def review(findings: list[Finding], exceptions: list[ReviewedException]) -> Review:
    waived: list[tuple[Finding, ReviewedException]] = []
    unreviewed: list[Finding] = []
    used: set[int] = set()
    for finding in findings:
        if finding.passed:
            continue
        match = next((i for i, e in enumerate(exceptions) if e.matches(finding)), None)
        if match is None:
            unreviewed.append(finding)
        else:
            used.add(match)
            waived.append((finding, exceptions[match]))
    return Review(waived, unreviewed, [e for i, e in enumerate(exceptions) if i not in used])


def _key_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"
