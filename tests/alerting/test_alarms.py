"""Alarms from the settings' definitions: metric shape, routing to the severity's topic, the composite."""

from __future__ import annotations

import pytest

from components.settings.alerting import is_percentile
from ops.offline import Evaluation
from tests.alerting.support import ALARM, COMPOSITE, alerting_settings, created_by_alerting
from tests.support.resources import alert_topic_arns


@pytest.fixture(params=["staging", "production", "custom_alerting"])
def evaluation(request: pytest.FixtureRequest) -> Evaluation:
    return request.getfixturevalue(request.param)


def probe_alarm_names(evaluation: Evaluation) -> list[str]:
    settings = alerting_settings(evaluation)
    return [f"health-check-{host.replace('.', '-')}" for host in settings.probes.endpoints]


def test_every_enabled_definition_and_probe_becomes_one_alarm_named_for_the_environment(evaluation):
    settings = alerting_settings(evaluation)
    names = sorted(a.plain_inputs["name"] for a in created_by_alerting(evaluation, ALARM))
    expected = [a.name for a in settings.active_alarms] + probe_alarm_names(evaluation)
    assert names == sorted(f"{evaluation.stack}-{n}" for n in expected)
    disabled = {a.name for a in settings.alarms if not a.enabled}
    assert not {n.removeprefix(f"{evaluation.stack}-") for n in names} & disabled


def test_every_alarm_notifies_its_severity_topic_on_alarm_and_ok(evaluation):
    settings = alerting_settings(evaluation)
    topics = alert_topic_arns(evaluation)
    alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(evaluation, ALARM)}
    for definition in settings.active_alarms:
        inputs = alarms[f"{evaluation.stack}-{definition.name}"]
        expected = [topics[definition.severity]]
        assert inputs["alarmActions"] == expected, definition.name
        assert inputs["okActions"] == expected, definition.name
        assert inputs["actionsEnabled"] is True, definition.name


def test_alarm_evaluation_settings_follow_the_definition(evaluation):
    settings = alerting_settings(evaluation)
    alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(evaluation, ALARM)}
    for definition in settings.active_alarms:
        inputs = alarms[f"{evaluation.stack}-{definition.name}"]
        assert inputs["threshold"] == definition.threshold
        assert inputs["comparisonOperator"] == definition.comparison
        assert inputs["evaluationPeriods"] == definition.evaluation_periods
        assert inputs.get("datapointsToAlarm") == definition.datapoints_to_alarm
        assert inputs["treatMissingData"] == definition.treat_missing_data


def test_single_metric_alarms_use_statistic_or_extended_statistic(evaluation):
    settings = alerting_settings(evaluation)
    alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(evaluation, ALARM)}
    checked = 0
    for definition in settings.active_alarms:
        if definition.metric is None:
            continue
        inputs = alarms[f"{evaluation.stack}-{definition.name}"]
        assert inputs["namespace"] == settings.metric_namespace
        assert inputs["metricName"] == definition.metric.metric_name
        assert inputs["period"] == definition.period
        assert inputs.get("dimensions", {}) == definition.metric.dimensions
        used, unused = ("extendedStatistic", "statistic")
        if not is_percentile(definition.metric.statistic):
            used, unused = unused, used
        assert inputs[used] == definition.metric.statistic
        assert unused not in inputs
        assert "metricQueries" not in inputs
        checked += 1
    assert checked


def test_metric_math_alarms_return_only_the_expression(evaluation):
    settings = alerting_settings(evaluation)
    alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(evaluation, ALARM)}
    math = [d for d in settings.active_alarms if d.math is not None]
    assert math
    for definition in math:
        assert definition.math is not None
        inputs = alarms[f"{evaluation.stack}-{definition.name}"]
        assert "metricName" not in inputs
        assert "statistic" not in inputs
        queries = {q["id"]: q for q in inputs["metricQueries"]}
        returning = [q for q in queries.values() if q["returnData"]]
        assert [q.get("expression") for q in returning] == [definition.math.expression]
        for metric_id, spec in definition.math.metrics.items():
            metric = queries[metric_id]["metric"]
            assert metric["metricName"] == spec.metric_name
            assert metric["stat"] == spec.statistic
            assert metric["namespace"] == settings.metric_namespace
            assert metric["period"] == definition.period
            assert metric.get("dimensions", {}) == spec.dimensions


def test_custom_definitions_reach_the_alarm_inputs(custom_alerting):
    alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(custom_alerting, ALARM)}
    latency = alarms["staging-api-latency-p99"]
    assert latency["extendedStatistic"] == "p99.9"
    assert latency["dimensions"] == {"Route": "/api/events"}
    assert latency["period"] == 300
    heartbeat = alarms["staging-heartbeats-missing"]
    assert heartbeat["comparisonOperator"] == "LessThanThreshold"
    assert heartbeat["treatMissingData"] == "breaching"
    assert "datapointsToAlarm" not in heartbeat


def test_service_unavailable_composite_is_critical_over_the_configured_alarms(evaluation):
    settings = alerting_settings(evaluation)
    (composite,) = created_by_alerting(evaluation, COMPOSITE)
    inputs = composite.plain_inputs
    critical = [alert_topic_arns(evaluation)["critical"]]
    assert inputs["alarmName"] == f"{evaluation.stack}-service-unavailable"
    assert inputs["alarmActions"] == critical
    assert inputs["okActions"] == critical
    assert inputs["actionsEnabled"] is True
    members = [*settings.service_unavailable_alarms, *probe_alarm_names(evaluation)]
    assert inputs["alarmRule"] == " OR ".join(f'ALARM("{evaluation.stack}-{n}")' for n in members)


def test_custom_entries_merge_with_the_runbook_defaults_by_name(custom_alerting):
    alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(custom_alerting, ALARM)}
    topics = alert_topic_arns(custom_alerting)
    assert "staging-memory-utilization" not in alarms  # `enabled: false` removed the default
    assert "staging-function-no-traffic" not in alarms  # off by default, not mentioned
    cpu = alarms["staging-cpu-utilization"]  # overridden: threshold and severity; the rest from the default
    assert (cpu["threshold"], cpu["alarmActions"]) == (95, [topics["high"]])
    assert (cpu["metricName"], cpu["statistic"], cpu["evaluationPeriods"]) == ("CPUUtilization", "Average", 5)
    for untouched in ("function-error-rate", "function-duration-p95", "database-connection-failures"):
        assert f"staging-{untouched}" in alarms
