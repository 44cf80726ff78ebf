"""Edge settings validation: plan-tier rate limits, CSP sources, Enterprise-only log, HSTS preload, WAF log retention."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.settings.base import FieldError
from components.settings.edge import EdgeSettings, HeaderSettings
from tests.support.settings import problems_with_area
from tests.support.stack_files import NAMESPACE

ZONE_ID = "0123456789abcdef0123456789abcdef"


def _edge(plan: str, **rate_limit: Any) -> EdgeSettings:
    return EdgeSettings.model_validate(
        {
            "zones": [{"name": "example.com", "zone_id": ZONE_ID, "plan": plan}],
            "waf": {"mode": "block"},
            "rate_limit": rate_limit,
        }
    )


# Each tier: the longest period and timeout it allows pass; the next Cloudflare value up fails.
@pytest.mark.parametrize(
    ("plan", "period", "timeout"),
    [("free", 10, 10), ("pro", 60, 3600), ("business", 600, 86400), ("enterprise", 3600, 86400)],
)
def test_rate_limit_within_plan_passes(plan: str, period: int, timeout: int) -> None:
    settings = _edge(plan, period_seconds=period, mitigation_timeout_seconds=timeout)
    assert settings.rate_limit.period_seconds == period


@pytest.mark.parametrize(
    ("plan", "period", "timeout", "field", "allowed"),
    [
        ("free", 60, 10, "rate_limit.period_seconds", "allowed: [10]"),
        ("free", 10, 60, "rate_limit.mitigation_timeout_seconds", "allowed: [0, 10]"),
        ("pro", 120, 60, "rate_limit.period_seconds", "allowed: [10, 15, 20, 30, 40, 45, 60]"),
        ("pro", 60, 86400, "rate_limit.mitigation_timeout_seconds", "3600]"),
        ("business", 900, 60, "rate_limit.period_seconds", "480, 600]"),
        ("enterprise", 86400, 60, "rate_limit.period_seconds", "3600, 65535]"),
    ],
)
def test_rate_limit_beyond_plan_names_tier_and_allowed_values(
    plan: str, period: int, timeout: int, field: str, allowed: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _edge(plan, period_seconds=period, mitigation_timeout_seconds=timeout)
    error = (caught.value.errors()[0].get("ctx") or {}).get("error")
    assert isinstance(error, FieldError)
    assert error.field == field
    assert f"is not available on the {plan} plan of example.com; allowed: [" in error.message
    assert allowed in error.message


def test_plan_error_reaches_the_user_with_stack_file_and_key_path() -> None:
    def edit(edge: dict[str, Any]) -> None:
        edge["rate_limit"]["period_seconds"] = 120

    problems = problems_with_area("staging", "edge", edit)
    assert len(problems) == 1
    assert problems[0].startswith(f"{NAMESPACE}:edge.rate_limit.period_seconds: 120 is not available on the pro plan")
    assert "allowed: [10, 15, 20, 30, 40, 45, 60]" in problems[0]


def test_challenge_action_needs_zero_timeout() -> None:
    assert (
        _edge("pro", action="managed_challenge", mitigation_timeout_seconds=0).rate_limit.action == "managed_challenge"
    )
    with pytest.raises(ValueError, match="must be 0 with the managed_challenge action"):
        _edge("pro", action="managed_challenge", mitigation_timeout_seconds=60)


def test_log_action_is_enterprise_only() -> None:
    assert _edge("enterprise", action="log").rate_limit.action == "log"
    with pytest.raises(ValueError, match=r"log is available only on the enterprise plan; example\.com is on the pro"):
        _edge("pro", action="log")


def test_custom_rule_log_action_and_count_follow_the_plan() -> None:
    rule = {"description": "d", "expression": "(ip.src eq 192.0.2.1)", "action": "log"}
    base = {"zones": [{"name": "example.com", "zone_id": ZONE_ID, "plan": "enterprise"}], "waf": {"mode": "block"}}
    assert EdgeSettings.model_validate({**base, "custom_rules": [rule]}).custom_rules[0].action == "log"
    problems = problems_with_area("production", "edge", lambda edge: edge.update(custom_rules=[rule]))
    assert problems == [
        f"{NAMESPACE}:edge.custom_rules[0].action: log is available only on the enterprise plan; "
        "lodgetix.io is on the business plan"
    ]
    block = {**rule, "action": "block"}
    free = {"zones": [{"name": "example.com", "zone_id": ZONE_ID, "plan": "free"}], "waf": {"mode": "block"}}
    free["rate_limit"] = {"period_seconds": 10, "mitigation_timeout_seconds": 10}
    assert len(EdgeSettings.model_validate({**free, "custom_rules": [block] * 5}).custom_rules) == 5
    with pytest.raises(ValueError, match="allows at most 5 custom rules"):
        EdgeSettings.model_validate({**free, "custom_rules": [block] * 6})


def test_readme_csp_defaults_have_no_unsafe_sources() -> None:
    csp = HeaderSettings().csp
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # the README's 'unsafe-inline' needs an explicit opt-in
    assert all("unsafe" not in s and s != "*" for sources in csp.values() for s in sources)


@pytest.mark.parametrize(
    ("source", "flag"),
    [
        ("'unsafe-inline'", "allow_unsafe_inline"),
        ("'unsafe-eval'", "allow_unsafe_eval"),
        ("*", "allow_wildcard_sources"),
        ("https:", "allow_wildcard_sources"),
        ("https://*", "allow_wildcard_sources"),
    ],
)
def test_unsafe_csp_source_needs_its_own_flag(source: str, flag: str) -> None:
    csp = {"default-src": ["'self'"], "script-src": ["'self'", source]}
    assert HeaderSettings.model_validate({"csp": csp, flag: True}).csp["script-src"][1] == source
    with pytest.raises(ValueError, match=flag):
        HeaderSettings(csp=csp)


def test_unsafe_csp_source_error_names_the_directive() -> None:
    def edit(edge: dict[str, Any]) -> None:
        edge["headers"] = {"csp": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}}

    assert problems_with_area("production", "edge", edit) == [
        f"{NAMESPACE}:edge.headers.csp.script-src: 'unsafe-inline' needs allow_unsafe_inline: true"
    ]


@pytest.mark.parametrize("source", ["'self'; script-src *", "a.example.com,b.example.com", "two sources", ""])
def test_csp_source_cannot_smuggle_directives(source: str) -> None:
    with pytest.raises(ValueError, match="is not a single CSP source"):
        HeaderSettings(csp={"default-src": [source]})
    assert HeaderSettings(csp={"default-src": ["https://api.example.com"]}).csp


def test_hsts_preload_needs_subdomains_and_a_year() -> None:
    assert HeaderSettings(hsts_preload=True).hsts_preload
    with pytest.raises(ValueError, match="hsts_include_subdomains"):
        HeaderSettings(hsts_preload=True, hsts_include_subdomains=False)
    with pytest.raises(ValueError, match="at least 31536000"):
        HeaderSettings(hsts_preload=True, hsts_max_age_seconds=86400)


def test_waf_log_retention_is_a_cloudwatch_value() -> None:
    base = {"waf": {"mode": "block"}}
    assert (
        EdgeSettings.model_validate({**base, "aws_waf": {"log_retention_days": 365}}).aws_waf.log_retention_days == 365
    )
    with pytest.raises(ValueError, match="CloudWatch Logs retention values"):
        EdgeSettings.model_validate({**base, "aws_waf": {"log_retention_days": 100}})
