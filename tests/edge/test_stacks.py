"""What the real stacks register for edge protection, and the optional pieces toggled on with edited settings."""

from __future__ import annotations

from typing import Any

import pytest

from components.edge.aws_waf import web_acl_rules
from components.settings.edge import AwsWafSettings
from ops.offline import Evaluation, RecordedResource, is_secret
from tests.support.programs import evaluate_with
from tests.support.stack_files import load_stack

RULESET = "cloudflare:index/ruleset:Ruleset"
ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting"
WAF_TYPES = (
    "aws:wafv2/webAcl:WebAcl",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
)
BASE_PHASES = {"http_request_firewall_managed", "http_ratelimit", "http_response_headers_transform"}
ARNS = [
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188",
    "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod",
]


def _edge_settings(stack: Evaluation) -> dict[str, Any]:
    """The `edge` mapping of the real stack file."""
    return load_stack(stack.stack)["config"]["functions-platform:edge"]


def _rulesets(stack: Evaluation) -> dict[str, RecordedResource]:
    return {r.plain_inputs["phase"]: r for r in stack.of_type(RULESET)}


def _phase_rules(stack: Evaluation, phase: str) -> list[dict[str, Any]]:
    return _rulesets(stack)[phase].plain_inputs["rules"]


def test_one_zone_entry_point_ruleset_per_phase_through_the_explicit_provider(stack: Evaluation) -> None:
    zone = _edge_settings(stack)["zones"][0]
    rulesets = stack.of_type(RULESET)
    assert sorted(r.plain_inputs["phase"] for r in rulesets) == sorted(BASE_PHASES)  # no custom rules set
    provider = stack.named(f"platform-{stack.stack}-edge-cloudflare")
    assert provider.type == "pulumi:providers:cloudflare"
    assert is_secret(provider.inputs["apiToken"])
    component = stack.named(f"platform-{stack.stack}-edge")
    for resource in [*rulesets, *stack.of_type(ZONE_SETTING)]:
        assert resource.provider.startswith(provider.urn)
        assert resource.parent == component.urn
        assert resource.plain_inputs["zoneId"] == zone["zone_id"]
    assert all(r.plain_inputs["kind"] == "zone" for r in rulesets)
    assert stack.outputs["edge_waf_mode"] == _edge_settings(stack)["waf"]["mode"]
    assert set(stack.outputs["edge_ruleset_ids"][zone["name"]]) == BASE_PHASES


def test_staging_managed_waf_is_deployed_in_monitor_mode_without_blocking(staging: Evaluation) -> None:
    managed, owasp = _phase_rules(staging, "http_request_firewall_managed")
    assert managed["actionParameters"]["id"] == "efb7b8c949ac4650a09736fc376e9aee"
    assert owasp["actionParameters"]["id"] == "4814384a9e5d4991b9815dcfc25d2f1f"
    # Pro plan: no log action, so the execute rules are deployed switched off (monitor_fallback: disabled).
    assert managed["enabled"] is False
    assert owasp["enabled"] is False
    assert "log" not in str([managed, owasp])


def test_production_managed_waf_blocks(production: Evaluation) -> None:
    managed, owasp = _phase_rules(production, "http_request_firewall_managed")
    assert managed["enabled"] is True
    assert managed["actionParameters"] == {"id": "efb7b8c949ac4650a09736fc376e9aee"}  # the rules' own actions
    overrides = owasp["actionParameters"]["overrides"]
    assert owasp["enabled"] is True
    assert overrides["rules"] == [
        {"id": "6179ae15870a4bb7b2d480d4843b323c", "action": "block", "scoreThreshold": 40, "enabled": True}
    ]
    assert overrides["categories"] == [
        {"category": "paranoia-level-3", "enabled": False},
        {"category": "paranoia-level-4", "enabled": False},
    ]


def test_api_rate_limit_per_client(stack: Evaluation) -> None:
    settings = _edge_settings(stack)["rate_limit"]
    (rule,) = _phase_rules(stack, "http_ratelimit")
    assert rule["expression"] == '(starts_with(http.request.uri.path, "/api/"))'
    assert rule["action"] == "block"
    assert rule["ratelimit"] == {
        "characteristics": ["cf.colo.id", "ip.src"],
        "period": 60,
        "requestsPerPeriod": 100,
        "mitigationTimeout": settings["mitigation_timeout_seconds"],
    }


def test_security_headers(stack: Evaluation) -> None:
    (rule,) = _phase_rules(stack, "http_response_headers_transform")
    assert rule["action"] == "rewrite"
    assert rule["expression"] == "true"
    headers = {name: h["value"] for name, h in rule["actionParameters"]["headers"].items()}
    assert all(h["operation"] == "set" for h in rule["actionParameters"]["headers"].values())
    assert headers == {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
        ),
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "X-Frame-Options": "DENY",
    }


def test_zone_tls_settings(stack: Evaluation) -> None:
    values = {r.plain_inputs["settingId"]: r.plain_inputs["value"] for r in stack.of_type(ZONE_SETTING)}
    assert values == {"always_use_https": "on", "min_tls_version": "1.2", "tls_1_3": "on", "ssl": "strict"}


