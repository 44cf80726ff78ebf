"""Alerting settings: severity topics, routes, alarm definitions (runbook IF-005, IF-011, alert tiers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import Field, field_validator, model_validator

from .base import Email, FieldError, Severity, StrictSettings, must_match

STANDARD_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# CloudWatch percentiles (ExtendedStatistic): p0 to p100 with at most two decimals (p95, p99.9), lowercase p.
_PERCENTILE = re.compile(r"^p(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$")
_METRIC_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_ALARM_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Id of the metric-math expression among an alarm's metric queries; metric ids may not take it.
EXPRESSION_ID = "expression"
# Name of the composite alarm built from `service_unavailable_alarms`; alarm definitions may not take it.
SERVICE_UNAVAILABLE = "service-unavailable"
# Prefix of the alarms on the external probes (one per endpoint); alarm definitions may not take it.
PROBE_ALARM_PREFIX = "health-check-"
# Slack ids as Slack shows them: workspace (team) T..., channel C... (public) or G... (private, older).
_SLACK_TEAM_ID = re.compile(r"T[A-Z0-9]{8,12}")
_SLACK_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,12}")
# Chatbot configuration names are 1-128 of [A-Za-z0-9-_]; `<env>-` is prepended.
_CHANNEL_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
# The Chatbot API is served from these regions only (its configurations are global).
CHATBOT_API_REGIONS = ("us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1")
ProbeRegion = Literal[
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
]
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# `<env>-health-check-<host>` must fit CloudWatch's 255-character alarm names.
_MAX_PROBE_HOST = 200
_PROBE_PATH = re.compile(r"/[!-~]{0,254}")
# PagerDuty's Amazon CloudWatch integration (US or EU service region); it confirms SNS subscriptions itself.
_PAGERDUTY_URL = re.compile(r"https://events(?:\.eu)?\.pagerduty\.com/integration/[A-Za-z0-9]{32}/enqueue")
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


class MetricSpec(StrictSettings):
    """One metric of the app's custom namespace."""

    metric_name: str = Field(description="CloudWatch metric name.")
    statistic: str = Field(description="Statistic (Sum, Average, ...) or percentile (p95).")
    dimensions: dict[str, str] = Field(default_factory=dict, description="Metric dimensions.")

    @field_validator("statistic")
    @classmethod
    def _statistic(cls, value: str) -> str:
        return check_statistic(value)


class MetricMath(StrictSettings):
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


class AlarmDefinition(StrictSettings):
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
    enabled: bool = Field(
        default=True, description="`false` on a runbook default's name removes that default (or keeps it off)."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ALARM_NAME.fullmatch(value):
            raise ValueError("must be 1-63 lowercase letters, digits and hyphens")
        if value.startswith(PROBE_ALARM_PREFIX):
            raise ValueError(f"names starting with '{PROBE_ALARM_PREFIX}' are the external probes' alarms")
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


RUNBOOK_ALARMS_FILE = Path(__file__).with_name("runbook_alarms.yaml")


@cache
def _runbook_alarm_entries() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.load(RUNBOOK_ALARMS_FILE.read_text(), Loader=yaml.CSafeLoader))


def _runbook_alarms() -> list[AlarmDefinition]:
    """IF-005 alerting rules with IF-011 baselines, from runbook_alarms.yaml (new models on every call)."""
    return [AlarmDefinition.model_validate(entry) for entry in _runbook_alarm_entries()]


def merge_alarms(entries: Any) -> Any:
    """The runbook defaults with the stack's entries merged in by name (raw data, before validation).

    An entry named like a default overrides the fields it sets (setting `metric` or `math` replaces the
    default's measure); any other name adds an alarm. Entries keep their positions, so a mistake is
    reported at the index the stack file uses; the defaults nobody mentioned follow. Anything that is not
    a list of mappings is returned unchanged for the field validation to reject.
    """
    if not isinstance(entries, list):
        return entries
    defaults = {a.name: a.model_dump(exclude_none=True) for a in _runbook_alarms()}
    unmentioned = dict(defaults)
    merged: list[Any] = []
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        base = defaults.get(name) if isinstance(name, str) else None
        if base is None or not isinstance(entry, dict):
            merged.append(entry)
            continue
        unmentioned.pop(base["name"], None)
        base = dict(base)
        if "metric" in entry or "math" in entry:
            base.pop("metric", None)
            base.pop("math", None)
        merged.append({**base, **entry})
    return merged + list(unmentioned.values())


RUNBOOK_ALARM_NAMES = frozenset(a.name for a in _runbook_alarms())


class EmailSubscription(StrictSettings):
    """An email address and the severities it receives."""

    address: Email = Field(description="Email address (confirmed by its owner after the first `up`).")
    severities: list[Severity] = Field(min_length=1, description="Severities delivered to this address.")

    @field_validator("severities")
    @classmethod
    def _severities(cls, value: list[Severity]) -> list[Severity]:
        return _unique(value)


