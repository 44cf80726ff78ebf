"""Severity-routed alerting (runbook IF-005, IF-011, alert tiers): KMS-encrypted SNS topics, subscriptions,
threshold alarms from the settings' alarm definitions and a critical `service-unavailable` composite.

CloudWatch, Budgets and Cost Anomaly Detection can only publish to an encrypted topic whose key lets them
generate data keys, so the topics share one customer-managed key (the AWS-managed `alias/aws/sns` key cannot
grant that). Each topic's policy admits exactly those services from this account, and only over TLS.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws

from .kms_actions import KEY_ADMIN_ACTIONS, KEY_USAGE_ACTIONS
from .settings.alerting import EXPRESSION_ID, SERVICE_UNAVAILABLE, AlarmDefinition, AlertingSettings, is_percentile
from .settings.base import SEVERITIES, Environment, Severity

# Services that publish alerts to the topics: alarms, budgets, cost anomalies.
PUBLISHING_SERVICES = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com")

# The account administers the key and may let its own principals use it through IAM (topic subscribers
# such as SQS or Lambda need to decrypt); enumerated so the key policy never grants `kms:*`.
ACCOUNT_KEY_ACTIONS = tuple(sorted({*KEY_ADMIN_ACTIONS, *KEY_USAGE_ACTIONS}))
KEY_SERVICE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


def key_policy(
    partition: pulumi.Input[str], region: pulumi.Input[str], account_id: pulumi.Input[str]
) -> dict[str, Any]:
    """Key policy: account administration plus data-key use by the publishing services of this account.

    In a key policy the resource is always the key itself; the account's key ARN pattern says so without
    the bare `*` that linters (rightly) flag everywhere else.
    """
    this_key = pulumi.Output.concat("arn:", partition, ":kms:", region, ":", account_id, ":key/*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")},
                "Action": list(ACCOUNT_KEY_ACTIONS),
                "Resource": this_key,
            },
            {
                "Sid": "AlertServicesEncryptTopicMessages",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHING_SERVICES)},
                "Action": list(KEY_SERVICE_ACTIONS),
                "Resource": this_key,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
        ],
    }


def topic_policy(topic_arn: pulumi.Input[str], account_id: pulumi.Input[str]) -> dict[str, Any]:
    """Topic policy: only the alert services of this account may publish, and never without TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AlertServicesPublish",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHING_SERVICES)},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            {
                "Sid": "DenyPublishWithoutTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def metric_queries(alarm: AlarmDefinition, namespace: str) -> list[dict[str, Any]]:
    """Metric-math alarm queries: the metrics feed the expression; only the expression returns data."""
    if alarm.math is None:
        raise ValueError(f"alarm {alarm.name} has no metric math")
    queries: list[dict[str, Any]] = [
        {
            "id": EXPRESSION_ID,
            "expression": alarm.math.expression,
            "label": alarm.math.label or alarm.name,
            "return_data": True,
        }
    ]
    for metric_id, spec in alarm.math.metrics.items():
        metric: dict[str, Any] = {
            "namespace": namespace,
            "metric_name": spec.metric_name,
            "period": alarm.period,
            "stat": spec.statistic,
        }
        if spec.dimensions:
            metric["dimensions"] = dict(spec.dimensions)
        queries.append({"id": metric_id, "metric": metric, "return_data": False})
    return queries


def metric_alarm_args(alarm: AlarmDefinition, namespace: str) -> dict[str, Any]:
    """The metric part of a MetricAlarm: one metric (statistic or percentile) or metric-math queries."""
    if alarm.metric is None:
        return {"metric_queries": metric_queries(alarm, namespace)}
    statistic = alarm.metric.statistic
    args: dict[str, Any] = {
        "namespace": namespace,
        "metric_name": alarm.metric.metric_name,
        "period": alarm.period,
        "extended_statistic" if is_percentile(statistic) else "statistic": statistic,
    }
    if alarm.metric.dimensions:
        args["dimensions"] = dict(alarm.metric.dimensions)
    return args


def alarm_name(environment: Environment, name: str) -> str:
    return f"{environment}-{name}"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


