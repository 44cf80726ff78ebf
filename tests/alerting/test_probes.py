"""External probes: Route 53 health checks of every public endpoint, alarmed critical from us-east-1."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from components.settings.alerting import ProbeSettings
from ops.offline import ProgramError
from tests.alerting.support import ALARM, COMPOSITE, alerting_settings, created_by_alerting, validation_problems
from tests.support.programs import evaluate_with
from tests.support.resources import alert_topic_arns
from tests.support.stack_files import load_stack

HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"


def test_one_https_string_match_check_per_endpoint_from_several_regions(stack, custom_alerting):
    for evaluation in (stack, custom_alerting):
        probes = alerting_settings(evaluation).probes
        checks = {c.plain_inputs["fqdn"]: c.plain_inputs for c in created_by_alerting(evaluation, HEALTH_CHECK)}
        assert set(checks) == set(probes.endpoints)
        assert probes.endpoints
        for inputs in checks.values():
            assert inputs["type"] == "HTTPS_STR_MATCH"
            assert (inputs["port"], inputs["enableSni"]) == (443, True)
            assert inputs["resourcePath"] == probes.path
            assert inputs["searchString"] == probes.expected_string
            assert inputs["requestInterval"] == 30
            assert inputs["failureThreshold"] == probes.failure_threshold
            assert len(inputs["regions"]) >= 3
            assert "region" not in inputs  # Route 53 is global


def test_each_check_has_a_critical_alarm_on_healthcheckstatus_in_us_east_1(stack, custom_alerting):
    for evaluation in (stack, custom_alerting):
        critical = [alert_topic_arns(evaluation)["critical"]]
        checks = {c.plain_inputs["fqdn"]: c for c in created_by_alerting(evaluation, HEALTH_CHECK)}
        alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(evaluation, ALARM)}
        for host, check in checks.items():
            inputs = alarms[f"{evaluation.stack}-health-check-{host.replace('.', '-')}"]
            assert inputs["region"] == "us-east-1"
            assert (inputs["namespace"], inputs["metricName"]) == ("AWS/Route53", "HealthCheckStatus")
            assert inputs["dimensions"] == {"HealthCheckId": check.id}
            assert (inputs["comparisonOperator"], inputs["threshold"]) == ("LessThanThreshold", 1)
            assert inputs["treatMissingData"] == "breaching"
            assert inputs["alarmActions"] == inputs["okActions"] == critical
            (composite,) = created_by_alerting(evaluation, COMPOSITE)
            assert f'ALARM("{inputs["name"]}")' in composite.plain_inputs["alarmRule"]


def test_the_probes_cover_every_public_zone_of_the_stack(stack):
    config = load_stack(stack.stack)["config"]
    zones = {z["name"] for z in config["functions-platform:edge"]["zones"]}
    assert zones <= set(alerting_settings(stack).probes.endpoints)


def test_production_alarms_on_no_traffic_with_missing_data_breaching(production, staging):
    alarms = {a.plain_inputs["name"]: a.plain_inputs for a in created_by_alerting(production, ALARM)}
    no_traffic = alarms["production-function-no-traffic"]
    assert (no_traffic["metricName"], no_traffic["statistic"]) == ("FunctionInvocations", "Sum")
    assert (no_traffic["comparisonOperator"], no_traffic["threshold"]) == ("LessThanThreshold", 1)
    assert no_traffic["treatMissingData"] == "breaching"
    assert no_traffic["alarmActions"] == [alert_topic_arns(production)["critical"]]
    (composite,) = created_by_alerting(production, COMPOSITE)
    assert 'ALARM("production-function-no-traffic")' in composite.plain_inputs["alarmRule"]
    assert "staging-function-no-traffic" not in {a.plain_inputs["name"] for a in created_by_alerting(staging, ALARM)}


def in_region(region: str, endpoints: list[str] | None = None) -> Any:
    def edit(config: dict[str, Any]) -> None:
        config["aws:region"] = region
        if endpoints is not None:
            config["functions-platform:alerting"]["probes"]["endpoints"] = endpoints

    return edit


def test_probes_refuse_a_stack_outside_us_east_1_with_a_settings_error(tmp_path):
    with pytest.raises(ProgramError) as caught:
        evaluate_with(tmp_path, "staging", in_region("eu-west-1"))
    assert caught.value.settings
    assert "Pulumi.staging.yaml: functions-platform:alerting.probes.endpoints: Route 53 publishes" in (
        caught.value.message
    )
    assert "this stack deploys to eu-west-1" in caught.value.message


def test_without_probes_another_region_plans(tmp_path):
    evaluation = evaluate_with(tmp_path, "staging", in_region("eu-west-1", []))
    assert created_by_alerting(evaluation, HEALTH_CHECK) == []
    (composite,) = created_by_alerting(evaluation, COMPOSITE)
    assert "health-check" not in composite.plain_inputs["alarmRule"]


probe_problems = partial(validation_problems, ProbeSettings, "probes")


@pytest.mark.parametrize("host", ["lodgetix.io", "staging.lodgetix.io", "a-b.c1.example.org"])
def test_host_names_load(host):
    assert ProbeSettings(endpoints=[host]).endpoints == [host]


@pytest.mark.parametrize(
    "host",
    [
        "https://lodgetix.io",
        "lodgetix.io/api",
        "Lodgetix.io",
        "lodgetix",
        "lodgetix.io.",
        "lodgetix.io\n",
        "-a.io",
        "lodgetix.io:443",
        "10.0.0.1",
        "",
    ],
)
def test_anything_but_a_host_name_is_rejected(host):
    (problem,) = probe_problems({"endpoints": [host]})
    assert problem.startswith("endpoints: ")
    # A newline is refused by the shared rule on invisible characters before the host's own shape is checked.
    assert "is not a host name" in problem or "control or invisible characters" in problem


def test_probe_rules():
    assert probe_problems({"endpoints": ["a.io", "a.io"]}) == [
        "endpoints: hosts share one alarm name (health-check-...): a.io"
    ]
    assert probe_problems({"endpoints": ["a-b.io", "a.b.io"]}) == [
        "endpoints: hosts share one alarm name (health-check-...): a-b.io, a.b.io"
    ]
    long_host = "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + "." + "d" * 20 + ".io"
    assert probe_problems({"endpoints": [long_host]})[0].endswith("is longer than 200 characters (alarm names fit 255)")
    assert probe_problems({"path": "api/health"})[0].startswith("path: must start with /")
    assert probe_problems({"path": "/api health"})[0].startswith("path: must start with /")
    assert probe_problems({"path": "/" + "a" * 255})[0].startswith("path: ")
    assert ProbeSettings(path="/" + "a" * 254).path
    assert probe_problems({"expected_string": ""}) == ["expected_string: must be 1-255 printable characters"]
    assert probe_problems({"expected_string": "x" * 256}) == ["expected_string: must be 1-255 printable characters"]
    assert probe_problems({"expected_string": "ok\n"})[0].startswith("expected_string: must not contain control")
    assert probe_problems({"regions": ["us-east-1", "eu-west-1"]})[0].startswith("regions: ")
    assert probe_problems({"regions": ["us-east-1", "eu-west-1", "eu-central-1"]})[0].startswith("regions[2]: ")
    assert probe_problems({"regions": ["us-east-1", "us-east-1", "eu-west-1"]}) == [
        "regions: lists a region more than once: us-east-1"
    ]
    assert probe_problems({"request_interval": 60})[0].startswith("request_interval: must be one of")
    assert probe_problems({"failure_threshold": 0}) == ["failure_threshold: must be at least 1"]
    assert probe_problems({"failure_threshold": 11}) == ["failure_threshold: must be at most 10"]
    assert probe_problems({"alarm_evaluation_periods": 0}) == ["alarm_evaluation_periods: must be at least 1"]
