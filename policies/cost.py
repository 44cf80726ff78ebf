"""Cost rules: budgets that tell someone, and anomaly detection that reaches someone. Advisory: a missing
notification costs money, it exposes no data and loses none, and a reviewer may accept it for a sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from .common import Judge, as_list, identifiers, of_type, resource_rule, stack_rule, value_at

BUDGET = "aws:budgets/budget:Budget"
MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"


def _budget_notification(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    for notification in as_list(args.props.get("notifications")):
        subscribers = as_list(value_at(notification, "subscriberEmailAddresses")) + as_list(
            value_at(notification, "subscriberSnsTopicArns")
        )
        if [s for s in subscribers if s]:
            return
    report("budget has no notification with a subscriber (email address or SNS topic)", None)


def _anomaly_detection(args: StackValidationArgs, _config: Mapping[str, Any], judge: Judge) -> None:
    if not [r for r in args.resources if r.resource_type.startswith("aws:")]:
        args.not_applicable("the stack manages no AWS resources")
    subscribed: set[str] = set()
    for subscription in of_type(args.resources, SUBSCRIPTION):
        if [s for s in as_list(subscription.props.get("subscribers")) if value_at(s, "address")]:
            subscribed.update(str(a) for a in as_list(subscription.props.get("monitorArnLists")))
    monitors = of_type(args.resources, MONITOR)
    if not monitors:
        judge.report("the stack has no Cost Explorer anomaly monitor", None)
    for monitor in monitors:
        if not identifiers(monitor, "arn", "id") & subscribed:
            judge.report(f"anomaly monitor {monitor.name} has no subscription with a subscriber", monitor.urn)


BUDGET_NOTIFICATION = resource_rule(
    "cost-budget-notification",
    "Ensure every AWS budget has at least one notification with a subscriber. Advisory: a cost concern.",
    (BUDGET,),
    _budget_notification,
    severity=Severity.MEDIUM,
    remediation="Add a notification with subscriber_sns_topic_arns (an alert topic) or subscriber_email_addresses.",
    level=EnforcementLevel.ADVISORY,
)
ANOMALY_DETECTION = stack_rule(
    "cost-anomaly-detection",
    "Ensure a stack with AWS resources has a Cost Explorer anomaly monitor with a subscribed subscription. "
    "Advisory: a cost concern.",
    _anomaly_detection,
    severity=Severity.MEDIUM,
    remediation="Add an aws.costexplorer.AnomalyMonitor and an AnomalySubscription whose monitor_arn_lists holds its "
    "ARN and whose subscribers name an SNS topic or email address.",
    level=EnforcementLevel.ADVISORY,
)

POLICIES = [BUDGET_NOTIFICATION, ANOMALY_DETECTION]