class SlackChannel(StrictSettings):
    """One Slack channel that AWS Chatbot posts the given severities to."""

    name: str = Field(description="Short name; the Chatbot configuration is `<env>-<name>` (letters, digits, - _).")
    channel_id: str = Field(description="Slack channel id (C... or G..., from the channel's About tab).")
    severities: list[Severity] = Field(min_length=1, description="Severities posted to this channel.")

    _name = field_validator("name")(must_match(_CHANNEL_NAME, "must be 1-100 letters, digits, hyphens or underscores"))
    _channel_id = field_validator("channel_id")(
        must_match(
            _SLACK_CHANNEL_ID, "'{value}' is not a Slack channel id (C or G, then 8-12 capital letters or digits)"
        )
    )

    @field_validator("severities")
    @classmethod
    def _severities(cls, value: list[Severity]) -> list[Severity]:
        return _unique(value)


class SlackSettings(StrictSettings):
    """Slack through AWS Chatbot: the authorised workspace and the channels it posts to."""

    workspace_id: str | None = Field(
        default=None, description="Slack workspace (team) id, T..., shown by Chatbot after the one-time authorisation."
    )
    api_region: str = Field(
        default="us-east-2", description=f"Region of the Chatbot API calls: one of {', '.join(CHATBOT_API_REGIONS)}."
    )
    channels: list[SlackChannel] = Field(default_factory=list, description="Channels and the severities each gets.")

    @field_validator("workspace_id")
    @classmethod
    def _workspace_id(cls, value: str | None) -> str | None:
        if value is not None and not _SLACK_TEAM_ID.fullmatch(value):
            raise ValueError(f"'{value}' is not a Slack workspace id (T, then 8-12 capital letters or digits)")
        return value

    @field_validator("api_region")
    @classmethod
    def _api_region(cls, value: str) -> str:
        if value not in CHATBOT_API_REGIONS:
            raise ValueError(f"the Chatbot API is only in {', '.join(CHATBOT_API_REGIONS)}")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> SlackSettings:
        if self.channels and self.workspace_id is None:
            raise FieldError("workspace_id", "is required when channels are listed")
        for key, values in (
            ("name", [c.name for c in self.channels]),
            ("channel_id", [c.channel_id for c in self.channels]),
        ):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise FieldError("channels", f"each channel {key} may appear once; repeated: {', '.join(repeated)}")
        return self


class ProbeSettings(StrictSettings):
    """Route 53 health checks that request the app's health endpoint from outside, from several regions."""

    endpoints: list[str] = Field(
        default_factory=list, description="Public host names probed over HTTPS on port 443 (one health check each)."
    )
    path: str = Field(default="/api/health", description="Path of the health endpoint (starts with /).")
    expected_string: str = Field(
        default='"status":"ok"', description="Text the first 5,120 bytes of a healthy response contain (1-255 chars)."
    )
    regions: list[ProbeRegion] = Field(
        default_factory=lambda: ["us-east-1", "eu-west-1", "ap-southeast-1"],
        min_length=3,
        description="Route 53 health-checker regions (at least 3).",
    )
    request_interval: Literal[10, 30] = Field(default=30, description="Seconds between checks from each region.")
    failure_threshold: int = Field(default=3, ge=1, le=10, description="Consecutive failures before unhealthy.")
    alarm_evaluation_periods: int = Field(
        default=2, ge=1, le=60, description="Unhealthy minutes before the critical alarm fires."
    )

    @field_validator("endpoints")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        for host in value:
            if not _HOST.fullmatch(host):
                raise ValueError(f"'{host}' is not a host name (lowercase, dotted, no scheme or path)")
            if len(host) > _MAX_PROBE_HOST:
                raise ValueError(f"'{host[:40]}...' is longer than {_MAX_PROBE_HOST} characters (alarm names fit 255)")
        suffixes = [probe_alarm_suffix(h) for h in value]
        repeated = sorted({h for h, s in zip(value, suffixes, strict=True) if suffixes.count(s) > 1})
        if repeated:
            raise ValueError(f"hosts share one alarm name ({PROBE_ALARM_PREFIX}...): {', '.join(repeated)}")
        return value

    _path = field_validator("path")(
        must_match(_PROBE_PATH, "must start with / and have at most 255 printable characters, no spaces")
    )

    @field_validator("expected_string")
    @classmethod
    def _expected(cls, value: str) -> str:
        if not 1 <= len(value) <= 255 or not value.isprintable():
            raise ValueError("must be 1-255 printable characters")
        return value

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[ProbeRegion]) -> list[ProbeRegion]:
        repeated = sorted({r for r in value if value.count(r) > 1})
        if repeated:
            raise ValueError(f"lists a region more than once: {', '.join(repeated)}")
        return value


def probe_alarm_suffix(host: str) -> str:
    """`health-check-<host with dots as hyphens>`: the probe's alarm name (after `<env>-`)."""
    return PROBE_ALARM_PREFIX + host.replace(".", "-")


def check_pagerduty_url(value: str) -> str | None:
    """Why `value` is not a PagerDuty Amazon CloudWatch integration URL, or None. Never quotes the value."""
    if _PAGERDUTY_URL.fullmatch(value):
        return None
    return (
        "is not a PagerDuty Amazon CloudWatch integration URL "
        "(https://events.pagerduty.com/integration/<32-character key>/enqueue, or events.eu.pagerduty.com); "
        "a generic Events API v2 URL never confirms the SNS subscription"
    )