class Alerting(pulumi.ComponentResource):
    """Alert topics per severity, their subscriptions, the runbook alarms and the service-unavailable composite."""

    topic_arns: dict[Severity, pulumi.Output[str]]
    key_arn: pulumi.Output[str]
    alarm_names: dict[str, pulumi.Output[str]]
    alarm_arns: dict[str, pulumi.Output[str]]
    composite_alarm_name: pulumi.Output[str]
    composite_alarm_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: AlertingSettings,
        environment: Environment,
        *,
        slack_webhook_url: pulumi.Output[str],
        pagerduty_webhook_url: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:alerting:Alerting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the {environment} alert topics; alarms, budgets and cost anomalies publish to them",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps(key_policy(partition, region, account_id)),
            opts=child,
        )
        self.key_arn = key.arn

        topics: dict[Severity, aws.sns.Topic] = {}
        for severity in SEVERITIES:
            topic = aws.sns.Topic(
                f"{name}-{severity}",
                name=f"{environment}-alerts-{severity}",
                display_name=f"{environment} {severity} alerts",
                kms_master_key_id=key.arn,
                opts=child,
            )
            aws.sns.TopicPolicy(
                f"{name}-{severity}-policy",
                arn=topic.arn,
                policy=pulumi.Output.json_dumps(topic_policy(topic.arn, account_id)),
                opts=child,
            )
            topics[severity] = topic
        self.topic_arns = {severity: topic.arn for severity, topic in topics.items()}

        self._subscribe(name, settings, topics, slack_webhook_url, pagerduty_webhook_url)

        self.alarm_names = {}
        self.alarm_arns = {}
        for alarm in settings.alarms:
            topic_arn = self.topic_arns[alarm.severity]
            metric_alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-{alarm.name}",
                name=alarm_name(environment, alarm.name),
                alarm_description=f"[{alarm.severity}] {alarm.description}",
                comparison_operator=alarm.comparison,
                threshold=alarm.threshold,
                evaluation_periods=alarm.evaluation_periods,
                datapoints_to_alarm=alarm.datapoints_to_alarm,
                treat_missing_data=alarm.treat_missing_data,
                actions_enabled=True,
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                opts=child,
                **metric_alarm_args(alarm, settings.metric_namespace),
            )
            self.alarm_names[alarm.name] = metric_alarm.name
            self.alarm_arns[alarm.name] = metric_alarm.arn

        # Any member in ALARM means users cannot be served: the critical tier of the runbook.
        members = [self.alarm_names[n] for n in settings.service_unavailable_alarms]
        rule = pulumi.Output.all(*members).apply(lambda names: " OR ".join(f'ALARM("{n}")' for n in names))
        critical = self.topic_arns["critical"]
        composite = aws.cloudwatch.CompositeAlarm(
            f"{name}-{SERVICE_UNAVAILABLE}",
            alarm_name=alarm_name(environment, SERVICE_UNAVAILABLE),
            alarm_description=f"[critical] Service unavailable: one of {', '.join(settings.service_unavailable_alarms)}.",
            alarm_rule=rule,
            actions_enabled=True,
            alarm_actions=[critical],
            ok_actions=[critical],
            opts=child,
        )
        self.composite_alarm_name = composite.alarm_name
        self.composite_alarm_arn = composite.arn

        self.register_outputs(
            {
                "topic_arns": self.topic_arns,
                "key_arn": self.key_arn,
                "alarm_arns": self.alarm_arns,
                "composite_alarm_arn": self.composite_alarm_arn,
            }
        )

    def _subscribe(
        self,
        name: str,
        settings: AlertingSettings,
        topics: dict[Severity, aws.sns.Topic],
        slack_webhook_url: pulumi.Output[str],
        pagerduty_webhook_url: pulumi.Output[str],
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        for email in settings.emails:
            for severity in email.severities:
                aws.sns.TopicSubscription(
                    f"{name}-{severity}-email-{_slug(email.address)}",
                    topic=topics[severity].arn,
                    protocol="email",
                    endpoint=email.address,
                    opts=child,
                )
        # Webhook URLs stay secret Outputs end to end. Slack shows SNS's confirmation message in the channel
        # (someone opens its SubscribeURL once); PagerDuty's SNS integration confirms by itself.
        for severity in settings.slack_severities:
            aws.sns.TopicSubscription(
                f"{name}-{severity}-slack",
                topic=topics[severity].arn,
                protocol="https",
                endpoint=pulumi.Output.secret(slack_webhook_url),
                opts=child,
            )
        for severity in settings.pagerduty_severities:
            aws.sns.TopicSubscription(
                f"{name}-{severity}-pagerduty",
                topic=topics[severity].arn,
                protocol="https",
                endpoint=pulumi.Output.secret(pagerduty_webhook_url),
                endpoint_auto_confirms=True,
                opts=child,
            )
