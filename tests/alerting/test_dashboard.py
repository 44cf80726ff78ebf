"""The dashboard is generated from the alarm definitions: valid JSON, every alarm's metric, every threshold."""

from __future__ import annotations

import json
from typing import Any

from components.alerting.dashboard import BILLING_REGION, DashboardSources, ReplicationMetrics, dashboard_body
from components.settings.alerting import EXPRESSION_ID, AlarmDefinition, AlertingSettings
from components.settings.cost import BudgetSettings
from ops.offline import Evaluation
from tests.alerting.support import ALARM, COMPOSITE, alerting_settings
from tests.support.resources import recorded_dashboard_body


def metric_widgets(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [w["properties"] for w in body["widgets"] if w["type"] == "metric"]


def metric_names(properties: dict[str, Any]) -> set[str]:
    return {row[1] for row in properties["metrics"] if isinstance(row[0], str)}


def widget_for(body: dict[str, Any], definition: AlarmDefinition) -> dict[str, Any]:
    (widget,) = [p for p in metric_widgets(body) if p["title"].startswith(f"{definition.name} (")]
    return widget


def assert_draws_every_alarm(evaluation: Evaluation) -> None:
    settings = alerting_settings(evaluation)
    body = recorded_dashboard_body(evaluation)
    assert settings.active_alarms
    for definition in settings.active_alarms:
        widget = widget_for(body, definition)
        if definition.metric is not None:
            expected = {definition.metric.metric_name}
        else:
            assert definition.math is not None
            expected = {m.metric_name for m in definition.math.metrics.values()}
        assert metric_names(widget) == expected, definition.name
        assert all(row[0] == settings.metric_namespace for row in widget["metrics"] if isinstance(row[0], str))
        assert {"value": definition.threshold} in [
            {"value": line["value"]} for line in widget["annotations"]["horizontal"]
        ], definition.name
        assert widget["period"] == definition.period
        if definition.metric is not None:
            assert widget["stat"] == definition.metric.statistic
        else:
            assert definition.math is not None
            (expression,) = [row[0] for row in widget["metrics"] if isinstance(row[0], dict)]
            assert expression["expression"] == definition.math.expression
            assert expression["id"] == EXPRESSION_ID


def test_dashboard_body_is_valid_json_and_draws_every_alarm_with_its_threshold(stack):
    assert_draws_every_alarm(stack)


def test_custom_definitions_are_drawn_too(custom_alerting):
    assert_draws_every_alarm(custom_alerting)
    widget = widget_for(recorded_dashboard_body(custom_alerting), alerting_settings(custom_alerting).alarms[0])
    assert widget["metrics"] == [["Lodgetix/Functions", "ApiLatency", "Route", "/api/events"]]
    assert widget["stat"] == "p99.9"


def test_alarm_status_widget_lists_every_alarm_including_the_composite(stack):
    arns = {r.plain_outputs["arn"] for r in stack.of_type(ALARM) + stack.of_type(COMPOSITE)}
    (status,) = [w for w in recorded_dashboard_body(stack)["widgets"] if w["type"] == "alarm"]
    assert set(status["properties"]["alarms"]) == arns


def test_replication_and_cost_widgets_are_present_on_the_real_stacks(stack):
    body = recorded_dashboard_body(stack)
    names = set().union(*(metric_names(p) for p in metric_widgets(body)))
    assert {"ReplicationLatency", "OperationsPendingReplication", "OperationsFailedReplication"} <= names
    (billing,) = [p for p in metric_widgets(body) if "EstimatedCharges" in metric_names(p)]
    assert billing["region"] == BILLING_REGION
    assert billing["metrics"] == [["AWS/Billing", "EstimatedCharges", "Currency", "USD"]]
    primary = stack.outputs["backup_primary_bucket_name"]
    replica = stack.outputs["backup_replica_bucket_name"]
    for properties in metric_widgets(body):
        for row in properties["metrics"]:
            if row[0] == "AWS/S3":
                assert row[2:6] == ["SourceBucket", primary, "DestinationBucket", replica]


def test_widgets_do_not_overlap(stack):
    cells: set[tuple[int, int]] = set()
    for widget in recorded_dashboard_body(stack)["widgets"]:
        area = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not cells & area, widget
        assert widget["x"] + widget["width"] <= 24
        cells |= area


def test_optional_sections_appear_only_when_given():
    settings = AlertingSettings()
    bare = dashboard_body(settings, "eu-west-1")
    assert [w["type"] for w in bare["widgets"]] == ["metric"] * len(settings.active_alarms)
    assert all(w["properties"]["region"] == "eu-west-1" for w in bare["widgets"])

    replication = ReplicationMetrics("src", "dst", "backups-to-dr", "us-east-1")
    budgets = [
        BudgetSettings(name="monthly", time_unit="MONTHLY", limit_usd=2000, notification_type="ACTUAL"),
        BudgetSettings(name="daily", time_unit="DAILY", limit_usd=100, notification_type="ACTUAL"),
    ]
    full = json.loads(
        json.dumps(dashboard_body(settings, "us-east-1", DashboardSources(replication=replication, budgets=budgets)))
    )
    s3_rows = [row for p in metric_widgets(full) for row in p["metrics"] if row[0] == "AWS/S3"]
    assert s3_rows
    assert all(
        row[2:] == ["SourceBucket", "src", "DestinationBucket", "dst", "RuleId", "backups-to-dr"] for row in s3_rows
    )
    (billing,) = [p for p in metric_widgets(full) if "EstimatedCharges" in metric_names(p)]
    # Month-to-date charges compare with monthly limits only; the daily budget is listed in the text widget.
    assert [line["value"] for line in billing["annotations"]["horizontal"]] == [2000]
    (text,) = [w for w in full["widgets"] if w["type"] == "text"]
    assert "| daily | DAILY |" in text["properties"]["markdown"]


def test_the_probes_are_charted_per_endpoint_from_us_east_1(stack, custom_alerting):
    for evaluation in (stack, custom_alerting):
        checks = {c.plain_inputs["fqdn"]: c.id for c in evaluation.of_type("aws:route53/healthCheck:HealthCheck")}
        (probe,) = [
            p for p in metric_widgets(recorded_dashboard_body(evaluation)) if "HealthCheckStatus" in metric_names(p)
        ]
        assert probe["region"] == "us-east-1"
        assert probe["stat"] == "Minimum"
        rows = {row[4]["label"]: row[:4] for row in probe["metrics"]}
        assert rows == {host: ["AWS/Route53", "HealthCheckStatus", "HealthCheckId", i] for host, i in checks.items()}
    assert not [
        p
        for p in metric_widgets(dashboard_body(AlertingSettings(), "us-east-1"))
        if "HealthCheckStatus" in metric_names(p)
    ]
