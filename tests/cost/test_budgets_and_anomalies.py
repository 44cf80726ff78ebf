"""Budgets and anomaly detection as each stack registers them (runbook IF-012)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from components.settings.tags import COST_TAG_KEYS
from ops.offline import Evaluation, RecordedResource, evaluate
from tests.support.programs import write_program
from tests.support.repository import REPO

BUDGET = "aws:budgets/budget:Budget"
MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"
TAG_ACTIVATION = "aws:costexplorer/costAllocationTag:CostAllocationTag"
EMAIL = "platform-costs@lodgetix.io"


def alert_topic_output(evaluation: Evaluation, severity: str) -> str:
    return evaluation.outputs["alert_topic_arns"][severity]


def budgets(evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    prefix = f"platform-{evaluation.stack}-cost-"
    return {r.name.removeprefix(prefix): r.plain_inputs for r in evaluation.of_type(BUDGET)}


def summary(inputs: dict[str, Any]) -> tuple[Any, ...]:
    notes = inputs["notifications"]
    return (
        inputs["timeUnit"],
        inputs["limitAmount"],
        {n["notificationType"] for n in notes},
        [n["threshold"] for n in notes],
    )


# name -> (time unit, limit, notification type, thresholds, severity of the topic)
EXPECTED = {
    "staging": {
        "daily-actual": ("DAILY", "100", "ACTUAL", "medium"),
        "monthly-forecast": ("MONTHLY", "2000", "FORECASTED", "medium"),
        "monthly-actual": ("MONTHLY", "2000", "ACTUAL", "high"),
    },
    "production": {
        "daily-actual": ("DAILY", "100", "ACTUAL", "high"),
        "monthly-forecast": ("MONTHLY", "2000", "FORECASTED", "high"),
        "monthly-actual": ("MONTHLY", "2000", "ACTUAL", "critical"),
        "functions-feature": ("MONTHLY", "500", "ACTUAL", "medium"),
    },
}


def test_budgets_per_stack(stack: Evaluation):
    registered = budgets(stack)
    assert set(registered) == set(EXPECTED[stack.stack])
    for name, (unit, limit, kind, severity) in EXPECTED[stack.stack].items():
        inputs = registered[name]
        assert summary(inputs) == (unit, limit, {kind}, [80.0, 100.0]), name
        assert inputs["budgetType"] == "COST"
        assert inputs["limitUnit"] == "USD"
        assert inputs["name"] == f"platform-{stack.stack}-cost-{name}"
        assert "region" not in inputs  # Budgets are global
        for note in inputs["notifications"]:
            assert note["comparisonOperator"] == "GREATER_THAN"
            assert note["thresholdType"] == "PERCENTAGE"
            assert note["subscriberSnsTopicArns"] == [alert_topic_output(stack, severity)], name
            assert note["subscriberEmailAddresses"] == [EMAIL]
    assert stack.outputs["cost_budget_names"] == [f"platform-{stack.stack}-cost-{n}" for n in EXPECTED[stack.stack]]


def test_feature_budget_filters_on_the_feature_tag(production: Evaluation, staging: Evaluation):
    assert budgets(production)["functions-feature"]["costFilters"] == [
        {"name": "TagKeyValue", "values": ["user:feature$functions"]}
    ]
    assert all("costFilters" not in b for n, b in budgets(production).items() if n != "functions-feature")
    assert all("costFilters" not in b for b in budgets(staging).values())


def only_resource_of_type(evaluation: Evaluation, type_: str) -> RecordedResource:
    [resource] = evaluation.of_type(type_)
    return resource


def threshold(usd: str, percent: str) -> dict[str, Any]:
    def at_least(key: str, value: str) -> dict[str, Any]:
        return {"dimension": {"key": key, "matchOptions": ["GREATER_THAN_OR_EQUAL"], "values": [value]}}

    return {
        "ands": [at_least("ANOMALY_TOTAL_IMPACT_ABSOLUTE", usd), at_least("ANOMALY_TOTAL_IMPACT_PERCENTAGE", percent)]
    }


def test_anomaly_monitor_by_service(stack: Evaluation):
    monitor = only_resource_of_type(stack, MONITOR).plain_inputs
    assert (monitor["monitorType"], monitor["monitorDimension"]) == ("DIMENSIONAL", "SERVICE")
    assert "region" not in monitor


def test_staging_anomalies_are_a_daily_email_digest(staging: Evaluation):
    monitor = only_resource_of_type(staging, MONITOR)
    inputs = only_resource_of_type(staging, SUBSCRIPTION).plain_inputs
    assert inputs["frequency"] == "DAILY"
    assert inputs["subscribers"] == [{"type": "EMAIL", "address": EMAIL}]
    assert inputs["thresholdExpression"] == threshold("50", "20")
    assert inputs["monitorArnLists"] == [monitor.outputs["arn"]]


def test_production_anomalies_go_to_sns_immediately(production: Evaluation):
    subscription = only_resource_of_type(production, SUBSCRIPTION)
    inputs = subscription.plain_inputs
    assert inputs["frequency"] == "IMMEDIATE"
    assert inputs["subscribers"] == [{"type": "SNS", "address": alert_topic_output(production, "high")}]
    assert inputs["thresholdExpression"] == threshold("100", "20")
    # Created only after the topic policies that let costalerts.amazonaws.com publish.
    policies = [r.urn for r in production.of_type("aws:sns/topicPolicy:TopicPolicy")]
    assert policies
    assert set(policies) <= set(subscription.depends_on)


def test_tag_activation_is_opt_in(stack: Evaluation):
    assert stack.of_type(TAG_ACTIVATION) == []


COMPONENT_PROGRAM = """
from components.cost import CostControls
from components.settings.cost import CostSettings

