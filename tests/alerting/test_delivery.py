"""The delivery matrix is derived from the plan and equals the settings; every notification reaches a person."""

from __future__ import annotations

import pytest
import yaml

from components.settings.alerting import AlertingSettings
from components.settings.base import SEVERITIES
from ops.delivery import Endpoint, delivery_matrix, notifications, topic_endpoints
from ops.offline import evaluate
from tests.alerting.support import alerting_settings
from tests.support.ops_cli import run_ops
from tests.support.programs import write_program
from tests.support.repository import REPO
from tests.support.stack_files import NAMESPACE


def expected_matrix(evaluation) -> dict[str, dict[str, list[str]]]:
    """What the settings say each severity's topic delivers to, in the matrix's own terms."""
    settings = alerting_settings(evaluation)
    team = settings.slack.workspace_id
    matrix = {}
    for severity in SEVERITIES:
        row = {}
        emails = sorted(e.address for e in settings.emails if severity in e.severities)
        slack = sorted(
            f"{evaluation.stack}-{c.name} ({team}/{c.channel_id})"
            for c in settings.slack.channels
            if severity in c.severities
        )
        if emails:
            row["email"] = emails
        if slack:
            row["slack"] = slack
        if severity in settings.pagerduty_severities:
            row["https"] = [f"secret {NAMESPACE}:pagerduty_webhook_url"]
        matrix[f"{evaluation.stack}-alerts-{severity}"] = row
    return dict(sorted(matrix.items()))


def test_the_matrix_equals_the_settings(stack, custom_alerting):
    for evaluation in (stack, custom_alerting):
        assert delivery_matrix(evaluation) == expected_matrix(evaluation)


def test_the_documented_matrix_is_what_production_and_staging_plan(staging, production):
    assert delivery_matrix(staging)["staging-alerts-critical"] == {
        "email": ["platform-alerts@lodgetix.io"],
        "slack": ["staging-platform-alerts (T01LODGETX/C01STAGEALR)"],
    }
    assert delivery_matrix(staging)["staging-alerts-low"] == {}
    assert delivery_matrix(production)["production-alerts-low"] == {
        "slack": ["production-platform-alerts (T01LODGETX/C01PLATALRT)"]
    }


def test_every_alarm_budget_and_anomaly_notification_reaches_a_deliverable_endpoint(stack):
    found = notifications(stack)
    kinds = {n.source.split(" ")[0] for n in found}
    assert kinds == {"alarm", "budget", "anomaly"}
    assert len([n for n in found if n.source.startswith("alarm")]) >= 8  # runbook, probes, composite, backup
    lost = [n.source for n in found if not n.delivered]
    assert lost == []


LOST_PROGRAM = """
import pulumi_aws as aws

silent = aws.sns.Topic("silent")
webhook = aws.sns.Topic("webhook")
aws.sns.TopicSubscription("to-slack", topic=webhook.arn, protocol="https",
                          endpoint="https://hooks.slack.com/services/T000/B000/XXXX")
pending = aws.sns.Topic("pending")
aws.sns.TopicSubscription("to-https", topic=pending.arn, protocol="https", endpoint="https://example.org/hook")
queue = aws.sns.Topic("queue")
aws.sns.TopicSubscription("to-sqs", topic=queue.arn, protocol="sqs", endpoint="arn:aws:sqs:us-east-1:1:q")
paged = aws.sns.Topic("paged")
aws.sns.TopicSubscription("to-pd", topic=paged.arn, protocol="https", endpoint_auto_confirms=True,
                          endpoint="https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue")
for topic in (silent, webhook, pending, queue, paged):
    aws.cloudwatch.MetricAlarm(f"alarm-{topic._name}", alarm_actions=[topic.arn], metric_name="M",
                               namespace="N", statistic="Sum", period=60, evaluation_periods=1, threshold=1,
                               comparison_operator="GreaterThanThreshold")
aws.budgets.Budget("emailed", budget_type="COST", limit_amount="1", limit_unit="USD", time_unit="DAILY",
                   notifications=[{"comparison_operator": "GREATER_THAN", "threshold": 1, "threshold_type": "PERCENTAGE",
                                   "notification_type": "ACTUAL", "subscriber_email_addresses": ["a@example.org"]}])
"""


