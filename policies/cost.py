"""Cost rules: budgets that tell someone, and anomaly detection that reaches someone."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import StackView, as_list, get, identifiers

BUDGET = "aws:budgets/budget:Budget"
MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"


def _budget_notification(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != BUDGET:
        return
    for notification in as_list(args.props.get("notifications")):
        subscribers = as_list(get(notification, "subscriberEmailAddresses")) + as_list(
            get(notification, "subscriberSnsTopicArns")
        )
        if [s for s in subscribers if s]:
            return
    report("budget has no notification with a subscriber (email address or SNS topic)", None)


def _anomaly_detection(args: StackValidationArgs, report: ReportViolation) -> None:
    view = StackView(args.resources)
    if not [r for r in args.resources if r.resource_type.startswith("aws:")]:
        args.not_applicable("the stack manages no AWS resources")
    subscribed: set[str] = set()
    for subscription in view.of_type(SUBSCRIPTION):
        subscribers = [s for s in as_list(subscription.props.get("subscribers")) if get(s, "address")]
        if subscribers:
            subscribed.update(str(a) for a in as_list(subscription.props.get("monitorArnLists")))
    monitors = view.of_type(MONITOR)
    if not monitors:
        report("the stack has no Cost Explorer anomaly monitor", None)
    for monitor in monitors:
        if not identifiers(monitor, "arn", "id") & subscribed:
            report(f"anomaly monitor {monitor.name} has no subscription with a subscriber", monitor.urn)


BUDGET_NOTIFICATION = ResourceValidationPolicy(
    name="cost-budget-notification",
    description="Ensure every AWS budget has at least one notification with a subscriber.",
    validate=_budget_notification,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation_steps="Add a notification with subscriber_sns_topic_arns (an alert topic) or "
    "subscriber_email_addresses to the aws.budgets.Budget.",
)
ANOMALY_DETECTION = StackValidationPolicy(
    name="cost-anomaly-detection",
    description="Ensure a stack with AWS resources has a Cost Explorer anomaly monitor with a subscribed subscription.",
    validate=_anomaly_detection,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.costexplorer.AnomalyMonitor and an AnomalySubscription whose monitor_arn_lists "
    "holds its ARN and whose subscribers name an SNS topic or email address.",
)

POLICIES = [BUDGET_NOTIFICATION, ANOMALY_DETECTION]
