"""Helpers shared by the rule modules: reading props as the engine hands them, rule construction, and the
guard that keeps one unexpected or unknown value from stopping (or silencing) a rule.

Props reach rules as read-only mappings (`pulumi_policy`'s unknown-checking proxies: not `dict`, lists are
not `list`), with camelCase keys. Everything here accepts any `Mapping` / `Sequence` and never mutates.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NotRequired, TypedDict, TypeVar, Unpack

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

# --------------------------------------------------------------------------------------------------
# Reading props


def value_at(value: Any, *path: str) -> Any:
    """`value[path[0]][path[1]]...`, or None when a step is missing or not a mapping."""
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def as_list(value: Any) -> list[Any]:
    """A scalar, None or a sequence as a list (IAM allows a string where a list is meant)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def first_block(value: Any) -> Any:
    """The single object of a list-shaped nested block (`rule`, `rules[0]`), or the value itself."""
    items = as_list(value)
    return items[0] if items else None


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def as_number(value: Any) -> float | None:
    """A number given as a number (never a bool); None for anything else, so a rule can say what it got."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`."""
    parts = urn.split("::")
    return parts[0].removeprefix("urn:pulumi:") if parts and parts[0].startswith("urn:pulumi:") else ""


def known(props: Mapping[str, Any], key: str) -> Any:
    """`props.get(key)`, or None when the value is unknown (preview): for indexing, never for judging."""
    try:
        return props.get(key)
    except UnknownValueError:
        return None


def tags_of(props: Mapping[str, Any]) -> Mapping[str, Any]:
    tags = known(props, "tags")
    return tags if isinstance(tags, Mapping) else {}


def identifiers(resource: PolicyResource, *props: str) -> set[str]:
    """The values other resources may use to reference this one (name, id, ARN...)."""
    found: set[str] = set()
    for prop in props:
        value = known(resource.props, prop)
        if isinstance(value, str) and value:
            found.add(value)
    return found


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    wanted = set(types)
    return [r for r in resources if r.resource_type in wanted]


def walk(value: Any) -> Iterator[Any]:
    """Every nested value of a props tree (for rules that look for a field anywhere)."""
    yield value
    if isinstance(value, Mapping):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        for v in value:
            yield from walk(v)


def string_list_option(default: list[str], description: str) -> dict[str, Any]:
    """A rule's config option that holds a list of strings (an entry of its `PolicyConfigSchema` properties)."""
    return {"type": "array", "items": {"type": "string"}, "default": default, "description": description}


def integer_option(default: int, description: str, *, minimum: int, maximum: int | None = None) -> dict[str, Any]:
    """A rule's config option that holds a whole number within bounds."""
    bounds = {"minimum": minimum} if maximum is None else {"minimum": minimum, "maximum": maximum}
    return {"type": "integer", **bounds, "default": default, "description": description}


# --------------------------------------------------------------------------------------------------
# Production: the engine gives policies no stack name or stack settings, so a stack is production when its
# URNs name a declared production stack, or when its resources carry the program's `environment` tag with a
# production value (the stack's `environment` setting, whatever the stack is called).

PRODUCTION_SCHEMA: dict[str, dict[str, Any]] = {
    "productionStacks": string_list_option(
        ["production"], "Stack names treated as production (the stack segment of each resource URN)."
    ),
    "productionEnvironments": string_list_option(
        ["production", "prod"], "Values of the `environment` tag that mark a stack as production."
    ),
}


def is_production_stack(resources: Sequence[PolicyResource], config: Mapping[str, Any]) -> bool:
    stacks = {str(s) for s in as_list(config.get("productionStacks", ["production"]))}
    environments = {str(e).lower() for e in as_list(config.get("productionEnvironments", ["production", "prod"]))}
    for resource in resources:
        if stack_of(resource.urn) in stacks:
            return True
        if str(tags_of(resource.props).get("environment", "")).lower() in environments:
            return True
    return False


# --------------------------------------------------------------------------------------------------
# Judging: one subject at a time