# Slack once went to an SNS https subscription on an incoming webhook, which can never deliver.
RETIRED_SLACK = (
    "Slack now goes through AWS Chatbot: list channels under `alerting.slack.channels` with their severities "
    "(see docs/alerting.md)"
)
# Config keys an earlier version read, with what to do instead.
RETIRED_KEYS = {
    "slack_webhook_url": f"no longer used. {RETIRED_SLACK}, then `pulumi config rm slack_webhook_url`",
}


class RouteSecret(NamedTuple):
    """A secret an alert route needs: the setting that uses it and a check that never quotes the value."""

    used_by: str
    check: Callable[[str], str | None]


class AlertingSettings(StrictSettings):
    """Severity topics, who is notified, the alarms, the external probes and the dashboard."""

    metric_namespace: str = Field(
        default="Lodgetix/Functions", description="CloudWatch namespace of the app's metrics."
    )
    emails: list[EmailSubscription] = Field(default_factory=list, description="Email subscriptions.")
    slack: SlackSettings = Field(default_factory=SlackSettings)  # pyright: ignore[reportArgumentType]
    pagerduty_severities: list[Severity] = Field(
        default_factory=list,
        description="Severities that page through PagerDuty (needs the `pagerduty_webhook_url` secret).",
    )
    alarms: list[AlarmDefinition] = Field(
        default_factory=_runbook_alarms,
        description="Merged with the runbook defaults by name: a new name adds an alarm, a default's name "
        "overrides the fields given, `enabled: false` removes that default.",
    )
    service_unavailable_alarms: list[str] = Field(
        default_factory=lambda: ["function-error-rate", "database-connection-failures"],
        description="Alarms whose ALARM state (any of them) raises the critical `service-unavailable` composite; "
        "the probes' alarms are always members.",
    )
    probes: ProbeSettings = Field(default_factory=ProbeSettings)  # pyright: ignore[reportArgumentType]
    dashboard_name: str = Field(
        default="functions-platform",
        pattern=r"^[A-Za-z0-9_-]{1,200}$",
        description="CloudWatch dashboard name prefix (the environment is appended).",
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_alarms(cls, data: Any) -> Any:
        if isinstance(data, dict) and "slack_severities" in data:
            raise FieldError("slack_severities", RETIRED_SLACK)
        if isinstance(data, dict) and "alarms" in data:
            return {**data, "alarms": merge_alarms(data["alarms"])}
        return data

    @field_validator("metric_namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not value or value.startswith("AWS/") or len(value) > 255:
            raise ValueError("must be a custom namespace (1-255 characters, not starting with AWS/)")
        return value

    @field_validator("pagerduty_severities")
    @classmethod
    def _severities(cls, value: list[Severity]) -> list[Severity]:
        return _unique(value)

    @property
    def active_alarms(self) -> list[AlarmDefinition]:
        """The alarms to create: enabled ones, runbook defaults first (in runbook order), then added ones."""
        order = {name: i for i, name in enumerate(a.name for a in _runbook_alarms())}
        enabled = [a for a in self.alarms if a.enabled]
        return sorted(enabled, key=lambda a: order.get(a.name, len(order)))

    def route_secrets(self) -> dict[str, RouteSecret]:
        """The secrets the routes in use need, each with its shape check (a route not used needs none)."""
        if not self.pagerduty_severities:
            return {}
        return {"pagerduty_webhook_url": RouteSecret("alerting.pagerduty_severities", check_pagerduty_url)}

    @model_validator(mode="after")
    def _cross_field(self) -> AlertingSettings:
        names = [a.name for a in self.alarms]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise FieldError("alarms", f"alarm names must be unique; repeated: {', '.join(duplicates)}")
        if SERVICE_UNAVAILABLE in names:
            raise FieldError("alarms", f"'{SERVICE_UNAVAILABLE}' is the composite alarm's name; choose another")
        for index, alarm in enumerate(self.alarms):
            if not alarm.enabled and alarm.name not in RUNBOOK_ALARM_NAMES:
                raise FieldError(
                    f"alarms.{index}.enabled",
                    f"'{alarm.name}' is not a runbook default, so there is nothing to remove "
                    f"(defaults: {', '.join(sorted(RUNBOOK_ALARM_NAMES))})",
                )
        addresses = [e.address.lower() for e in self.emails]
        if len(set(addresses)) != len(addresses):
            raise FieldError("emails", "each address may appear once; list all its severities there")
        if not self.service_unavailable_alarms:
            raise FieldError("service_unavailable_alarms", "needs at least one alarm for the critical composite")
        active = {a.name for a in self.active_alarms}
        unknown = [n for n in self.service_unavailable_alarms if n not in names]
        if unknown:
            raise FieldError("service_unavailable_alarms", f"names unknown alarm(s): {', '.join(unknown)}")
        disabled = [n for n in self.service_unavailable_alarms if n not in active]
        if disabled:
            raise FieldError("service_unavailable_alarms", f"names disabled alarm(s): {', '.join(disabled)}")
        return self