HIGH = "arn:aws:sns:us-east-1:123456789012:alerts-high"
budgets = [
    {"name": "to-high", "time_unit": "MONTHLY", "limit_usd": 12.5, "notification_type": "ACTUAL", "severity": "high"},
    {"name": "to-critical", "time_unit": "DAILY", "limit_usd": 5, "notification_type": "ACTUAL", "severity": "critical"},
]
anomaly = {"frequency": "IMMEDIATE", "severity": "critical"}
CostControls(
    "emails",
    CostSettings.model_validate(
        {"budgets": budgets, "email_subscribers": ["a@example.com"], "anomaly": anomaly, "activate_tag_keys": True}
    ),
    topic_arns={"high": HIGH},
)
CostControls("nobody", CostSettings.model_validate({"budgets": budgets[1:], "anomaly": anomaly}), topic_arns={})
"""


@pytest.fixture(scope="module")
def partial_topics(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    """The component on its own, given only the `high` topic (real stacks have all four)."""
    program = write_program(tmp_path_factory.mktemp("cost-component"), COMPONENT_PROGRAM)
    shutil.copytree(REPO / "components", program / "components", ignore=shutil.ignore_patterns("__pycache__"))
    return evaluate(program, "test")


def test_missing_topic_still_emails(partial_topics: Evaluation):
    to_high = partial_topics.named("emails-to-high").plain_inputs
    assert to_high["limitAmount"] == "12.5"
    assert {tuple(n["subscriberSnsTopicArns"]) for n in to_high["notifications"]} == {
        ("arn:aws:sns:us-east-1:123456789012:alerts-high",)
    }
    to_critical = partial_topics.named("emails-to-critical").plain_inputs
    assert [n.get("subscriberSnsTopicArns") for n in to_critical["notifications"]] == [None, None]
    assert [n["subscriberEmailAddresses"] for n in to_critical["notifications"]] == [["a@example.com"]] * 2
    # IMMEDIATE needs SNS; without the topic the alerts fall back to the daily email digest.
    subscription = partial_topics.named("emails-anomalies").plain_inputs
    assert subscription["frequency"] == "DAILY"
    assert subscription["subscribers"] == [{"type": "EMAIL", "address": "a@example.com"}]


def test_nobody_to_notify_creates_no_empty_notifications(partial_topics: Evaluation):
    assert "notifications" not in partial_topics.named("nobody-to-critical").plain_inputs
    names = {r.name for r in partial_topics.resources}
    assert "nobody-anomalies" not in names
    assert "nobody-services" not in names


def test_tag_key_activation(partial_topics: Evaluation):
    activations = partial_topics.of_type(TAG_ACTIVATION)
    assert sorted(r.plain_inputs["tagKey"] for r in activations) == sorted(COST_TAG_KEYS)
    assert {r.plain_inputs["status"] for r in activations} == {"Active"}
