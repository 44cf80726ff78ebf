"""Severity-routed alerting (runbook IF-005, IF-011, alert tiers): KMS-encrypted SNS topics, who they reach
(email, Slack through AWS Chatbot, PagerDuty), the runbook alarms, external probes of the public endpoints,
and the critical `service-unavailable` composite.

The topics are the interface other areas use: `outputs.topic_arns[severity]` is where an alarm, budget or
anomaly notification of that severity goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.settings import LoadedConfig, SettingsError
from components.settings.alerting import SERVICE_UNAVAILABLE, AlertingSettings
from components.settings.base import SEVERITIES, Environment, Severity
from components.shared.outputs import OutputRecord, register

from .alarms import alarm_name, metric_alarm_args
from .chatbot import slack_channels
from .probes import PROBE_METRIC_REGION, health_checks
from .topics import PUBLISHING_SERVICES, key_policy, topic_policy

__all__ = ["PUBLISHING_SERVICES", "Alerting", "AlertingOutputs", "build_alerting"]


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _check_probe_region(settings: AlertingSettings) -> None:
    """Probe alarms live in us-east-1, and alarm actions and composite members must share the alarm's region."""
    if not settings.probes.endpoints:
        return
    # The stack's region as its AWS provider gets it (components/account.py passes `aws:region` on); read from
    # config rather than an invoke, so the check runs before anything is registered.
    region = pulumi.Config("aws").get("region")
    if region and region != PROBE_METRIC_REGION:
        raise SettingsError(
            f"Pulumi.{pulumi.get_stack()}.yaml",
            [
                f"{pulumi.get_project()}:alerting.probes.endpoints: Route 53 publishes HealthCheckStatus only in "
                f"{PROBE_METRIC_REGION}, and an alarm notifies topics and joins composites of its own region only; "
                f"this stack deploys to {region} (aws:region). Deploy it to {PROBE_METRIC_REGION} or leave "
                "`endpoints` empty."
            ],
        )


@dataclass(frozen=True)
class AlertingOutputs(OutputRecord):
    export_prefix = "alert"

    topic_arns: dict[Severity, pulumi.Output[str]]  # where an alarm, budget or anomaly of that severity goes


class Alerting(pulumi.ComponentResource):
    """Alert topics per severity, their subscribers, the alarms, the probes and the service-unavailable composite."""

    outputs: AlertingOutputs
    # What the dashboard draws, beside the outputs:
    alarm_arns: dict[str, pulumi.Output[str]]
    composite_alarm_arn: pulumi.Output[str]
    health_check_ids: dict[str, pulumi.Output[str]]  # probed host -> Route 53 health check id

    def __init__(
        self,
        name: str,
        settings: AlertingSettings,
        environment: Environment,
        *,
        pagerduty_webhook_url: pulumi.Output[str] | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if settings.pagerduty_severities and pagerduty_webhook_url is None:
            raise ValueError("PagerDuty severities are set but no pagerduty_webhook_url was given")
        _check_probe_region(settings)
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
        topic_arns: dict[Severity, pulumi.Output[str]] = {severity: topic.arn for severity, topic in topics.items()}

        self._subscribe(name, settings, topics, pagerduty_webhook_url)
        slack_channels(
            name,
            settings.slack,
            environment,
            topic_arns,
            partition=partition,
            account_id=account_id,
            parent=self,
        )

        alarm_names: dict[str, pulumi.Output[str]] = {}
        self.alarm_arns = {}
        for alarm in settings.active_alarms:
            topic_arn = topic_arns[alarm.severity]
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
            alarm_names[alarm.name] = metric_alarm.name
            self.alarm_arns[alarm.name] = metric_alarm.arn

        critical = topic_arns["critical"]
        checks, probes = health_checks(name, settings.probes, environment, critical_topic_arn=critical, parent=self)
        self.health_check_ids = {host: check.id for host, check in checks.items()}
        for suffix, probe_alarm in probes.items():
            alarm_names[suffix] = probe_alarm.name
            self.alarm_arns[suffix] = probe_alarm.arn

        # Any member in ALARM means users cannot be served: the critical tier of the runbook. The probes are
        # members because only they still report when the app itself emits nothing.
        member_names = [*settings.service_unavailable_alarms, *probes]
        members = [alarm_names[n] for n in member_names]
        rule = pulumi.Output.all(*members).apply(lambda names: " OR ".join(f'ALARM("{n}")' for n in names))
        composite = aws.cloudwatch.CompositeAlarm(
            f"{name}-{SERVICE_UNAVAILABLE}",
            alarm_name=alarm_name(environment, SERVICE_UNAVAILABLE),
            alarm_description=f"[critical] Service unavailable: one of {', '.join(member_names)}.",
            alarm_rule=rule,
            actions_enabled=True,
            alarm_actions=[critical],
            ok_actions=[critical],
            opts=child,
        )
        self.composite_alarm_arn = composite.arn
        self.outputs = register(self, AlertingOutputs(topic_arns=topic_arns))

    def _subscribe(
        self,
        name: str,
        settings: AlertingSettings,
        topics: dict[Severity, aws.sns.Topic],
        pagerduty_webhook_url: pulumi.Output[str] | None,
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
        # The PagerDuty Amazon CloudWatch integration URL confirms the subscription by itself (the settings
        # check its shape); it stays a secret Output end to end.
        if pagerduty_webhook_url is None:
            return
        for severity in settings.pagerduty_severities:
            aws.sns.TopicSubscription(
                f"{name}-{severity}-pagerduty",
                topic=topics[severity].arn,
                protocol="https",
                endpoint=pulumi.Output.secret(pagerduty_webhook_url),
                endpoint_auto_confirms=True,
                opts=child,
            )


def build_alerting(name: str, config: LoadedConfig) -> Alerting:
    """The stack's alerting; built first, as alarms, backups and cost notifications all target its topics."""
    settings = config.settings
    return Alerting(
        name, settings.alerting, settings.environment, pagerduty_webhook_url=config.secrets.pagerduty_webhook_url
    )
