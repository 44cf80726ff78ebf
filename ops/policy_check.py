"""Run the policy pack's rules offline over an evaluation, the way the engine's analyzer would.

Resource rules see each registered resource's inputs; stack rules see every resource with its outputs,
parent and dependencies. Props are deserialised and wrapped exactly as `pulumi_policy` does at runtime
(secrets unwrapped, camelCase keys, read-only mappings that raise on unknown values).
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from components.shared.pulumi_internals import Unknown

from .boundary import OpsError
from .offline import REDACTED, Evaluation, RecordedResource, secret_strings


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str
    severity: str
    urn: str
    message: str


def _resolve(result: Any) -> None:
    if inspect.isawaitable(result):
        asyncio.run(_await(result))


async def _await(awaitable: Any) -> None:
    await awaitable


def _level(policy: Policy, config: Mapping[str, Any]) -> EnforcementLevel:
    """Per-policy config first, then `all`, then the policy's own level, then the pack default (advisory)."""
    override = config.get(policy.name)
    if isinstance(override, str):
        return EnforcementLevel(override)
    if isinstance(override, Mapping) and "enforcementLevel" in override:
        return EnforcementLevel(override["enforcementLevel"])
    level = policy.enforcement_level or EnforcementLevel.ADVISORY
    if isinstance(config.get("all"), str):
        level = EnforcementLevel(config["all"])
    return EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level


def _policy_config(policy: Policy, config: Mapping[str, Any], evaluation: Evaluation | None = None) -> dict[str, Any]:
    """Schema defaults (the CLI applies them) overlaid with the team's values. Offline the stack's settings are
    known: a stack whose `environment` setting is a production environment is declared a production stack."""
    values: dict[str, Any] = {}
    schema = policy.config_schema
    if schema is not None:
        for key, spec in schema.properties.items():
            if "default" in spec:
                values[key] = spec["default"]
    override = config.get(policy.name)
    if isinstance(override, Mapping):
        values.update({k: v for k, v in override.items() if k != "enforcementLevel"})
    stacks, environments = values.get("productionStacks"), values.get("productionEnvironments")
    if evaluation is not None and isinstance(stacks, list) and isinstance(environments, list):
        environment = evaluation.config.get(f"{evaluation.project}:environment", "")
        if environment.lower() in {str(e).lower() for e in environments}:
            values["productionStacks"] = [*stacks, evaluation.stack]
    return values


def _options(resource: RecordedResource) -> PolicyResourceOptions:
    options = PolicyResourceOptions(
        resource.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], resource.parent or None
    )
    # The engine passes no retain_on_delete to policies; offline it is known, so rules that can use it may.
    options.retain_on_delete = resource.retain_on_delete  # pyright: ignore[reportAttributeAccessIssue]
    return options


def _engine_view(value: Any) -> Any:
    """An unknown output as the engine hands it to policies: the unknown sentinel the proxies raise on."""
    if isinstance(value, Unknown):
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {k: _engine_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_view(v) for v in value]
    return value


def _with_unknowns(outputs: Any, inputs: Any) -> Any:
    """Outputs, unknown wherever the input they came from was unknown (the engine's preview view of them)."""
    if isinstance(inputs, Unknown):
        return inputs
    if isinstance(outputs, dict) and isinstance(inputs, dict):
        merged = {k: _with_unknowns(v, inputs.get(k)) for k, v in outputs.items()}
        merged.update({k: v for k, v in inputs.items() if isinstance(v, Unknown)})
        return merged
    if isinstance(outputs, list) and isinstance(inputs, list) and len(outputs) == len(inputs):
        return [_with_unknowns(o, i) for o, i in zip(outputs, inputs, strict=True)]
    return outputs


def _unknown(policy: Policy, severity: str, urn: str, name: str, exc: UnknownValueError) -> list[Violation]:
    """What the analyzer reports when a rule reads a value unknown during preview: an advisory diagnostic naming
    the rule and each resource it could not judge."""
    subjects = getattr(exc, "subjects", None) or [(urn, name, exc.message)]
    return [
        Violation(
            policy.name,
            "advisory",
            severity,
            subject_urn or urn,
            f"can't run policy during preview: {policy.name} could not judge {label or 'the stack'}: {message}",
        )
        for subject_urn, label, message in subjects
    ]


