"""The backup area's CloudWatch alarms: each described as plain data (`AlarmSpec`), then created by `metric_alarms`.

Replication: S3 publishes replication metrics (enabled by the replication rule) in the source bucket's region,
in `AWS/S3`, per `SourceBucket`, `DestinationBucket` and `RuleId`; the alarms fire when the DR copy lags more
than the RPO design allows, or objects fail to replicate. The backup and drill jobs' alarms are in `freshness`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.settings.base import Severity

PERIOD_SECONDS = 300


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm as plain data: `args()` are the MetricAlarm arguments (minus name, region and actions)."""

    key: str  # child-name suffix
    severity: Severity
    description: str
    metric_name: str
    statistic: str
    period: int
    evaluation_periods: int
    threshold: float
    comparison: str
    treat_missing_data: str
    dimensions: Mapping[str, pulumi.Input[str]]
    namespace: str
    # DatapointsToAlarm stated as evaluation_periods. The replication alarms were deployed without it, which
    # CloudWatch reads the same way (every evaluated period must breach).
    states_datapoints: bool = True

    def args(self) -> dict[str, Any]:
        args = {
            "alarm_description": f"[{self.severity}] {self.description}",
            "namespace": self.namespace,
            "metric_name": self.metric_name,
            "dimensions": dict(self.dimensions),
            "statistic": self.statistic,
            "period": self.period,
            "evaluation_periods": self.evaluation_periods,
            "threshold": self.threshold,
            "comparison_operator": self.comparison,
            "treat_missing_data": self.treat_missing_data,
        }
        if self.states_datapoints:
            args["datapoints_to_alarm"] = self.evaluation_periods
        return args


def metric_alarms(
    name: str,
    specs: Sequence[AlarmSpec],
    *,
    region: str,
    topic_arns: Mapping[Severity, pulumi.Input[str]],
    parent: pulumi.Resource,
) -> list[aws.cloudwatch.MetricAlarm]:
    """One alarm per spec, sending ALARM and OK to its severity's topic.

    An alarm that notifies nobody is a policy violation, so without a topic for its severity an alarm is not
    created and a warning says so (the alerting area supplies the topics).
    """
    alarms: list[aws.cloudwatch.MetricAlarm] = []
    for spec in specs:
        alarm_name = f"{name}-{spec.key}"
        topic_arn = topic_arns.get(spec.severity)
        if topic_arn is None:
            pulumi.log.warn(f"{alarm_name}: no '{spec.severity}' alert topic, so it is not created", resource=parent)
            continue
        alarms.append(
            aws.cloudwatch.MetricAlarm(
                alarm_name,
                name=alarm_name,
                region=region,
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                **spec.args(),
                opts=pulumi.ResourceOptions(parent=parent),
            )
        )
    return alarms


def replication_alarm_specs(
    *,
    source_bucket: pulumi.Input[str],
    destination_bucket: pulumi.Input[str],
    rule_id: str,
    lag_minutes: int,
    severity: Severity,
) -> list[AlarmSpec]:
    """Replication lagging more than the RPO design allows, and objects that failed to replicate."""
    common = {
        "severity": severity,
        "namespace": "AWS/S3",
        "dimensions": {"SourceBucket": source_bucket, "DestinationBucket": destination_bucket, "RuleId": rule_id},
        "period": PERIOD_SECONDS,
        "evaluation_periods": 1,
        "comparison": "GreaterThanThreshold",
        # No data means nothing was written to replicate, not a failure.
        "treat_missing_data": "notBreaching",
        "states_datapoints": False,
    }
    return [
        AlarmSpec(
            key="replication-latency",
            description=(
                f"Objects take longer than the {lag_minutes} minutes of replication lag the RPO design allows"
                " (S3 RTC) to reach the DR replica. Check first: the replication rule's status and the"
                " OperationsPendingReplication backlog on the dashboard."
            ),
            metric_name="ReplicationLatency",
            statistic="Maximum",
            threshold=float(lag_minutes * 60),
            **common,
        ),
        AlarmSpec(
            key="replication-failed",
            description=(
                "Objects failed to replicate to the DR replica: the DR copy is incomplete. Check first: the"
                " replication role's policy and both bucket keys' policies (a KMS denial fails replication)."
            ),
            metric_name="OperationsFailedReplication",
            statistic="Sum",
            threshold=0.0,
            **common,
        ),
    ]
