"""Helpers of the alerting tests: the stack's alerting settings, its recorded alerting resources, the loader's view."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from components.settings.alerting import AlertingSettings
from components.settings.loader import format_errors
from ops.offline import Evaluation, RecordedResource
from tests.support.stack_files import evaluated_area

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
KEY = "aws:kms/key:Key"
COMPONENT = "platform:alerting:Alerting"


def created_by_alerting(evaluation: Evaluation, type_: str) -> list[RecordedResource]:
    """Resources of `type_` that the Alerting component created (other areas add alarms of their own)."""
    return [r for r in evaluation.of_type(type_) if r.parent.split("::")[2].split("$")[-1] == COMPONENT]


def alerting_settings(evaluation: Evaluation) -> AlertingSettings:
    """The alerting settings of the stack file the evaluation ran with (the real one or an edited copy)."""
    return AlertingSettings.model_validate(evaluated_area(evaluation, "alerting"))


def alerting_subscriptions(evaluation: Evaluation) -> list[RecordedResource]:
    return created_by_alerting(evaluation, SUBSCRIPTION)


def validation_problems(model: type[BaseModel], key: str, raw: dict[str, Any]) -> list[str]:
    """`<key path>: <message>` lines for `raw` refused by `model`, as the loader prints them after `<namespace>:<key>.`."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(raw)
    return [line.removeprefix(f"{key}:") for line in format_errors(key, caught.value)]


alerting_problems = partial(validation_problems, AlertingSettings, "alerting")
