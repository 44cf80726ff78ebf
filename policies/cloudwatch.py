"""CloudWatch rules: an alarm that notifies nobody, or whose actions are off, hides the failure it watches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import as_list, resource_rule

ALARM_TYPES = ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")


def _alarm_actions(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    if args.props.get("actionsEnabled") is False:
        report("alarm actions are disabled (actionsEnabled false)", None)
    if not [a for a in as_list(args.props.get("alarmActions")) if a]:
        report("alarm has no alarmActions: it changes state without notifying anyone", None)


ALARM_ACTIONS = resource_rule(
    "cloudwatch-alarm-actions",
    "Ensure every CloudWatch metric and composite alarm has alarm actions and actions enabled.",
    ALARM_TYPES,
    _alarm_actions,
    severity=Severity.MEDIUM,
    remediation="Set alarm_actions to the alert topic of the alarm's severity and leave actions_enabled True.",
)

POLICIES = [ALARM_ACTIONS]
