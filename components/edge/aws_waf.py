"""Optional AWS WAFv2 web ACL for AWS-hosted endpoints (ALB, API Gateway stage, AppSync): regional scope.

Built only when settings list resources to protect. `pulumi_aws.wafv2` is imported inside the builder:
its first use costs about 0.6 s, which stacks without the option should not pay.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pulumi

from components.settings.edge import AwsWafSettings

if TYPE_CHECKING:
    from pulumi_aws.wafv2 import (
        WebAclRuleActionArgsDict,
        WebAclRuleArgsDict,
        WebAclRuleOverrideActionArgsDict,
        WebAclRuleVisibilityConfigArgsDict,
    )

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
RATE_RULE = "rate-limit-per-ip"
RATE_WINDOW_SECONDS = 300
# Headers that carry credentials never reach the logs.
REDACTED_HEADERS = ("authorization", "cookie")
LOG_GROUP_PREFIX = "aws-waf-logs-"  # AWS WAF refuses a log destination without it


@dataclass(frozen=True)
class AwsWebAcl:
    arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]


def metric_name(*parts: str) -> str:
    """CloudWatch metric names of WAF allow `[A-Za-z0-9_-]`, 1-128 characters."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", "-".join(parts))[:128]


def _visibility(name: str) -> WebAclRuleVisibilityConfigArgsDict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": name, "sampled_requests_enabled": True}


def web_acl_rules(
    acl_name: str, settings: AwsWafSettings, mode: Literal["monitor", "block"]
) -> list[WebAclRuleArgsDict]:
    """Rate-based rule first (cheapest, sheds floods), then the AWS managed groups; count-only in monitor mode."""
    rate_action: WebAclRuleActionArgsDict = {"count": {}} if mode == "monitor" else {"block": {}}
    group_override: WebAclRuleOverrideActionArgsDict = {"count": {}} if mode == "monitor" else {"none": {}}
    result: list[WebAclRuleArgsDict] = [
        {
            "name": RATE_RULE,
            "priority": 0,
            "action": rate_action,
            "statement": {
                "rate_based_statement": {
                    "limit": settings.rate_limit_per_5_minutes,
                    "aggregate_key_type": "IP",
                    "evaluation_window_sec": RATE_WINDOW_SECONDS,
                }
            },
            "visibility_config": _visibility(metric_name(acl_name, RATE_RULE)),
        }
    ]
    for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1):
        result.append(
            {
                "name": group,
                "priority": priority,
                "override_action": group_override,
                "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": group}},
                "visibility_config": _visibility(metric_name(acl_name, group)),
            }
        )
    return result


def build_web_acl(
    name: str, settings: AwsWafSettings, mode: Literal["monitor", "block"], parent: pulumi.Resource
) -> AwsWebAcl:
    from pulumi_aws import cloudwatch, wafv2  # lazy: see the module docstring

    opts = pulumi.ResourceOptions(parent=parent)
    acl = wafv2.WebAcl(
        f"{name}-web-acl",
        name=name,
        description=f"Edge protection for AWS-hosted endpoints ({mode} mode)",
        scope="REGIONAL",
        default_action={"allow": {}},
        rules=web_acl_rules(name, settings, mode),
        visibility_config=_visibility(metric_name(name)),
        opts=opts,
    )
    # CloudWatch Logs encrypts at rest by default; a customer key is optional (its policy must admit the logs service).
    log_group = cloudwatch.LogGroup(
        f"{name}-waf-logs",
        name=f"{LOG_GROUP_PREFIX}{name}",
        retention_in_days=settings.log_retention_days,
        kms_key_id=settings.log_kms_key_arn,
        opts=opts,
    )
    # WAF adds the log group's resource policy for `delivery.logs.amazonaws.com` itself when logging is enabled.
    # Only blocked and counted requests are kept: they are what tuning needs, and allowed traffic would dominate cost.
    wafv2.WebAclLoggingConfiguration(
        f"{name}-waf-logging",
        resource_arn=acl.arn,
        log_destination_configs=[log_group.arn],
        redacted_fields=[{"single_header": {"name": header}} for header in REDACTED_HEADERS],
        logging_filter={
            "default_behavior": "DROP",
            "filters": [
                {
                    "behavior": "KEEP",
                    "requirement": "MEETS_ANY",
                    "conditions": [
                        {"action_condition": {"action": "BLOCK"}},
                        {"action_condition": {"action": "COUNT"}},
                    ],
                }
            ],
        },
        opts=opts,
    )
    for arn in settings.protected_resource_arns:
        # Named by the ARN's digest so that reordering the list does not replace associations.
        digest = hashlib.sha256(arn.encode()).hexdigest()[:10]
        wafv2.WebAclAssociation(f"{name}-waf-assoc-{digest}", resource_arn=arn, web_acl_arn=acl.arn, opts=opts)
    return AwsWebAcl(arn=acl.arn, log_group_name=log_group.name)
