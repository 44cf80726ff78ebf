"""Alarm entries merge with the runbook defaults by name: add, override, remove; errors keep their index."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.settings.alerting import RUNBOOK_ALARM_NAMES, AlertingSettings, merge_alarms
from tests.alerting.support import alerting_problems
from tests.support.settings import problems_with_area, settings_with_area

DEFAULT_ACTIVE = [
    "function-error-rate",
    "function-duration-p95",
    "database-connection-failures",
    "memory-utilization",
    "cpu-utilization",
]
QUEUE = {
    "name": "queue-backlog",
    "description": "Queue backlog above 100 jobs.",
    "severity": "medium",
    "metric": {"metric_name": "QueueDepth", "statistic": "Maximum"},
    "threshold": 100,
}


def active_alarms(raw: dict[str, Any]) -> dict[str, Any]:
    return {a.name: a for a in AlertingSettings.model_validate(raw).active_alarms}


def test_without_entries_the_runbook_defaults_apply_and_no_traffic_is_off():
    assert list(active_alarms({})) == DEFAULT_ACTIVE
    assert list(active_alarms({"alarms": []})) == DEFAULT_ACTIVE
    assert "function-no-traffic" in RUNBOOK_ALARM_NAMES


def test_the_defaults_are_the_runbook_thresholds():
    """IF-005: error rate above 5 %, p95 above 3 s, any database connection failure, memory 80 %, CPU 90 %."""
    thresholds = {name: (alarm.threshold, alarm.severity, alarm.unit) for name, alarm in active_alarms({}).items()}
    assert thresholds == {
        "function-error-rate": (5, "high", "Percent"),
        "function-duration-p95": (3000, "high", "Milliseconds"),
        "database-connection-failures": (0, "critical", "Count"),
        "memory-utilization": (80, "medium", "Percent"),
        "cpu-utilization": (90, "medium", "Percent"),
    }


def test_a_new_name_adds_one_alarm_after_the_defaults():
    alarms = active_alarms({"alarms": [QUEUE]})
    assert list(alarms) == [*DEFAULT_ACTIVE, "queue-backlog"]
    assert alarms["queue-backlog"].threshold == 100


def test_a_default_name_overrides_only_the_fields_given():
    alarms = active_alarms({"alarms": [{"name": "cpu-utilization", "threshold": 95}]})
    cpu = alarms["cpu-utilization"]
    assert (cpu.threshold, cpu.severity, cpu.evaluation_periods, cpu.datapoints_to_alarm) == (95, "medium", 5, 3)
    assert cpu.metric is not None
    assert cpu.metric.metric_name == "CPUUtilization"
    assert list(alarms) == DEFAULT_ACTIVE  # position in the runbook order is kept


def test_overriding_the_measure_replaces_metric_or_math_of_the_default():
    metric = {"metric_name": "Errors5xx", "statistic": "Sum"}
    error_rate = active_alarms({"alarms": [{"name": "function-error-rate", "metric": metric, "threshold": 10}]})
    assert error_rate["function-error-rate"].math is None
    assert error_rate["function-error-rate"].metric is not None
    math = {"expression": "m / 1024", "metrics": {"m": {"metric_name": "MemoryBytes", "statistic": "Average"}}}
    memory = active_alarms({"alarms": [{"name": "memory-utilization", "math": math}]})["memory-utilization"]
    assert (memory.metric, memory.math is not None, memory.threshold) == (None, True, 80)


def test_enabled_false_removes_a_default_and_true_turns_one_on():
    alarms = active_alarms({"alarms": [{"name": "memory-utilization", "enabled": False}]})
    assert "memory-utilization" not in alarms
    on = active_alarms({"alarms": [{"name": "function-no-traffic", "enabled": True}]})
    assert on["function-no-traffic"].treat_missing_data == "breaching"


def test_disabling_a_name_that_is_not_a_default_is_a_mistake():
    (problem,) = alerting_problems({"alarms": [{**QUEUE, "name": "cpu-utilisation", "enabled": False}]})
    assert problem.startswith("alarms[0].enabled: 'cpu-utilisation' is not a runbook default")


def test_errors_are_reported_at_the_index_the_stack_file_uses():
    (problem,) = alerting_problems({"alarms": [QUEUE, {"name": "cpu-utilization", "period": 90}]})
    assert problem == "alarms[1].period: must be a positive multiple of 60 seconds"
    missing = alerting_problems({"alarms": [{"name": "brand-new", "threshold": 1}]})
    assert sorted(missing) == [
        "alarms[0].description: is required but not set",
        "alarms[0].severity: is required but not set",
    ]


def test_a_default_named_twice_is_a_duplicate():
    (problem,) = alerting_problems(
        {"alarms": [{"name": "cpu-utilization"}, {"name": "cpu-utilization", "threshold": 1}]}
    )
    assert problem == "alarms: alarm names must be unique; repeated: cpu-utilization"


def test_service_unavailable_members_are_checked_against_the_merged_set():
    merged = AlertingSettings.model_validate(
        {"alarms": [QUEUE], "service_unavailable_alarms": ["function-error-rate", "queue-backlog"]}
    )
    assert merged.service_unavailable_alarms == ["function-error-rate", "queue-backlog"]
    (problem,) = alerting_problems(
        {
            "alarms": [{"name": "function-error-rate", "enabled": False}],
            "service_unavailable_alarms": ["function-error-rate"],
        }
    )
    assert problem == "service_unavailable_alarms: names disabled alarm(s): function-error-rate"
    (problem,) = alerting_problems({"service_unavailable_alarms": ["function-no-traffic"]})
    assert problem == "service_unavailable_alarms: names disabled alarm(s): function-no-traffic"


@pytest.mark.parametrize("entries", ["cpu", 3, None, [["cpu-utilization"]], [{"name": 5}], [{"name": None}]])
def test_hostile_shapes_are_left_for_validation_to_reject(entries):
    merged = merge_alarms(entries)
    if isinstance(entries, list):
        assert merged[: len(entries)] == entries  # untouched, then the defaults
    else:
        assert merged is entries
    with pytest.raises(ValidationError):
        AlertingSettings.model_validate({"alarms": entries})


def test_three_lines_of_yaml_add_an_alarm_to_a_real_stack():
    def add(alerting: dict[str, Any]) -> None:
        alerting["alarms"] = [{**QUEUE}]

    settings = settings_with_area("staging", "alerting", add)
    assert [a.name for a in settings.alerting.active_alarms] == [*DEFAULT_ACTIVE, "queue-backlog"]
    settings = settings_with_area("production", "alerting", lambda alerting: alerting["alarms"].append(QUEUE))
    assert [a.name for a in settings.alerting.active_alarms] == [
        *DEFAULT_ACTIVE,
        "function-no-traffic",
        "queue-backlog",
    ]


def test_a_stack_file_mistake_names_the_file_and_the_key_path():
    def broken(alerting: dict[str, Any]) -> None:
        alerting["alarms"] = [
            {"name": "function-no-traffic", "enabled": True},
            {"name": "cpu-utilization", "period": 45},
        ]

    (problem,) = problems_with_area("production", "alerting", broken)
    assert problem == "functions-platform:alerting.alarms[1].period: must be a positive multiple of 60 seconds"
