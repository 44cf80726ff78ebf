"""Shared helpers of the alerting tests: the stack's alerting settings and its recorded alerting resources."""

from __future__ import annotations

import json
from typing import Any

import yaml

from components.settings.alerting import AlertingSettings
from components.settings.base import SEVERITIES, Severity
from ops.offline import Evaluation, RecordedResource
from tests.helpers import NAMESPACE

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
KEY = "aws:kms/key:Key"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
COMPONENT = "platform:alerting:Alerting"


def owned(evaluation: Evaluation, type_: str) -> list[RecordedResource]:
    """Resources of `type_` that the Alerting component created (other areas add alarms of their own)."""
    return [r for r in evaluation.of_type(type_) if r.parent.split("::")[2].split("$")[-1] == COMPONENT]


def alerting_settings(evaluation: Evaluation) -> AlertingSettings:
    """The alerting settings of the stack file the evaluation ran with (the real one or an edited copy)."""
    document = yaml.safe_load((evaluation.program_dir / f"Pulumi.{evaluation.stack}.yaml").read_text())
    return AlertingSettings.model_validate(document["config"].get(f"{NAMESPACE}:alerting", {}))


def topic_arns(evaluation: Evaluation) -> dict[Severity, str]:
    """Severity -> topic ARN, from the recorded topics (name `<env>-alerts-<severity>`)."""
    by_name = {t.plain_outputs["name"]: t.plain_outputs["arn"] for t in owned(evaluation, TOPIC)}
    return {s: by_name[f"{evaluation.stack}-alerts-{s}"] for s in SEVERITIES}


def subscriptions(evaluation: Evaluation) -> list[RecordedResource]:
    return owned(evaluation, SUBSCRIPTION)


def dashboard_body(evaluation: Evaluation) -> dict[str, Any]:
    (dashboard,) = evaluation.of_type(DASHBOARD)
    return json.loads(dashboard.plain_inputs["dashboardBody"])
