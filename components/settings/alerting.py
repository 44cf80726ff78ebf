"""Alerting settings: severity topics, routes, alarm definitions (runbook IF-005, IF-011, alert tiers)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Email, FieldError, Model, Severity

STANDARD_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# CloudWatch percentiles (ExtendedStatistic): p0 to p100 with at most two decimals (p95, p99.9), lowercase p.
_PERCENTILE = re.compile(r"^p(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$")
_METRIC_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_ALARM_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Id of the metric-math expression among an alarm's metric queries; metric ids may not take it.
EXPRESSION_ID = "expression"
# Name of the composite alarm built from `service_unavailable_alarms`; alarm definitions may not take it.
SERVICE_UNAVAILABLE = "service-unavailable"
# CloudWatch: evaluation_periods x period may not exceed one day.
_MAX_EVALUATION_SECONDS = 86400

Comparison = Literal[
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
]
MissingData = Literal["missing", "ignore", "breaching", "notBreaching"]


def check_statistic(value: str) -> str:
    if value in STANDARD_STATISTICS or _PERCENTILE.fullmatch(value):
        return value
    raise ValueError(
        f"'{value}' is not a CloudWatch statistic: use one of {', '.join(STANDARD_STATISTICS)} "
        "or a percentile: lowercase p, 0 to 100, at most two decimals (for example p95, p99.9)"
    )


def is_percentile(statistic: str) -> bool:
    """Percentiles go to `extended_statistic`; the five standard statistics to `statistic`."""
    return statistic not in STANDARD_STATISTICS


def _unique(values: list[Severity]) -> list[Severity]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"lists a severity more than once: {', '.join(repeated)}")
    return values


def check_period(value: int) -> int:
    if value <= 0 or value % 60:
        raise ValueError("must be a positive multiple of 60 seconds")
    return value


class MetricSpec(Model):
    """One metric of the app's custom namespace."""

    metric_name: str = Field(description="CloudWatch metric name.")
    statistic: str = Field(description="Statistic (Sum, Average, ...) or percentile (p95).")
    dimensions: dict[str, str] = Field(default_factory=dict, description="Metric dimensions.")

    @field_validator("statistic")
    @classmethod
    def _statistic(cls, value: str) -> str:
        return check_statistic(value)


class MetricMath(Model):
    """A metric-math expression over named metrics (for example `100 * errors / invocations`)."""

    expression: str = Field(description="CloudWatch metric-math expression over the metric ids.")
    label: str = Field(default="", description="Label of the computed series.")
    metrics: dict[str, MetricSpec] = Field(description="Metric id (lowercase first letter) to metric.")

    @field_validator("metrics")
    @classmethod
    def _ids(cls, value: dict[str, MetricSpec]) -> dict[str, MetricSpec]:
        if not value:
            raise ValueError("needs at least one metric")
        for metric_id in value:
            if not _METRIC_ID.fullmatch(metric_id):
                raise ValueError(f"metric id '{metric_id}' must start with a lowercase letter")
            if metric_id == EXPRESSION_ID:
                raise ValueError(f"metric id '{EXPRESSION_ID}' is reserved for the expression itself")
        return value

    @model_validator(mode="after")
    def _expression_uses_ids(self) -> MetricMath:
        unknown = [m for m in self.metrics if not re.search(rf"\b{re.escape(m)}\b", self.expression)]
        if unknown:
            raise FieldError("expression", f"does not use the metric id(s) {', '.join(unknown)}")
        return self