class UnknownSubjectsError(UnknownValueError):
    """Values a rule needed were unknown (preview); names every resource it could not judge.

    The engine reports an UnknownValueError as an advisory "can't run policy" diagnostic with this message;
    the offline run reports one advisory per resource in `subjects`.
    """

    def __init__(self, subjects: list[tuple[str, str, str]]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.subjects = subjects
        self.message = "; ".join(f"could not judge {label}: {why}" for _, label, why in subjects)

    def __str__(self) -> str:
        return self.message


def _not_applicable(exc: BaseException) -> bool:
    return type(exc).__name__ == "_NotApplicableError"


def _where(exc: BaseException) -> str:
    """The innermost line of the pack that raised: a crash message says where without quoting any value."""
    pack = Path(__file__).resolve().parent
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve().parent == pack]
    frame = frames[-1] if frames else None
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}" if frame else "unknown location"


def crash_message(label: str, exc: BaseException) -> str:
    return (
        f"{label}: the rule could not evaluate this resource ({type(exc).__name__} at {_where(exc)}); "
        "a value has an unexpected type or shape, so the resource is treated as non-compliant"
    )


class Judge:
    """Runs a check per subject. An unknown value defers that subject (an advisory naming it), a crash on an
    unexpected value becomes a violation on it, and the other subjects are judged regardless."""

    def __init__(self, report: ReportViolation) -> None:
        self.report = report
        self.unknown: list[tuple[str, str, str]] = []

    def __call__(self, subject: PolicyResource | None, label: str, check: Callable[[], None]) -> None:
        urn = subject.urn if subject is not None else ""
        try:
            check()
        except UnknownValueError as exc:
            self.unknown.append((urn, label, exc.message))
        except Exception as exc:
            if _not_applicable(exc):
                raise
            self.report(crash_message(label, exc), urn or None)

    def finish(self) -> None:
        if self.unknown:
            raise UnknownSubjectsError(self.unknown)


class RuleDeclaration(TypedDict):
    """What every rule declares besides its name, description and check (keywords of both rule builders)."""

    severity: Severity
    remediation: str
    level: NotRequired[EnforcementLevel]  # MANDATORY unless given
    schema: NotRequired[dict[str, dict[str, Any]]]  # the rule's config options


Policy = TypeVar("Policy", StackValidationPolicy, ResourceValidationPolicy)


def _policy(
    kind: type[Policy],
    validate: Callable[[Any, ReportViolation], None],
    name: str,
    description: str,
    declared: RuleDeclaration,
) -> Policy:
    """The pulumi_policy object of a stack or resource rule."""
    schema = declared.get("schema")
    return kind(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=declared.get("level", EnforcementLevel.MANDATORY),
        severity=declared["severity"],
        remediation_steps=declared["remediation"],
        config_schema=PolicyConfigSchema(properties=schema) if schema else None,
    )


StackCheck = Callable[[StackValidationArgs, Mapping[str, Any], Judge], None]
ResourceCheck = Callable[[ResourceValidationArgs, Mapping[str, Any], ReportViolation], None]


def stack_rule(
    name: str, description: str, check: StackCheck, **declared: Unpack[RuleDeclaration]
) -> StackValidationPolicy:
    """A stack rule whose check judges subjects through a `Judge` (see above)."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        judge = Judge(report)
        config = args.get_config() or {}
        judge(None, "the stack", lambda: check(args, config, judge))
        judge.finish()

    return _policy(StackValidationPolicy, validate, name, description, declared)


def resource_rule(
    name: str,
    description: str,
    types: Iterable[str] | None,
    check: ResourceCheck,
    **declared: Unpack[RuleDeclaration],
) -> ResourceValidationPolicy:
    """A resource rule for `types` (None: every type); a crash on an unexpected value is reported on the resource."""
    wanted = frozenset(types) if types is not None else None

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if wanted is not None and args.resource_type not in wanted:
            return
        config = args.get_config() or {}
        try:
            check(args, config, report)
        except UnknownValueError:
            raise
        except Exception as exc:
            if _not_applicable(exc):
                raise
            report(crash_message(f"{args.name}", exc), None)

    return _policy(ResourceValidationPolicy, validate, name, description, declared)
