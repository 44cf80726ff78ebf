"""CloudWatch rules: an alarm that notifies nobody, or whose actions are off, hides the failure it watches."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .common import as_list

ALARM_TYPES = ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")


def _alarm_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in ALARM_TYPES:
        return
    if args.props.get("actionsEnabled") is False:
        report("alarm actions are disabled (actionsEnabled false)", None)
    if not [a for a in as_list(args.props.get("alarmActions")) if a]:
        report("alarm has no alarmActions: it changes state without notifying anyone", None)


ALARM_ACTIONS = ResourceValidationPolicy(
    name="cloudwatch-alarm-actions",
    description="Ensure every CloudWatch metric and composite alarm has alarm actions and actions enabled.",
    validate=_alarm_actions,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps="Set alarm_actions to the alert topic of the alarm's severity and leave actions_enabled True.",
)

POLICIES = [ALARM_ACTIONS]
