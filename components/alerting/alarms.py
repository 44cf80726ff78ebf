"""CloudWatch arguments of the alarm definitions: one metric (statistic or percentile) or metric math."""

from __future__ import annotations

from typing import Any

from components.settings.alerting import EXPRESSION_ID, AlarmDefinition, is_percentile
from components.settings.base import Environment


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
