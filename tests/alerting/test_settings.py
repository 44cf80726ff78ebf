"""Bad alarm definitions and routes are rejected with the full key path; good ones load."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings.alerting import AlarmDefinition, AlertingSettings, check_statistic
from tests.alerting.support import alerting_problems
from tests.support.programs import settings_refusal
from tests.support.stack_files import NAMESPACE


def alarm(**changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": "probe",
        "description": "A probe.",
        "severity": "low",
        "metric": {"metric_name": "Probe", "statistic": "Sum"},
        "threshold": 1,
    }
    definition.update(changes)
    return definition


def alarms_problems(*definitions: dict[str, Any]) -> list[str]:
    return alerting_problems({"alarms": list(definitions), "service_unavailable_alarms": [definitions[0]["name"]]})


def definition_with(**changes: Any) -> AlarmDefinition:
    return AlarmDefinition.model_validate(alarm(**changes))


def test_the_runbook_defaults_load():
    settings = AlertingSettings()
    assert {a.name for a in settings.alarms} >= {"function-error-rate", "function-duration-p95"}
    assert settings.service_unavailable_alarms


@pytest.mark.parametrize("severity", ["critical", "high", "medium", "low"])
def test_known_severities_load(severity):
    assert definition_with(severity=severity).severity == severity


def test_unknown_severity_is_rejected_with_its_key_path():
    (problem,) = alarms_problems(alarm(severity="urgent"))
    assert problem.startswith("alarms[0].severity: must be one of 'critical', 'high', 'medium' or 'low'")


@pytest.mark.parametrize("period", [60, 120, 300, 3600])
def test_periods_in_whole_minutes_load(period):
    assert definition_with(period=period).period == period


@pytest.mark.parametrize("period", [0, -60, 30, 90])
def test_period_not_a_multiple_of_60_is_rejected(period):
    (problem,) = alarms_problems(alarm(period=period))
    assert problem == "alarms[0].period: must be a positive multiple of 60 seconds"


@pytest.mark.parametrize("periods", [1, 5])
def test_positive_evaluation_periods_load(periods):
    assert definition_with(evaluation_periods=periods).evaluation_periods == periods


@pytest.mark.parametrize("periods", [0, -1])
def test_non_positive_evaluation_periods_are_rejected(periods):
    (problem,) = alarms_problems(alarm(evaluation_periods=periods))
    assert problem == "alarms[0].evaluation_periods: must be at least 1"


def test_evaluation_window_longer_than_a_day_is_rejected():
    assert definition_with(period=3600, evaluation_periods=24).evaluation_periods == 24
    (problem,) = alarms_problems(alarm(period=3600, evaluation_periods=25))
    assert problem.startswith("alarms[0].evaluation_periods: evaluation_periods x period may not exceed one day")


@pytest.mark.parametrize("statistic", ["Sum", "Average", "SampleCount", "p0", "p50", "p95", "p99.9", "p99.99", "p100"])
def test_statistics_and_percentiles_written_right_load(statistic):
    assert check_statistic(statistic) == statistic
    assert definition_with(metric={"metric_name": "Probe", "statistic": statistic}).metric is not None


@pytest.mark.parametrize("statistic", ["P95", "95p", "p95.123", "p101", "p100.5", "p", "p95.", "sum", "avg"])
def test_percentile_written_wrong_is_rejected(statistic):
    (problem,) = alarms_problems(alarm(metric={"metric_name": "Probe", "statistic": statistic}))
    assert problem.startswith(f"alarms[0].metric.statistic: '{statistic}' is not a CloudWatch statistic")


def test_percentile_inside_metric_math_is_checked_at_its_own_path():
    math = {
        "expression": "a / b",
        "metrics": {"a": {"metric_name": "A", "statistic": "P90"}, "b": {"metric_name": "B", "statistic": "Sum"}},
    }
    (problem,) = alarms_problems(alarm(metric=None, math=math))
    assert problem.startswith("alarms[0].math.metrics.a.statistic: 'P90' is not a CloudWatch statistic")


def test_metric_math_rules():
    good = {
        "expression": "100 * a / b",
        "metrics": {"a": {"metric_name": "A", "statistic": "Sum"}, "b": {"metric_name": "B", "statistic": "Sum"}},
    }
    assert definition_with(metric=None, math=good).math is not None
    unused = {**good, "expression": "100 * a"}
    (problem,) = alarms_problems(alarm(metric=None, math=unused))
    assert problem == "alarms[0].math.expression: does not use the metric id(s) b"
    reserved = {"expression": "expression * 2", "metrics": {"expression": {"metric_name": "A", "statistic": "Sum"}}}
    assert alarms_problems(alarm(metric=None, math=reserved))[0].startswith(
        "alarms[0].math.metrics: metric id 'expression' is reserved"
    )
    (problem,) = alarms_problems(alarm(math=good))
    assert problem == "alarms[0].metric: set exactly one of `metric` or `math`"


def test_routes_and_names_rules():
    # The webhook-era key is gone, and says where Slack went.
    assert alerting_problems({"slack_severities": ["high"]}) == [
        "slack_severities: Slack now goes through AWS Chatbot: list channels under `alerting.slack.channels` "
        "with their severities (see docs/alerting.md)"
    ]
    assert alerting_problems({"pagerduty_severities": ["high", "high"]}) == [
        "pagerduty_severities: lists a severity more than once: high"
    ]
    assert alerting_problems({"pagerduty_severities": ["sev1"]})[0].startswith(
        "pagerduty_severities[0]: must be one of"
    )
    assert alerting_problems({"emails": [{"address": "a@example.org", "severities": []}]})[0].startswith(
        "emails[0].severities:"
    )
    twice = [{"address": "a@example.org", "severities": ["low"]}, {"address": "A@example.org", "severities": ["high"]}]
    assert alerting_problems({"emails": twice})[0].startswith("emails: each address may appear once")
    assert alerting_problems({"service_unavailable_alarms": ["nope"]}) == [
        "service_unavailable_alarms: names unknown alarm(s): nope"
    ]
    assert alerting_problems({"service_unavailable_alarms": []})[0].startswith(
        "service_unavailable_alarms: needs at least one"
    )
    assert alerting_problems(
        {"alarms": [alarm(name="service-unavailable")], "service_unavailable_alarms": ["service-unavailable"]}
    )[0].startswith("alarms: 'service-unavailable' is the composite")
    assert alerting_problems({"metric_namespace": "AWS/Lambda"})[0].startswith(
        "metric_namespace: must be a custom namespace"
    )


def test_stack_file_errors_name_the_file_and_full_key(tmp_path):
    def edit(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:alerting"]["alarms"] = [
            alarm(name="a", severity="urgent"),
            alarm(name="b", period=90),
            alarm(name="c", evaluation_periods=0),
            alarm(name="d", metric={"metric_name": "Probe", "statistic": "95p"}),
        ]
        config[f"{NAMESPACE}:alerting"]["service_unavailable_alarms"] = ["a"]

    message = settings_refusal(tmp_path, "production", edit)
    prefix = f"Pulumi.production.yaml: {NAMESPACE}:alerting.alarms"
    assert f"{prefix}[0].severity: must be one of" in message
    assert f"{prefix}[1].period: must be a positive multiple of 60 seconds" in message
    assert f"{prefix}[2].evaluation_periods: must be at least 1" in message
    assert f"{prefix}[3].metric.statistic: '95p' is not a CloudWatch statistic" in message


def test_probe_alarm_names_are_reserved():
    (problem,) = alarms_problems(alarm(name="health-check-lodgetix-io"))
    assert problem == "alarms[0].name: names starting with 'health-check-' are the external probes' alarms"
