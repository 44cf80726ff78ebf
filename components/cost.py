"""Cost controls (runbook IF-012): AWS Budgets, Cost Anomaly Detection, cost-allocation tag activation.

Budgets and Cost Explorer are global services: none of these resources takes `region=`. Their cost tags
come from the central transformation in `tags.py`, like every other AWS resource.

Notifications go to the alert topic of the configured severity and to the email subscribers. The topics'
policies and KMS key must let `budgets.amazonaws.com` and `costalerts.amazonaws.com` publish; the alerting
component owns both. Pass its policy resources as `topic_dependencies` unless `topic_arns` already
resolve after them, so a subscription is never created before AWS may publish to its topic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from .settings import LoadedConfig
from .settings.base import Severity
from .settings.cost import AnomalySettings, BudgetSettings, CostSettings
from .settings.tags import COST_TAG_KEYS
from .shared.outputs import OutputRecord, register

if TYPE_CHECKING:  # the builder names the alerting component for its type only
    from .alerting import Alerting


def budget_notifications(
    budget: BudgetSettings, topic_arn: pulumi.Input[str] | None, emails: Sequence[str]
) -> list[aws.budgets.BudgetNotificationArgs]:
    """One notification per threshold; none when there is nobody to notify."""
    if topic_arn is None and not emails:
        return []
    return [
        aws.budgets.BudgetNotificationArgs(
            comparison_operator="GREATER_THAN",
            threshold=threshold,
            threshold_type="PERCENTAGE",
            notification_type=budget.notification_type,
            subscriber_sns_topic_arns=[topic_arn] if topic_arn is not None else None,
            subscriber_email_addresses=list(emails) or None,
        )
        for threshold in budget.thresholds_percent
    ]


def anomaly_threshold(anomaly: AnomalySettings) -> aws.costexplorer.AnomalySubscriptionThresholdExpressionArgs:
    """Alert only when the impact is large in dollars AND relative to the expected spend."""

    def at_least(key: str, value: float) -> aws.costexplorer.AnomalySubscriptionThresholdExpressionAndArgs:
        return aws.costexplorer.AnomalySubscriptionThresholdExpressionAndArgs(
            dimension=aws.costexplorer.AnomalySubscriptionThresholdExpressionAndDimensionArgs(
                key=key, match_options=["GREATER_THAN_OR_EQUAL"], values=[f"{value:g}"]
            )
        )

    return aws.costexplorer.AnomalySubscriptionThresholdExpressionArgs(
        ands=[
            at_least("ANOMALY_TOTAL_IMPACT_ABSOLUTE", anomaly.threshold_usd),
            at_least("ANOMALY_TOTAL_IMPACT_PERCENTAGE", anomaly.threshold_percent),
        ]
    )


@dataclass(frozen=True)
class CostOutputs(OutputRecord):
    export_prefix = "cost"

    budget_names: list[pulumi.Output[str]]


class CostControls(pulumi.ComponentResource):
    """Budgets per settings, an anomaly monitor by AWS service with its subscription, tag-key activation."""

    outputs: CostOutputs
    budgets: dict[str, aws.budgets.Budget]
    anomaly_monitor: aws.costexplorer.AnomalyMonitor | None
    anomaly_subscription: aws.costexplorer.AnomalySubscription | None

    def __init__(
        self,
        name: str,
        settings: CostSettings,
        *,
        topic_arns: Mapping[Severity, pulumi.Input[str]],
        topic_dependencies: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:cost:CostControls", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, depends_on=list(topic_dependencies))
        emails = list(settings.email_subscribers)

        self.budgets = {}
        for budget in settings.budgets:
            topic_arn = topic_arns.get(budget.severity)
            if topic_arn is None:
                pulumi.log.warn(f"{name}: no '{budget.severity}' alert topic; budget '{budget.name}' emails only")
            notifications = budget_notifications(budget, topic_arn, emails)
            if not notifications:
                pulumi.log.warn(f"{name}: budget '{budget.name}' has no topic and no email subscriber to notify")
            self.budgets[budget.name] = aws.budgets.Budget(
                f"{name}-{budget.name}",
                name=f"{name}-{budget.name}",
                budget_type="COST",
                time_unit=budget.time_unit,
                limit_amount=budget.limit_amount,
                limit_unit="USD",
                cost_filters=[
                    aws.budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[budget.tag_filter.budget_filter_value])
                ]
                if budget.tag_filter
                else None,
                notifications=notifications or None,
                opts=child,
            )

        self.anomaly_monitor = None
        self.anomaly_subscription = None
        if settings.anomaly.enabled:
            self._anomaly_detection(name, settings.anomaly, topic_arns, emails, child)

        if settings.activate_tag_keys:
            for key in COST_TAG_KEYS:
                aws.costexplorer.CostAllocationTag(
                    f"{name}-tag-{key}", tag_key=key, status="Active", opts=pulumi.ResourceOptions(parent=self)
                )

        self.outputs = register(self, CostOutputs(budget_names=[budget.name for budget in self.budgets.values()]))

    def _anomaly_detection(
        self,
        name: str,
        anomaly: AnomalySettings,
        topic_arns: Mapping[Severity, pulumi.Input[str]],
        emails: Sequence[str],
        child: pulumi.ResourceOptions,
    ) -> None:
        frequency = anomaly.frequency
        topic_arn = topic_arns.get(anomaly.severity)
        if frequency == "IMMEDIATE" and topic_arn is None:
            # AWS delivers IMMEDIATE alerts only to SNS; without the topic, fall back to the daily email digest.
            pulumi.log.warn(f"{name}: no '{anomaly.severity}' alert topic; anomaly alerts fall back to a DAILY email")
            frequency = "DAILY"
        if frequency == "IMMEDIATE" and topic_arn is not None:
            subscribers = [aws.costexplorer.AnomalySubscriptionSubscriberArgs(type="SNS", address=topic_arn)]
        else:
            subscribers = [aws.costexplorer.AnomalySubscriptionSubscriberArgs(type="EMAIL", address=e) for e in emails]
        if not subscribers:
            pulumi.log.warn(f"{name}: no topic and no email subscriber; anomaly subscription skipped")
            return

        self.anomaly_monitor = aws.costexplorer.AnomalyMonitor(
            f"{name}-services",
            name=f"{name}-services",
            monitor_type="DIMENSIONAL",
            monitor_dimension="SERVICE",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.anomaly_subscription = aws.costexplorer.AnomalySubscription(
            f"{name}-anomalies",
            name=f"{name}-anomalies",
            frequency=frequency,
            monitor_arn_lists=[self.anomaly_monitor.arn],
            subscribers=subscribers,
            threshold_expression=anomaly_threshold(anomaly),
            opts=child,
        )


def build_cost(name: str, config: LoadedConfig, *, alerting: Alerting) -> CostControls:
    """Budgets and anomaly alerts to the alert topics; created after the alerting component, whose topic
    policies Budgets and Cost Anomaly Detection need before they may publish."""
    settings = config.settings
    return CostControls(name, settings.cost, topic_arns=alerting.outputs.topic_arns, topic_dependencies=[alerting])