class AlarmDefinition(Model):
    """One alarm; the same definition draws its dashboard widget."""

    name: str = Field(description="Alarm name suffix (lowercase, digits, hyphens).")
    description: str = Field(description="What the alarm means and what to do.")
    severity: Severity = Field(description="Topic the alarm notifies: critical, high, medium or low.")
    metric: MetricSpec | None = Field(default=None, description="A single metric (exclusive with `math`).")
    math: MetricMath | None = Field(default=None, description="A metric-math expression (exclusive with `metric`).")
    period: int = Field(default=60, description="Seconds per datapoint; a multiple of 60.")
    threshold: float = Field(description="Threshold the value is compared with.")
    comparison: Comparison = Field(default="GreaterThanThreshold", description="Comparison operator.")
    evaluation_periods: int = Field(default=5, description="Periods evaluated.")
    datapoints_to_alarm: int | None = Field(default=None, description="Breaching datapoints needed (M of N).")
    treat_missing_data: MissingData = Field(default="missing", description="How missing datapoints count.")
    unit: str | None = Field(default=None, description="Unit shown on the dashboard (informational).")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ALARM_NAME.fullmatch(value):
            raise ValueError("must be 1-63 lowercase letters, digits and hyphens")
        return value

    @field_validator("period")
    @classmethod
    def _period(cls, value: int) -> int:
        return check_period(value)

    @field_validator("evaluation_periods")
    @classmethod
    def _evaluation_periods(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> AlarmDefinition:
        if (self.metric is None) == (self.math is None):
            raise FieldError("metric", "set exactly one of `metric` or `math`")
        if self.datapoints_to_alarm is not None and not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise FieldError("datapoints_to_alarm", "must be between 1 and evaluation_periods")
        if self.period * self.evaluation_periods > _MAX_EVALUATION_SECONDS:
            raise FieldError("evaluation_periods", "evaluation_periods x period may not exceed one day (86400 s)")
        return self


def _runbook_alarms() -> list[AlarmDefinition]:
    """IF-005 alerting rules with IF-011 baselines."""
    return [
        AlarmDefinition(
            name="function-error-rate",
            description="Function error rate above 5 % (IF-005). Check Sentry and recent deploys; roll back.",
            severity="high",
            math=MetricMath(
                expression="100 * errors / invocations",
                label="Error rate (%)",
                metrics={
                    "errors": MetricSpec(metric_name="FunctionErrors", statistic="Sum"),
                    "invocations": MetricSpec(metric_name="FunctionInvocations", statistic="Sum"),
                },
            ),
            threshold=5,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            treat_missing_data="notBreaching",
            unit="Percent",
        ),
        AlarmDefinition(
            name="function-duration-p95",
            description="Function execution time p95 above 3 s (IF-005). Check slow queries and the pooler.",
            severity="high",  # alert tiers: slowness is high; medium is resource usage
            metric=MetricSpec(metric_name="FunctionDuration", statistic="p95"),
            threshold=3000,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            treat_missing_data="notBreaching",
            unit="Milliseconds",
        ),
        AlarmDefinition(
            name="database-connection-failures",
            description="Database connection failures (IF-005); check the pooler (IF-004).",
            severity="critical",
            metric=MetricSpec(metric_name="DatabaseConnectionFailures", statistic="Sum"),
            threshold=0,
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            unit="Count",
        ),
        AlarmDefinition(
            name="memory-utilization",
            description="Memory usage above 80 % (IF-005).",
            severity="medium",
            metric=MetricSpec(metric_name="MemoryUtilization", statistic="Average"),
            threshold=80,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            unit="Percent",
        ),
        AlarmDefinition(
            name="cpu-utilization",
            description="CPU usage above 90 % (IF-005).",
            severity="medium",
            metric=MetricSpec(metric_name="CPUUtilization", statistic="Average"),
            threshold=90,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            unit="Percent",
        ),
    ]


class EmailSubscription(Model):
    """An email address and the severities it receives."""

    address: Email = Field(description="Email address (confirmed by its owner after the first `up`).")
    severities: list[Severity] = Field(min_length=1, description="Severities delivered to this address.")

    @field_validator("severities")
    @classmethod
    def _severities(cls, value: list[Severity]) -> list[Severity]:
        return _unique(value)


class AlertingSettings(Model):
    """Severity topics, who is notified, the alarms and the dashboard."""

    metric_namespace: str = Field(
        default="Lodgetix/Functions", description="CloudWatch namespace of the app's metrics."
    )
    emails: list[EmailSubscription] = Field(default_factory=list, description="Email subscriptions.")
    slack_severities: list[Severity] = Field(
        default_factory=list, description="Severities posted to Slack (`slack_webhook_url` secret)."
    )
    pagerduty_severities: list[Severity] = Field(
        default_factory=list, description="Severities that page through PagerDuty (`pagerduty_webhook_url` secret)."
    )
    alarms: list[AlarmDefinition] = Field(
        default_factory=_runbook_alarms, description="Alarm definitions; the default is the runbook's IF-005 list."
    )
    service_unavailable_alarms: list[str] = Field(
        default_factory=lambda: ["function-error-rate", "database-connection-failures"],
        description="Alarms whose ALARM state (any of them) raises the critical `service-unavailable` composite.",
    )
    dashboard_name: str = Field(
        default="functions-platform",
        pattern=r"^[A-Za-z0-9_-]{1,200}$",
        description="CloudWatch dashboard name prefix (the environment is appended).",
    )

    @field_validator("metric_namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not value or value.startswith("AWS/") or len(value) > 255:
            raise ValueError("must be a custom namespace (1-255 characters, not starting with AWS/)")
        return value

    @field_validator("slack_severities", "pagerduty_severities")
    @classmethod
    def _severities(cls, value: list[Severity]) -> list[Severity]:
        return _unique(value)

    @model_validator(mode="after")
    def _cross_field(self) -> AlertingSettings:
        names = [a.name for a in self.alarms]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise FieldError("alarms", f"alarm names must be unique; repeated: {', '.join(duplicates)}")
        if SERVICE_UNAVAILABLE in names:
            raise FieldError("alarms", f"'{SERVICE_UNAVAILABLE}' is the composite alarm's name; choose another")
        addresses = [e.address.lower() for e in self.emails]
        if len(set(addresses)) != len(addresses):
            raise FieldError("emails", "each address may appear once; list all its severities there")
        if not self.service_unavailable_alarms:
            raise FieldError("service_unavailable_alarms", "needs at least one alarm for the critical composite")
        unknown = [n for n in self.service_unavailable_alarms if n not in names]
        if unknown:
            raise FieldError("service_unavailable_alarms", f"names unknown alarm(s): {', '.join(unknown)}")
        return self
