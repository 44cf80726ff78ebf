"""Edge rules (Cloudflare): a production zone runs the managed WAF in block mode, rate-limits clients and sends a
Content-Security-Policy. Staging may run the WAF in monitor mode (runbook IF-013: monitor first, then block).

Production is recognised from the stack segment of the resource URNs (`productionStacks`), because the engine
gives policies no stack name of their own. Zones are the `zoneId`s of the stack's Cloudflare rulesets and settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import PRODUCTION_STACKS_SCHEMA, as_list, get, is_production

RULESET = "cloudflare:index/ruleset:Ruleset"
ZONE_TYPES = (RULESET, "cloudflare:index/zoneSetting:ZoneSetting")
CLOUDFLARE_MANAGED = "efb7b8c949ac4650a09736fc376e9aee"
OWASP_CORE = "4814384a9e5d4991b9815dcfc25d2f1f"
BLOCKING_RATE_LIMIT_ACTIONS = ("block", "managed_challenge", "challenge", "js_challenge")


def production_zones(args: StackValidationArgs, config: Mapping[str, Any]) -> dict[str, list[PolicyResource]]:
    """Zone id -> its rulesets, for the zones of a production stack; not applicable otherwise."""
    zone_resources = [r for r in args.resources if r.resource_type in ZONE_TYPES]
    if not zone_resources:
        args.not_applicable("the stack manages no Cloudflare zone")
    if not is_production(zone_resources[0].urn, config):
        args.not_applicable("not a production stack")
    zones: dict[str, list[PolicyResource]] = {}
    for r in zone_resources:
        zone = r.props.get("zoneId")
        if isinstance(zone, str):
            zones.setdefault(zone, [])
            if r.resource_type == RULESET:
                zones[zone].append(r)
    # Sorted so a violation is always reported on the same resource (the engine's order is not guaranteed).
    return {zone: sorted(rulesets, key=lambda r: r.urn) for zone, rulesets in zones.items()}


def enabled_rules(rulesets: list[PolicyResource], phase: str) -> list[Any]:
    return [
        rule
        for ruleset in rulesets
        if ruleset.props.get("phase") == phase
        for rule in as_list(ruleset.props.get("rules"))
        if get(rule, "enabled") is not False
    ]


def _zone_rule(
    name: str,
    description: str,
    *,
    check: Callable[[list[PolicyResource], Mapping[str, Any]], str | None],
    severity: Severity,
    remediation: str,
    extra_schema: dict[str, dict[str, Any]] | None = None,
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = args.get_config() or {}
        for zone, rulesets in production_zones(args, config).items():
            problem = check(rulesets, config)
            if problem:
                report(f"zone {zone}: {problem}", rulesets[0].urn if rulesets else None)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=severity,
        remediation_steps=remediation,
        config_schema=PolicyConfigSchema(
            properties={"productionStacks": PRODUCTION_STACKS_SCHEMA, **(extra_schema or {})}
        ),
    )


def _override_actions(overrides: Any) -> list[str]:
    found = [get(overrides, "action")]
    found += [get(c, "action") for c in as_list(get(overrides, "categories"))]
    found += [get(r, "action") for r in as_list(get(overrides, "rules"))]
    return [str(a) for a in found if a]


def check_waf(rulesets: list[PolicyResource], config: Mapping[str, Any]) -> str | None:
    non_blocking = set(as_list(config.get("nonBlockingActions", ["log", "skip"])))
    problems: list[str] = []
    rules = enabled_rules(rulesets, "http_request_firewall_managed")
    for ruleset_id in as_list(config.get("requiredRulesets", [CLOUDFLARE_MANAGED, OWASP_CORE])):
        executes = [
            r for r in rules if get(r, "action") == "execute" and get(r, "actionParameters", "id") == ruleset_id
        ]
        if not executes:
            problems.append(f"managed ruleset {ruleset_id} is not deployed")
            continue
        for rule in executes:
            overrides = get(rule, "actionParameters", "overrides")
            monitor = sorted(set(_override_actions(overrides)) & non_blocking)
            if monitor or get(overrides, "enabled") is False:
                problems.append(
                    f"managed ruleset {ruleset_id} runs in monitor mode (overrides {monitor or 'disabled'})"
                )
    return "; ".join(problems) or None


def check_rate_limit(rulesets: list[PolicyResource], _config: Mapping[str, Any]) -> str | None:
    for rule in enabled_rules(rulesets, "http_ratelimit"):
        if get(rule, "ratelimit") is not None and get(rule, "action") in BLOCKING_RATE_LIMIT_ACTIONS:
            return None
    return "no enabled http_ratelimit rule that blocks or challenges clients over the limit"


def check_csp(rulesets: list[PolicyResource], _config: Mapping[str, Any]) -> str | None:
    for rule in enabled_rules(rulesets, "http_response_headers_transform"):
        headers = get(rule, "actionParameters", "headers")
        if get(rule, "action") != "rewrite" or not isinstance(headers, Mapping):
            continue
        for header, spec in headers.items():
            is_csp = str(header).lower() == "content-security-policy" and get(spec, "operation") in ("set", "add")
            if is_csp and (get(spec, "value") or get(spec, "expression")):
                return None
    return "no response-header transform sets Content-Security-Policy"


WAF_BLOCK_MODE = _zone_rule(
    "edge-waf-block-mode",
    "Ensure every production Cloudflare zone runs the Cloudflare Managed and OWASP Core rulesets in block mode.",
    check=check_waf,
    severity=Severity.HIGH,
    remediation="Deploy both managed rulesets in the zone's http_request_firewall_managed ruleset without overrides to 'log' "
    "(set edge.waf.mode: block in the production stack file).",
    extra_schema={
        "requiredRulesets": {
            "type": "array",
            "items": {"type": "string"},
            "default": [CLOUDFLARE_MANAGED, OWASP_CORE],
            "description": "Managed ruleset ids that must be executed in block mode.",
        },
        "nonBlockingActions": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["log", "skip"],
            "description": "Override actions that mean monitor mode.",
        },
    },
)
RATE_LIMITING = _zone_rule(
    "edge-rate-limiting",
    "Ensure every production Cloudflare zone rate-limits clients with a blocking or challenging rule.",
    check=check_rate_limit,
    severity=Severity.HIGH,
    remediation="Add an http_ratelimit ruleset rule with ratelimit {characteristics: [cf.colo.id, ip.src], period, "
    "requests_per_period} and action block.",
)
CSP_HEADER = _zone_rule(
    "edge-csp-header",
    "Ensure every production Cloudflare zone sets a Content-Security-Policy response header.",
    check=check_csp,
    severity=Severity.MEDIUM,
    remediation="Add an http_response_headers_transform rule with action rewrite that sets Content-Security-Policy.",
)

POLICIES = [WAF_BLOCK_MODE, RATE_LIMITING, CSP_HEADER]
