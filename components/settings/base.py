"""Shared building blocks of the settings models."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")

Environment = Literal["staging", "production"]

_REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-[0-9]")
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12})?:[!-~]+")
# What SNS and Budgets deliver to: a plain local part and a DNS host name (no quotes, spaces or commas).
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def must_match(pattern: re.Pattern[str], message: str) -> Callable[[str], str]:
    """A validator: the whole value matches `pattern`, or ValueError(message), where `{value}` is the value.

    For `AfterValidator(...)` in a type, or `field_validator(<fields>)(...)` in a model (which runs after the
    printable rule of StrictSettings).
    """

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(message.format(value=value))
        return value

    return check


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


# GitHub Actions schedules: five POSIX cron fields, with names for months and weekdays, in UTC.
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of week", 0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_CRON_ITEM = re.compile(
    r"(?P<range>\*|(?P<low>[0-9]{1,2}|[A-Z]{3})(?:-(?P<high>[0-9]{1,2}|[A-Z]{3}))?)(?:/(?P<step>[0-9]{1,2}))?"
)


def _cron_number(text: str, low: int, names: tuple[str, ...]) -> int:
    return names.index(text) + low if text in names else int(text) if text.isdigit() else -1


def check_cron(value: str) -> str:
    """A schedule GitHub Actions accepts; each field within its range (minute 0-59, hour 0-23, ...)."""
    fields = value.split(" ")
    if len(fields) != len(_CRON_FIELDS):
        raise ValueError(f"'{value}' is not a five-field cron expression (minute hour day month weekday), in UTC")
    for text, (label, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            match = _CRON_ITEM.fullmatch(item.upper())
            if match is None:
                raise ValueError(f"cron {label} field '{text}' is not a number, range, list, step or *")
            first = _cron_number(match["low"], low, names) if match["low"] else low
            last = _cron_number(match["high"], low, names) if match["high"] else (high if match["step"] else first)
            if match["range"] == "*":
                first, last = low, high
            step = int(match["step"]) if match["step"] else 1
            if not (low <= first <= last <= high) or not 1 <= step <= high:
                raise ValueError(f"cron {label} field '{text}' is outside {low}-{high}")
    return value


_region = must_match(_REGION, "'{value}' is not an AWS region name (for example us-east-1)")
_arn = must_match(_ARN, "'{value}' is not an AWS ARN")
AwsRegion = Annotated[str, AfterValidator(_region)]
Cron = Annotated[str, AfterValidator(check_cron)]
Arn = Annotated[str, AfterValidator(_arn)]
Email = Annotated[str, AfterValidator(_email)]


def _texts(value: Any) -> Iterator[str]:
    """The strings in a value (dict keys too), not descending into models (they check their own)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _texts(key)
            yield from _texts(child)
    elif isinstance(value, (list, tuple)):
        for child in value:
            yield from _texts(child)


class FieldError(ValueError):
    """A cross-field validation error that belongs to one key: the error report names `<model path>.<field>`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StrictSettings(BaseModel):
    """Base of every settings model: unknown keys are errors, values are immutable, and types are strict.

    Strict: `true` is not the integer 1, `7.0` is not the integer 7, `"7"` is not a number, and NaN or
    infinity is never a threshold. Values are never stripped or coerced: what the stack file says is what
    reaches the resources, or it is refused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        # Every text value ends up in a resource name, a header, a URL or a committed file, where a newline or
        # an escape sequence either breaks it or smuggles something in.
        for text in _texts(value):
            if not text.isprintable():
                raise ValueError(
                    "must not contain control or invisible characters (a newline, tab, escape or non-breaking space)"
                )
        return value
