"""Cloudflare ruleset rules built as plain data from the edge settings (no provider import: cheap to test).

Monitor mode and the plan tiers (IF-013 "monitor first, block after tuning"):

* The Cloudflare Managed Ruleset and the OWASP Core Ruleset need the Pro plan or higher. A Free zone
  runs the Cloudflare Free Managed Ruleset instead, and has no OWASP ruleset.
* The `log` action, the only action that records a match without acting on it, is Enterprise-only.
  Enterprise zones in monitor mode override the managed rules' action to `log`.
* Other plans cannot log, so monitor mode there falls back to `waf.monitor_fallback`:
  `disabled` (default) deploys the execute rules switched off: the rulesets, ids and overrides are in
  place and validated by the API, but nothing is blocked. This is the only option that never blocks.
  `managed_challenge` challenges matches: the events show up in Security Events, but API clients that
  cannot solve a challenge fail, so it is not truly non-blocking.
* OWASP scores requests and only its last rule, "Inbound Anomaly Score Exceeded", acts on them. The
  action and threshold therefore go on that rule. A ruleset-wide action override would replace the
  scoring rules' own `score` action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.settings.edge import EdgeSettings, HeaderSettings, ManagedWafSettings, Plan

if TYPE_CHECKING:
    from pulumi_cloudflare import (
        RulesetRuleActionParametersHeadersArgsDict,
        RulesetRuleActionParametersOverridesArgsDict,
        RulesetRuleActionParametersOverridesCategoryArgsDict,
        RulesetRuleArgsDict,
    )

CLOUDFLARE_MANAGED_RULESET = "efb7b8c949ac4650a09736fc376e9aee"
OWASP_CORE_RULESET = "4814384a9e5d4991b9815dcfc25d2f1f"
FREE_MANAGED_RULESET = "77454fe2d30c4220b5701f6fdfb893ba"
OWASP_ANOMALY_SCORE_RULE = "6179ae15870a4bb7b2d480d4843b323c"
PARANOIA_LEVELS = (1, 2, 3, 4)

# Cloudflare requires `cf.colo.id` in every rate-limit rule; `ip.src` makes the counter per client.
RATE_LIMIT_CHARACTERISTICS = ("cf.colo.id", "ip.src")

PHASE_MANAGED = "http_request_firewall_managed"
PHASE_RATELIMIT = "http_ratelimit"
PHASE_HEADERS = "http_response_headers_transform"
PHASE_CUSTOM = "http_request_firewall_custom"


def csp_value(headers: HeaderSettings) -> str:
    """`directive src1 src2; directive2 ...` in the order the settings list the directives."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in headers.csp.items())


def hsts_value(headers: HeaderSettings) -> str:
    parts = [f"max-age={headers.hsts_max_age_seconds}"]
    if headers.hsts_include_subdomains:
        parts.append("includeSubDomains")
    if headers.hsts_preload:
        parts.append("preload")
    return "; ".join(parts)


def security_headers(headers: HeaderSettings) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp_value(headers),
        "Strict-Transport-Security": hsts_value(headers),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": headers.referrer_policy,
        "Permissions-Policy": headers.permissions_policy,
        "X-Frame-Options": headers.frame_options,
    }


def header_rules(headers: HeaderSettings) -> list[RulesetRuleArgsDict]:
    values: dict[str, RulesetRuleActionParametersHeadersArgsDict] = {
        name: {"operation": "set", "value": value} for name, value in security_headers(headers).items()
    }
    return [
        {
            "ref": "security_headers",
            "description": "Security response headers (CSP, HSTS, nosniff, referrer, permissions, frame)",
            "expression": "true",
            "action": "rewrite",
            "action_parameters": {"headers": values},
            "enabled": True,
        }
    ]


def monitor_action(plan: Plan, waf: ManagedWafSettings) -> str | None:
    """The override action of managed rules in monitor mode, or None when the rules are deployed switched off."""
    if plan == "enterprise":
        return "log"
    return "managed_challenge" if waf.monitor_fallback == "managed_challenge" else None


def _paranoia_overrides(level: int) -> list[RulesetRuleActionParametersOverridesCategoryArgsDict]:
    # Rules of a paranoia level above the setting are switched off; the ones at or below stay on.
    return [{"category": f"paranoia-level-{n}", "enabled": False} for n in PARANOIA_LEVELS if n > level]


def _execute(
    ref: str, description: str, ruleset_id: str, overrides: RulesetRuleActionParametersOverridesArgsDict, enabled: bool
) -> RulesetRuleArgsDict:
    rule: RulesetRuleArgsDict = {
        "ref": ref,
        "description": description,
        "expression": "true",
        "action": "execute",
        "action_parameters": {"id": ruleset_id, "overrides": overrides} if overrides else {"id": ruleset_id},
        "enabled": enabled,
    }
    return rule


def managed_waf_rules(plan: Plan, waf: ManagedWafSettings) -> list[RulesetRuleArgsDict]:
    """Execute rules of the `http_request_firewall_managed` entry point for one zone."""
    monitoring = waf.mode == "monitor"
    action = monitor_action(plan, waf) if monitoring else None
    # Monitor mode without a usable non-blocking action: deploy switched off rather than block.
    enabled = not monitoring or action is not None
    # Block mode keeps each managed rule's own action; monitor mode overrides them all.
    ruleset_override: RulesetRuleActionParametersOverridesArgsDict = {"action": action} if action else {}
    if plan == "free":
        description = "Cloudflare Free Managed Ruleset (the Free plan has no Managed or OWASP ruleset)"
        return [_execute("execute_free_managed_ruleset", description, FREE_MANAGED_RULESET, ruleset_override, enabled)]

    owasp_overrides: RulesetRuleActionParametersOverridesArgsDict = {
        "rules": [
            {
                "id": OWASP_ANOMALY_SCORE_RULE,
                "action": action or "block",
                "score_threshold": waf.owasp_score_threshold,
                "enabled": True,
            }
        ],
    }
    categories = _paranoia_overrides(waf.owasp_paranoia_level)
    if categories:
        owasp_overrides["categories"] = categories
    owasp_description = (
        f"OWASP Core Ruleset: paranoia level {waf.owasp_paranoia_level}, "
        f"anomaly score threshold {waf.owasp_score_threshold}"
    )
    return [
        _execute(
            "execute_cloudflare_managed_ruleset",
            "Cloudflare Managed Ruleset",
            CLOUDFLARE_MANAGED_RULESET,
            ruleset_override,
            enabled,
        ),
        _execute("execute_owasp_core_ruleset", owasp_description, OWASP_CORE_RULESET, owasp_overrides, enabled),
    ]


def rate_limit_rules(settings: EdgeSettings) -> list[RulesetRuleArgsDict]:
    limit = settings.rate_limit
    return [
        {
            "ref": "api_rate_limit",
            "description": f"{limit.requests_per_period} requests per {limit.period_seconds} s per client on API paths",
            "expression": limit.expression,
            "action": limit.action,
            "ratelimit": {
                "characteristics": list(RATE_LIMIT_CHARACTERISTICS),
                "period": limit.period_seconds,
                "requests_per_period": limit.requests_per_period,
                "mitigation_timeout": limit.mitigation_timeout_seconds,
            },
            "enabled": True,
        }
    ]


def custom_rules(settings: EdgeSettings) -> list[RulesetRuleArgsDict]:
    return [
        {
            "ref": f"custom_{index}",
            "description": rule.description,
            "expression": rule.expression,
            "action": rule.action,
            "enabled": True,
        }
        for index, rule in enumerate(settings.custom_rules)
    ]