def _defaulting(report: Any, default_urn: str) -> Any:
    """A resource rule's violations belong to the resource unless the rule names another URN."""

    def report_violation(message: str, urn: str | None = None) -> None:
        report(message, urn, _default_urn=default_urn)

    return report_violation


def _not_applicable(exc: Exception) -> bool:
    return type(exc).__name__ == "_NotApplicableError"


class PolicyRuleError(OpsError):
    """A rule raised instead of reporting: the engine fails the preview; so does the offline run (exit 2)."""


def _run(policy: ResourceValidationPolicy | StackValidationPolicy, args: Any, report: Any, urn: str = "") -> None:
    """Run one validation; not-applicable ends it quietly, an unknown value propagates to the caller."""
    try:
        _resolve(policy.validate(args, report))
    except UnknownValueError:
        raise
    except Exception as exc:
        if _not_applicable(exc):
            return
        # The exception's text may quote an input (a secret among them): name the rule, the type and the line.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        target = f" on {urn}" if urn else ""
        raise PolicyRuleError(
            f"policy {policy.name} failed{target}: {type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno} "
            "(a bug in the rule: it must report a violation, not raise)"
        ) from exc


def run_policies(
    evaluation: Evaluation, policies: Sequence[Policy], config: Mapping[str, Any] | None = None
) -> list[Violation]:
    """Violations of `policies` over the evaluation, as `pulumi preview --policy-pack` would report them.

    Resource rules see every registered resource (custom and component, as the engine analyses each
    registration) with its inputs; stack rules see all of them with outputs, options, parent and dependencies.
    """
    config = config or {}
    violations: list[Violation] = []
    resources = evaluation.resources

    for policy in policies:
        level = _level(policy, config)
        if level == EnforcementLevel.DISABLED:
            continue
        severity = policy.severity.value if policy.severity is not None else ""
        policy_config = _policy_config(policy, config, evaluation)

        def report(
            message: str,
            urn: str | None = None,
            *,
            _p: Policy = policy,
            _level: str = level.value,
            _severity: str = severity,
            _default_urn: str = "",
        ) -> None:
            violations.append(Violation(_p.name, _level, _severity, urn or _default_urn, message))

        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                args = ResourceValidationArgs(
                    resource.type,
                    unknown_checking_proxy(_engine_view(resource.plain_inputs)),
                    resource.urn,
                    resource.name,
                    _options(resource),
                    None,
                    policy_config,
                )
                try:
                    _run(policy, args, _defaulting(report, resource.urn), resource.urn)
                except UnknownValueError as exc:
                    violations.extend(_unknown(policy, severity, resource.urn, resource.name, exc))
        elif isinstance(policy, StackValidationPolicy):
            by_urn = {
                r.urn: PolicyResource(
                    r.type,
                    unknown_checking_proxy(_engine_view(_with_unknowns(r.plain_outputs, r.plain_inputs))),
                    r.urn,
                    r.name,
                    _options(r),
                    None,
                    None,
                    [],
                    {},
                )
                for r in resources
            }
            for r in resources:
                node = by_urn[r.urn]
                node.parent = by_urn.get(r.parent)
                node.dependencies = [by_urn[u] for u in r.depends_on if u in by_urn]
            stack_args = StackValidationArgs(list(by_urn.values()), policy_config)
            try:
                _run(policy, stack_args, report)
            except UnknownValueError as exc:
                violations.extend(_unknown(policy, severity, "", "", exc))
    return [_scrubbed(v, secrets) for v in violations] if (secrets := secret_strings(evaluation)) else violations


def _scrubbed(violation: Violation, secrets: list[str]) -> Violation:
    """The violation with every secret value in its message replaced (rules see secrets in plain text)."""
    message = violation.message
    for secret in secrets:
        message = message.replace(secret, REDACTED)
    return violation if message == violation.message else dataclasses.replace(violation, message=message)


def load_policies() -> list[Policy]:
    from policies.catalog import ALL_POLICIES

    return list(ALL_POLICIES)
