"""Finding recorded resources in an evaluation: type tokens from class names, one resource by name, alert topics."""

from __future__ import annotations

import json
from typing import Any

from components.settings.base import SEVERITIES, Severity
from ops.offline import Evaluation, RecordedResource

TOPIC = "aws:sns/topic:Topic"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


def type_token(package: str, module: str, kind: str) -> str:
    """The type token of an SDK class: `type_token("aws", "s3", "BucketVersioning")` is
    `aws:s3/bucketVersioning:BucketVersioning`."""
    return f"{package}:{module}/{kind[0].lower() + kind[1:]}:{kind}"


def resource_named(evaluation: Evaluation, type_: str, name: str) -> RecordedResource:
    """The one recorded resource of `type_` whose logical name is `name`."""
    (match,) = [r for r in evaluation.of_type(type_) if r.name == name]
    return match


def alert_topic_arns(evaluation: Evaluation) -> dict[Severity, str]:
    """Severity -> ARN of its alert topic (`<env>-alerts-<severity>`, exactly one topic each)."""
    arns: dict[Severity, str] = {}
    for severity in SEVERITIES:
        (topic,) = [
            t for t in evaluation.of_type(TOPIC) if t.plain_outputs["name"] == f"{evaluation.stack}-alerts-{severity}"
        ]
        arns[severity] = topic.plain_outputs["arn"]
    return arns


def recorded_dashboard_body(evaluation: Evaluation) -> dict[str, Any]:
    """The body of the stack's one CloudWatch dashboard, as the program registered it."""
    (dashboard,) = evaluation.of_type(DASHBOARD)
    return json.loads(dashboard.plain_inputs["dashboardBody"])
