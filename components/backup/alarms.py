"""CloudWatch alarms on S3 replication: the DR copy lagging more than the RPO design allows, or objects failing.

S3 publishes replication metrics (enabled by the replication rule) in the source bucket's region,
in `AWS/S3`, per `SourceBucket`, `DestinationBucket` and `RuleId`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

PERIOD_SECONDS = 300


@dataclass(frozen=True)
class ReplicationMetric:
    key: str  # child-name suffix
    metric_name: str
    statistic: str
    description: str


def replication_alarms(
    name: str,
    *,
    region: str,
    source_bucket: pulumi.Input[str],
    destination_bucket: pulumi.Input[str],
    rule_id: str,
    lag_minutes: int,
    topic_arn: pulumi.Input[str] | None,
    severity: str,
    parent: pulumi.Resource,
) -> list[aws.cloudwatch.MetricAlarm]:
    """Both replication alarms, sending ALARM and OK to `topic_arn`.

    An alarm that notifies nobody is a policy violation, so without a topic for `severity` no alarm is
    created and a warning says so (the alerting area supplies the topics).
    """
    if topic_arn is None:
        pulumi.log.warn(
            f"{name}: no '{severity}' alert topic yet, so the replication alarms are not created", resource=parent
        )
        return []
    lag_seconds = lag_minutes * 60
    checks = [
        (
            ReplicationMetric(
                "replication-latency",
                "ReplicationLatency",
                "Maximum",
                f"Objects take longer than the {lag_minutes} minutes of replication lag the RPO design allows"
                " (S3 RTC) to reach the DR replica. Check first: the replication rule's status and the"
                " OperationsPendingReplication backlog on the dashboard.",
            ),
            float(lag_seconds),
        ),
        (
            ReplicationMetric(
                "replication-failed",
                "OperationsFailedReplication",
                "Sum",
                "Objects failed to replicate to the DR replica: the DR copy is incomplete. Check first: the"
                " replication role's policy and both bucket keys' policies (a KMS denial fails replication).",
            ),
            0.0,
        ),
    ]
    alarms = []
    for metric, threshold in checks:
        alarm_name = f"{name}-{metric.key}"
        alarms.append(
            aws.cloudwatch.MetricAlarm(
                alarm_name,
                name=alarm_name,
                region=region,
                alarm_description=f"[{severity}] {metric.description}",
                namespace="AWS/S3",
                metric_name=metric.metric_name,
                dimensions={
                    "SourceBucket": source_bucket,
                    "DestinationBucket": destination_bucket,
                    "RuleId": rule_id,
                },
                statistic=metric.statistic,
                period=PERIOD_SECONDS,
                evaluation_periods=1,
                threshold=threshold,
                comparison_operator="GreaterThanThreshold",
                # No data means nothing was written to replicate, not a failure.
                treat_missing_data="notBreaching",
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                opts=pulumi.ResourceOptions(parent=parent),
            )
        )
    return alarms