def test_aws_waf_is_off_unless_resources_are_listed(stack: Evaluation) -> None:
    assert not [r for r in stack.resources if r.type in WAF_TYPES]
    assert "edge_web_acl_arn" not in stack.outputs


def _with_options(config: dict[str, Any]) -> None:
    edge = config["functions-platform:edge"]
    edge["aws_waf"] = {"protected_resource_arns": ARNS, "rate_limit_per_5_minutes": 1000, "log_retention_days": 30}
    edge["custom_rules"] = [
        {
            "description": "Block admin paths",
            "expression": '(starts_with(http.request.uri.path, "/wp-admin"))',
            "action": "block",
        }
    ]


@pytest.fixture(scope="module")
def production_options(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return evaluate_with(tmp_path_factory.mktemp("edge-production"), "production", _with_options)


def test_custom_rules_get_their_own_phase(production_options: Evaluation) -> None:
    (rule,) = _phase_rules(production_options, "http_request_firewall_custom")
    assert rule["action"] == "block"
    assert rule["description"] == "Block admin paths"
    assert set(production_options.outputs["edge_ruleset_ids"]["lodgetix.io"]) == {
        *BASE_PHASES,
        "http_request_firewall_custom",
    }


def _acl_rules(evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    (acl,) = evaluation.of_type("aws:wafv2/webAcl:WebAcl")
    return {rule["name"]: rule for rule in acl.plain_inputs["rules"]}


def test_aws_waf_on_builds_a_logged_regional_acl(production_options: Evaluation) -> None:
    (acl,) = production_options.of_type("aws:wafv2/webAcl:WebAcl")
    inputs = acl.plain_inputs
    assert inputs["scope"] == "REGIONAL"
    assert inputs["defaultAction"] == {"allow": {}}
    assert inputs["visibilityConfig"]["cloudwatchMetricsEnabled"] is True
    assert inputs["visibilityConfig"]["sampledRequestsEnabled"] is True
    rules = _acl_rules(production_options)
    assert list(rules) == [
        "rate-limit-per-ip",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesSQLiRuleSet",
    ]
    assert [r["priority"] for r in rules.values()] == [0, 1, 2, 3]
    for rule in rules.values():
        assert rule["visibilityConfig"]["cloudwatchMetricsEnabled"] is True
        assert rule["visibilityConfig"]["sampledRequestsEnabled"] is True
    rate = rules["rate-limit-per-ip"]
    assert rate["action"] == {"block": {}}
    assert rate["statement"]["rateBasedStatement"] == {
        "limit": 1000,
        "aggregateKeyType": "IP",
        "evaluationWindowSec": 300,
    }
    for group in list(rules)[1:]:
        assert rules[group]["overrideAction"] == {"none": {}}
        assert rules[group]["statement"]["managedRuleGroupStatement"] == {"vendorName": "AWS", "name": group}

    (log_group,) = [
        r for r in production_options.of_type("aws:cloudwatch/logGroup:LogGroup") if r.name.endswith("-waf-logs")
    ]
    assert log_group.plain_inputs["name"] == "aws-waf-logs-platform-production-edge"
    assert log_group.plain_inputs["retentionInDays"] == 30
    (logging,) = production_options.of_type("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    assert logging.plain_inputs["resourceArn"] == acl.outputs["arn"]
    assert logging.plain_inputs["logDestinationConfigs"] == [log_group.outputs["arn"]]
    assert {f["singleHeader"]["name"] for f in logging.plain_inputs["redactedFields"]} == {"authorization", "cookie"}
    log_filter = logging.plain_inputs["loggingFilter"]
    assert log_filter["defaultBehavior"] == "DROP"
    (keep,) = log_filter["filters"]
    assert keep["behavior"] == "KEEP"
    assert {c["actionCondition"]["action"] for c in keep["conditions"]} == {"BLOCK", "COUNT"}
    associations = production_options.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert sorted(a.plain_inputs["resourceArn"] for a in associations) == sorted(ARNS)
    assert all(a.plain_inputs["webAclArn"] == acl.outputs["arn"] for a in associations)
    assert production_options.outputs["edge_web_acl_arn"] == acl.outputs["arn"]


def test_aws_waf_counts_only_in_monitor_mode() -> None:
    # Staging's monitor mode, checked on the rule data (the production run above covers block mode).
    settings = AwsWafSettings(protected_resource_arns=ARNS)
    rules = {r["name"]: dict(r) for r in web_acl_rules("acl", settings, "monitor")}
    assert rules["rate-limit-per-ip"]["action"] == {"count": {}}
    assert [rules[g]["override_action"] for g in list(rules)[1:]] == [{"count": {}}] * 3
    blocking = {r["name"]: dict(r) for r in web_acl_rules("acl", settings, "block")}
    assert blocking["rate-limit-per-ip"]["action"] == {"block": {}}