@pytest.fixture(scope="module")
def lost_program(tmp_path_factory: pytest.TempPathFactory):
    return write_program(tmp_path_factory.mktemp("delivery"), LOST_PROGRAM)


def test_endpoints_that_can_never_deliver_are_told_apart(lost_program):
    evaluation = evaluate(lost_program, "test")
    by_name = {r.plain_outputs["name"]: r.plain_outputs["arn"] for r in evaluation.of_type("aws:sns/topic:Topic")}
    endpoints = topic_endpoints(evaluation)
    assert endpoints[by_name["silent"]] == []
    assert endpoints[by_name["webhook"]] == [Endpoint("slack-webhook", "hooks.slack.com", False)]
    assert endpoints[by_name["pending"]] == [Endpoint("https", "example.org", False)]
    assert [e.delivers for e in endpoints[by_name["queue"]]] == [False]
    assert endpoints[by_name["paged"]] == [Endpoint("pagerduty", "events.pagerduty.com", True)]
    delivered = {n.source: n.delivered for n in notifications(evaluation)}
    assert delivered == {
        "alarm alarm-silent": False,
        "alarm alarm-webhook": False,
        "alarm alarm-pending": False,
        "alarm alarm-queue": False,
        "alarm alarm-paged": True,
        "budget emailed notification 0": True,
    }


def test_ops_plan_prints_the_matrix_and_every_notification_that_reaches_nobody(lost_program):
    plan = run_ops("plan", "--stack", "test", "--program", str(lost_program), env={"COLUMNS": "200"})
    assert "Delivery" in plan.stdout, plan.stderr
    assert "  silent: nobody" in plan.stdout
    assert "reaches nobody: alarm alarm-webhook" in plan.stdout
    assert "0123456789abcdef" not in plan.stdout  # the integration key is never shown


def test_ops_plan_prints_the_real_stacks_matrix():
    plan = run_ops("plan", "--stack", "production", env={"COLUMNS": "250"})
    assert plan.returncode == 0, plan.stderr
    line = next(li for li in plan.stdout.splitlines() if li.startswith("  production-alerts-critical:"))
    assert "email: platform-alerts@lodgetix.io" in line
    assert f"https: secret {NAMESPACE}:pagerduty_webhook_url" in line
    assert "slack: production-incidents (T01LODGETX/C01INCIDENT), production-platform-alerts" in line
    assert "reaches nobody" not in plan.stdout


DOC = REPO / "docs" / "alerting.md"


def documented_matrix(stack_name: str) -> dict[str, dict[str, list[str]]]:
    """The docs' table for one stack, in the matrix's terms (Slack by configuration name)."""
    text = DOC.read_text()
    section = text.split(f"**{stack_name}**", 1)[1].split("\n\n", 2)[1]
    matrix = {}
    for line in section.splitlines()[2:]:
        topic, email, slack, pagerduty = (c.strip() for c in line.strip("|").split("|"))
        row = {}
        if email != "—":
            row["email"] = [e.strip() for e in email.split(",")]
        if slack != "—":
            row["slack"] = [s.strip().strip("`") for s in slack.split(",")]
        if pagerduty == "paged":
            row["https"] = [f"secret {NAMESPACE}:pagerduty_webhook_url"]
        matrix[topic.strip("`")] = row
    return dict(sorted(matrix.items()))


def test_the_docs_show_the_planned_matrix(stack):
    planned = {
        topic: {kind: [t.split(" (")[0] for t in targets] for kind, targets in row.items()}
        for topic, row in delivery_matrix(stack).items()
    }
    assert documented_matrix(stack.stack) == planned


def test_the_docs_example_adds_one_alarm_in_three_lines():
    block = DOC.read_text().split("A new name adds an alarm:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    assert len(block.strip().splitlines()) == 3
    settings = AlertingSettings.model_validate(yaml.safe_load(block))
    assert [a.name for a in settings.active_alarms][-1] == "queue-backlog"
    assert len(settings.active_alarms) == len(AlertingSettings().active_alarms) + 1
