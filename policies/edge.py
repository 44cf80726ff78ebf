"""Edge rules (Cloudflare): TLS settings of every zone, a managed WAF that really runs (in block mode in
production), a rate limit that can trigger, and a Content-Security-Policy that restricts something.

Zones are the `zoneId`s of the stack's rulesets, zone settings, hostname TLS settings and page rules.
Staging may run the WAF in monitor mode (runbook IF-013: monitor first, then block); everything else applies
to every stack, because an edge that never blocks, never limits or serves TLS 1.0 is a defect anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity, StackValidationArgs

from .common import (
    PRODUCTION_SCHEMA,
    Judge,
    as_list,
    as_number,
    integer_option,
    is_production_stack,
    of_type,
    stack_rule,
    string_list_option,
    value_at,
)

RULESET = "cloudflare:index/ruleset:Ruleset"
ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting"
HOSTNAME_TLS = "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting"
PAGE_RULE = "cloudflare:index/pageRule:PageRule"
ZONE_TYPES = (RULESET, ZONE_SETTING, HOSTNAME_TLS, PAGE_RULE)
CLOUDFLARE_MANAGED = "efb7b8c949ac4650a09736fc376e9aee"
OWASP_CORE = "4814384a9e5d4991b9815dcfc25d2f1f"
MANAGED_PHASE = "http_request_firewall_managed"
BLOCKING_ACTIONS = ("block", "managed_challenge", "challenge", "js_challenge")
WEAK_TLS = {"1.0", "1.1"}
WEAK_SSL = {"off", "flexible"}
# OWASP paranoia levels above the default (PL1) are opt-in tuning; switching them off weakens nothing.
OPTIONAL_CATEGORIES = {"paranoia-level-2", "paranoia-level-3", "paranoia-level-4"}
MAX_OWASP_THRESHOLD = 60  # Cloudflare's "low" sensitivity; above it the anomaly score is never reached


def never_matches(expression: Any) -> bool:
    text = re.sub(r"[\s()]", "", str(expression or "")).lower()
    return text in ("false", "nottrue", "!true", "")


def _zones(args: StackValidationArgs) -> dict[str, list[PolicyResource]]:
    resources = of_type(args.resources, *ZONE_TYPES)
    if not resources:
        args.not_applicable("the stack manages no Cloudflare zone")
    zones: dict[str, list[PolicyResource]] = {}
    for r in resources:
        zone = r.props.get("zoneId")
        if isinstance(zone, str) and zone:  # account-level rulesets belong to no zone (not covered)
            zones.setdefault(zone, []).append(r)
    if not zones:
        args.not_applicable("the stack manages no Cloudflare zone")
    # Sorted so a zone-level violation is always reported on the same resource.
    return {zone: sorted(rs, key=lambda r: r.urn) for zone, rs in sorted(zones.items())}


def _rules(resources: list[PolicyResource], phase: str) -> list[tuple[PolicyResource, Mapping[str, Any]]]:
    return [
        (ruleset, rule)
        for ruleset in resources
        if ruleset.resource_type == RULESET and ruleset.props.get("phase") == phase
        for rule in as_list(ruleset.props.get("rules"))
        if isinstance(rule, Mapping) and rule.get("enabled") is not False and not never_matches(rule.get("expression"))
    ]


def _anchor(resources: list[PolicyResource], phase: str = "") -> PolicyResource:
    rulesets = [r for r in resources if r.resource_type == RULESET and (not phase or r.props.get("phase") == phase)]
    return (rulesets or resources)[0]


def _zone_rule(
    name: str,
    description: str,
    check: Any,
    *,
    severity: Severity,
    remediation: str,
    production_only: bool = False,
    schema: dict[str, dict[str, Any]] | None = None,
    level: EnforcementLevel = EnforcementLevel.MANDATORY,
) -> Any:
    def validate(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
        zones = _zones(args)
        production = is_production_stack(args.resources, config)
        if production_only and not production:
            args.not_applicable("not a production stack")
        for zone, resources in zones.items():
            judge(resources[0], f"zone {zone}", lambda z=zone, rs=resources: check(z, rs, config, production, judge))

    return stack_rule(
        name,
        description,
        validate,
        severity=severity,
        remediation=remediation,
        level=level,
        schema={**PRODUCTION_SCHEMA, **(schema or {})},
    )


def check_tls(
    zone: str, resources: list[PolicyResource], _config: Mapping[str, Any], production: bool, judge: Judge
) -> None:
    has_min_tls = False
    for r in resources:
        setting = str(r.props.get("settingId") or "")
        value = r.props.get("value")
        text = str(value.get("value") if isinstance(value, Mapping) else value).lower()
        if r.resource_type in (ZONE_SETTING, HOSTNAME_TLS) and setting == "min_tls_version":
            has_min_tls = has_min_tls or r.resource_type == ZONE_SETTING
            if text in WEAK_TLS:
                judge.report(f"zone {zone}: minimum TLS version {text} accepts TLS 1.0/1.1", r.urn)
        if r.resource_type == ZONE_SETTING and setting == "ssl" and text in WEAK_SSL:
            judge.report(f"zone {zone}: SSL mode {text!r} serves or forwards traffic without TLS", r.urn)
        if r.resource_type == ZONE_SETTING and setting == "always_use_https" and text == "off":
            judge.report(f"zone {zone}: always_use_https is off: plain HTTP is served", r.urn)
        if (
            r.resource_type == ZONE_SETTING
            and r.props.get("enabled") is False
            and setting in ("min_tls_version", "always_use_https", "ssl")
        ):
            judge.report(f"zone {zone}: the {setting} setting is disabled", r.urn)
        if r.resource_type == PAGE_RULE:
            ssl = str(value_at(r.props.get("actions"), "ssl") or "").lower()
            if ssl in WEAK_SSL and r.props.get("status") != "disabled":
                judge.report(f"zone {zone}: page rule sets SSL mode {ssl!r}", r.urn)
    manages_settings = any(r.resource_type == ZONE_SETTING for r in resources)
    if production and manages_settings and not has_min_tls:
        judge.report(
            f"zone {zone}: no min_tls_version setting, so Cloudflare's default (TLS 1.0) applies",
            _anchor(resources).urn,
        )


def _executes(resources: list[PolicyResource], ruleset_id: str) -> list[tuple[PolicyResource, Mapping[str, Any]]]:
    return [
        (rs, rule)
        for rs, rule in _rules(resources, MANAGED_PHASE)
        if rule.get("action") == "execute" and value_at(rule, "actionParameters", "id") == ruleset_id
    ]


def check_managed(
    zone: str, resources: list[PolicyResource], config: Mapping[str, Any], _production: bool, judge: Judge
) -> None:
    required = [str(r) for r in as_list(config.get("requiredRulesets", [CLOUDFLARE_MANAGED, OWASP_CORE]))]
    for ruleset_id in required:
        executes = _executes(resources, ruleset_id)
        if not executes:
            judge.report(
                f"zone {zone}: managed ruleset {ruleset_id} is not deployed by an enabled rule that can match",
                _anchor(resources, MANAGED_PHASE).urn,
            )
        for ruleset, rule in executes:
            overrides = value_at(rule, "actionParameters", "overrides")
            levels = [value_at(overrides, "sensitivityLevel")] + [
                value_at(o, "sensitivityLevel")
                for o in as_list(value_at(overrides, "categories")) + as_list(value_at(overrides, "rules"))
            ]
            if "eoff" in levels:
                judge.report(f"zone {zone}: managed ruleset {ruleset_id} has sensitivity 'eoff' (off)", ruleset.urn)
            if value_at(overrides, "enabled") is False:
                judge.report(f"zone {zone}: managed ruleset {ruleset_id} is switched off by its overrides", ruleset.urn)
            off = [
                str(value_at(c, "category"))
                for c in as_list(value_at(overrides, "categories"))
                if value_at(c, "enabled") is False and str(value_at(c, "category")) not in OPTIONAL_CATEGORIES
            ]
            if off:
                judge.report(
                    f"zone {zone}: managed ruleset {ruleset_id} has categories switched off: {off}", ruleset.urn
                )
            rules_off = [
                str(value_at(r, "id")) for r in as_list(value_at(overrides, "rules")) if value_at(r, "enabled") is False
            ]
            if rules_off:
                judge.report(
                    f"zone {zone}: managed ruleset {ruleset_id} has rules switched off: {rules_off}", ruleset.urn
                )
            for r in as_list(value_at(overrides, "rules")):
                threshold = value_at(r, "scoreThreshold")
                if threshold is not None and (
                    as_number(threshold) is None or (as_number(threshold) or 0) > MAX_OWASP_THRESHOLD
                ):
                    judge.report(f"zone {zone}: anomaly score threshold {threshold!r} is never reached", ruleset.urn)
    for phase in ("http_request_firewall_custom", MANAGED_PHASE, "http_request_late_transform"):
        for ruleset, rule in _rules(resources, phase):
            params = value_at(rule, "actionParameters")
            skipped = [str(p) for p in as_list(value_at(params, "phases"))]
            skips_managed = MANAGED_PHASE in skipped or "waf" in [str(p) for p in as_list(value_at(params, "products"))]
            skips_ruleset = value_at(params, "ruleset") == "current" and phase == MANAGED_PHASE
            skips_ids = {str(i) for i in as_list(value_at(params, "rulesets"))} & set(required)
            rules_of = value_at(params, "rules")
            skips_ids |= {str(k) for k in rules_of} & set(required) if isinstance(rules_of, Mapping) else set()
            if rule.get("action") == "skip" and (skips_managed or skips_ruleset or skips_ids):
                judge.report(
                    f"zone {zone}: rule {rule.get('ref') or rule.get('description') or '?'} skips the "
                    f"managed WAF for {rule.get('expression')!r}",
                    ruleset.urn,
                )


def check_block_mode(
    zone: str, resources: list[PolicyResource], config: Mapping[str, Any], _production: bool, judge: Judge
) -> None:
    non_blocking = {str(a) for a in as_list(config.get("nonBlockingActions", ["log", "skip"]))}
    for ruleset_id in (CLOUDFLARE_MANAGED, OWASP_CORE):
        for ruleset, rule in _executes(resources, ruleset_id):
            overrides = value_at(rule, "actionParameters", "overrides")
            actions = [value_at(overrides, "action")] + [
                value_at(c, "action") for c in as_list(value_at(overrides, "categories"))
            ]
            actions += [value_at(r, "action") for r in as_list(value_at(overrides, "rules"))]
            monitor = sorted({str(a) for a in actions if a} & non_blocking)
            if monitor:
                judge.report(
                    f"zone {zone}: managed ruleset {ruleset_id} runs in monitor mode (overrides {monitor})", ruleset.urn
                )


def check_rate_limit(
    zone: str, resources: list[PolicyResource], config: Mapping[str, Any], _production: bool, judge: Judge
) -> None:
    max_rpm = as_number(config.get("maxRequestsPerMinute", 1000)) or 1000
    effective = []
    for ruleset, rule in _rules(resources, "http_ratelimit"):
        limit = value_at(rule, "ratelimit")
        period = as_number(value_at(limit, "period"))
        requests = as_number(value_at(limit, "requestsPerPeriod"))
        score = value_at(limit, "scorePerPeriod")
        problems = []
        if rule.get("action") not in BLOCKING_ACTIONS:
            problems.append(f"action {rule.get('action')!r} does not block or challenge")
        if never_matches(value_at(limit, "countingExpression") or "true"):
            problems.append("its counting expression never matches")
        if score is None and (not period or not requests or requests / period * 60 > max_rpm):
            problems.append(
                f"{value_at(limit, 'requestsPerPeriod')!r} requests per {value_at(limit, 'period')!r} s is above "
                f"{max_rpm:g} per minute or not a number"
            )
        if problems:
            judge.report(
                f"zone {zone}: rate limit {rule.get('ref') or '?'} can never protect: {'; '.join(problems)}",
                ruleset.urn,
            )
        else:
            effective.append(rule)
    if not effective and not _rules(resources, "http_ratelimit"):
        judge.report(
            f"zone {zone}: no enabled http_ratelimit rule that can match limits clients",
            _anchor(resources, "http_ratelimit").urn,
        )


def _directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return found


OPEN_SOURCES = {"*", "http:", "https:", "data:", "blob:", "filesystem:"}
UNSAFE_SCRIPT = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'"}


def _script_sources(directives: dict[str, list[str]]) -> list[str] | None:
    return directives.get("script-src", directives.get("default-src"))


def csp_problems(policy: str) -> list[str]:
    """What makes a CSP restrict nothing: no script policy, or any origin / any scheme allowed."""
    directives = _directives(policy)
    scripts = _script_sources(directives)
    if scripts is None:
        return ["no default-src or script-src"]
    problems = []
    for name, sources in (
        ("default-src", directives.get("default-src")),
        ("script-src (effective)", scripts),
        ("object-src", directives.get("object-src")),
    ):
        loose = sorted(s for s in sources or [] if s in OPEN_SOURCES and not (s == "data:" and name == "default-src"))
        if loose:
            problems.append(f"{name} allows {loose}")
    return problems


def csp_unsafe_scripts(policy: str) -> list[str]:
    """Unsafe script sources that a nonce, hash or 'strict-dynamic' does not neutralise."""
    scripts = _script_sources(_directives(policy)) or []
    guarded = any(
        s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) or s == "'strict-dynamic'" for s in scripts
    )
    return sorted(s for s in scripts if s in UNSAFE_SCRIPT and not (guarded and s == "'unsafe-inline'"))


def _csp_values(resources: list[PolicyResource]) -> list[tuple[PolicyResource, Any]]:
    found = []
    for ruleset, rule in _rules(resources, "http_response_headers_transform"):
        headers = value_at(rule, "actionParameters", "headers")
        if rule.get("action") != "rewrite" or not isinstance(headers, Mapping):
            continue
        for header, spec in headers.items():
            if str(header).lower() == "content-security-policy" and value_at(spec, "operation") in ("set", "add"):
                found.append((ruleset, value_at(spec, "value")))
    return found


def check_csp(
    zone: str, resources: list[PolicyResource], _config: Mapping[str, Any], _production: bool, judge: Judge
) -> None:
    values = _csp_values(resources)
    for ruleset, value in values:
        if not isinstance(value, str):
            judge.report(f"zone {zone}: the CSP is set from an expression the rule cannot judge", ruleset.urn)
        elif csp_problems(value):
            judge.report(
                f"zone {zone}: Content-Security-Policy restricts nothing: {'; '.join(csp_problems(value))}", ruleset.urn
            )
    if not values:
        judge.report(f"zone {zone}: no response-header transform sets Content-Security-Policy", _anchor(resources).urn)


def check_csp_scripts(
    zone: str, resources: list[PolicyResource], _config: Mapping[str, Any], _production: bool, judge: Judge
) -> None:
    for ruleset, value in _csp_values(resources):
        unsafe = csp_unsafe_scripts(value) if isinstance(value, str) else []
        if unsafe:
            judge.report(f"zone {zone}: Content-Security-Policy allows {unsafe} scripts", ruleset.urn)


ZONE_TLS = _zone_rule(
    "edge-zone-tls",
    "Ensure no Cloudflare zone setting, hostname TLS setting or page rule turns TLS off (ssl off/flexible, "
    "always_use_https off) or accepts TLS 1.0/1.1, and production zones whose settings the stack manages set "
    "min_tls_version (Cloudflare's default accepts TLS 1.0).",
    check_tls,
    severity=Severity.HIGH,
    remediation="Set ssl 'strict', always_use_https 'on' and min_tls_version '1.2' as cloudflare.ZoneSetting resources.",
)
WAF_MANAGED = _zone_rule(
    "edge-waf-managed-rules",
    "Ensure every production Cloudflare zone executes the Cloudflare Managed and OWASP Core rulesets with rules "
    "that can match, none of them switched off by overrides, and no rule skipping the managed WAF (staging "
    "switches the rulesets off: monitor mode needs the Enterprise log action).",
    check_managed,
    severity=Severity.HIGH,
    remediation="Execute both rulesets with expression 'true' and without enabled=false overrides; remove skip rules "
    "for the managed phase.",
    production_only=True,
    schema={
        "requiredRulesets": string_list_option([CLOUDFLARE_MANAGED, OWASP_CORE], "Managed ruleset ids that must run.")
    },
)
WAF_BLOCK_MODE = _zone_rule(
    "edge-waf-block-mode",
    "Ensure production Cloudflare zones run the managed rulesets in block mode (no log/skip overrides).",
    check_block_mode,
    severity=Severity.HIGH,
    remediation="Set edge.waf.mode: block in the production stack file.",
    production_only=True,
    schema={"nonBlockingActions": string_list_option(["log", "skip"], "Override actions that mean monitor mode.")},
)
RATE_LIMITING = _zone_rule(
    "edge-rate-limiting",
    "Ensure every production Cloudflare zone has a rate limit that can trigger: enabled, matching, counting, "
    "blocking or challenging, at or below maxRequestsPerMinute.",
    check_rate_limit,
    severity=Severity.HIGH,
    remediation="Add an http_ratelimit rule with ratelimit {characteristics [cf.colo.id, ip.src], period 60, "
    "requests_per_period 100} and action block.",
    production_only=True,
    schema={"maxRequestsPerMinute": integer_option(1000, "Highest per-client rate a limit may allow.", minimum=1)},
)
CSP_HEADER = _zone_rule(
    "edge-csp-header",
    "Ensure every production Cloudflare zone sends a Content-Security-Policy that restricts scripts and objects "
    "(a script policy, and no '*' or scheme-wide source such as https: or data: for scripts, objects or defaults).",
    check_csp,
    severity=Severity.MEDIUM,
    remediation="Set Content-Security-Policy to the runbook's policy (default-src 'self'; object-src 'none'; ...).",
    production_only=True,
)

CSP_SCRIPTS = _zone_rule(
    "edge-csp-no-unsafe-scripts",
    "Ensure the production Content-Security-Policy allows no 'unsafe-inline' (without a nonce or hash) or "
    "'unsafe-eval' scripts. Advisory: the runbook's own policy asks for 'unsafe-inline', a reviewer may accept it "
    "while the app still needs inline scripts.",
    check_csp_scripts,
    severity=Severity.MEDIUM,
    remediation="Move inline scripts to files or give them nonces/hashes, then drop 'unsafe-inline' "
    "(edge.headers.allow_unsafe_inline: false).",
    production_only=True,
    level=EnforcementLevel.ADVISORY,
)

POLICIES = [ZONE_TLS, WAF_MANAGED, WAF_BLOCK_MODE, RATE_LIMITING, CSP_HEADER, CSP_SCRIPTS]
