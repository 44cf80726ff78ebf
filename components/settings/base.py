"""Shared building blocks of the settings models."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")

Environment = Literal["staging", "production"]

_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _region(value: str) -> str:
    if not _REGION.match(value):
        raise ValueError(f"'{value}' is not an AWS region name (for example us-east-1)")
    return value


def _arn(value: str) -> str:
    if not _ARN.match(value):
        raise ValueError(f"'{value}' is not an AWS ARN")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


AwsRegion = Annotated[str, AfterValidator(_region)]
Arn = Annotated[str, AfterValidator(_arn)]
Email = Annotated[str, AfterValidator(_email)]


class FieldError(ValueError):
    """A cross-field validation error that belongs to one key: the error report names `<model path>.<field>`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Model(BaseModel):
    """Base of every settings model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
