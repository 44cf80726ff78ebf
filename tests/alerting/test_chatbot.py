"""Slack through AWS Chatbot: one configuration per channel, a notification-only role and guardrail."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from components.alerting.chatbot import ALARM_READ_ACTIONS, CHART_ACTIONS, CHATBOT_SERVICE
from components.settings.alerting import SlackSettings
from ops.offline import ACCOUNT_ID
from tests.alerting.support import alerting_settings, created_by_alerting, validation_problems
from tests.support.parliament import parliament_findings, role_trust_findings
from tests.support.policy_documents import policy_document
from tests.support.programs import evaluate_with
from tests.support.resources import alert_topic_arns

CHANNEL = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"


def test_one_configuration_per_channel_subscribed_to_its_severities(stack, custom_alerting):
    for evaluation in (stack, custom_alerting):
        settings = alerting_settings(evaluation).slack
        topics = alert_topic_arns(evaluation)
        configurations = {
            c.plain_inputs["configurationName"]: c.plain_inputs for c in created_by_alerting(evaluation, CHANNEL)
        }
        assert set(configurations) == {f"{evaluation.stack}-{c.name}" for c in settings.channels}
        for channel in settings.channels:
            inputs = configurations[f"{evaluation.stack}-{channel.name}"]
            assert inputs["slackTeamId"] == settings.workspace_id
            assert inputs["slackChannelId"] == channel.channel_id
            assert inputs["snsTopicArns"] == [topics[s] for s in channel.severities]
            assert inputs["region"] == settings.api_region
            assert inputs["userAuthorizationRequired"] is False


def test_production_splits_incidents_from_the_full_feed(production):
    channels = {c.plain_inputs["slackChannelId"]: c.plain_inputs for c in created_by_alerting(production, CHANNEL)}
    topics = alert_topic_arns(production)
    assert channels["C01INCIDENT"]["snsTopicArns"] == [topics["critical"], topics["high"]]
    assert len(channels["C01PLATALRT"]["snsTopicArns"]) == 4


def _chatbot_iam(evaluation: Any) -> tuple[Any, Any, Any]:
    (role,) = [r for r in created_by_alerting(evaluation, ROLE) if r.name.endswith("-chatbot")]
    (inline,) = [r for r in created_by_alerting(evaluation, ROLE_POLICY) if r.name.endswith("-chatbot-notifications")]
    (guardrail,) = [r for r in created_by_alerting(evaluation, POLICY) if r.name.endswith("-chatbot-guardrail")]
    return role, inline, guardrail


def test_every_configuration_uses_the_role_and_the_guardrail_never_the_admin_default(stack):
    role, _, guardrail = _chatbot_iam(stack)
    for configuration in created_by_alerting(stack, CHANNEL):
        inputs = configuration.plain_inputs
        assert inputs["iamRoleArn"] == role.plain_outputs["arn"]
        # Without a guardrail Chatbot applies AdministratorAccess to the channel.
        assert inputs["guardrailPolicyArns"] == [guardrail.plain_outputs["arn"]]


def test_only_chatbot_may_assume_the_role_and_parliament_finds_nothing(stack):
    role, _, _ = _chatbot_iam(stack)
    trust = policy_document(role, "assumeRolePolicy")
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": CHATBOT_SERVICE}
    assert statement["Action"] == "sts:AssumeRole"
    assert role_trust_findings(role) == []


def test_role_and_guardrail_allow_only_reading_alarms_and_drawing_charts(stack):
    _, inline, guardrail = _chatbot_iam(stack)
    for resource in (inline, guardrail):
        document = policy_document(resource)
        assert parliament_findings(resource.plain_inputs["policy"]) == []
        statements = {s["Sid"]: s for s in document["Statement"]}
        assert all(s["Effect"] == "Allow" for s in statements.values())
        assert statements["ReadAlarms"]["Action"] == list(ALARM_READ_ACTIONS)
        assert statements["ReadAlarms"]["Resource"] == f"arn:aws:cloudwatch:*:{ACCOUNT_ID}:alarm:*"
        assert statements["DrawAlarmCharts"]["Action"] == list(CHART_ACTIONS)
        actions = [a for s in statements.values() for a in s["Action"]]
        assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in actions), actions


def test_a_stack_without_channels_creates_no_chatbot_resources(tmp_path):
    def edit(config: dict[str, Any]) -> None:
        config["functions-platform:alerting"]["slack"] = {}

    evaluation = evaluate_with(tmp_path, "staging", edit)
    assert created_by_alerting(evaluation, CHANNEL) == []
    assert [r for r in created_by_alerting(evaluation, ROLE) if "chatbot" in r.name] == []


slack_problems = partial(validation_problems, SlackSettings, "slack")


CHANNEL_OK = {"name": "alerts", "channel_id": "C0123456789", "severities": ["critical"]}


@pytest.mark.parametrize("workspace", ["T0123ABCD", "T0123ABCDEFGH"])
def test_workspace_ids_as_slack_shows_them_load(workspace):
    assert SlackSettings(workspace_id=workspace).workspace_id == workspace


@pytest.mark.parametrize("workspace", ["C0123ABCD", "t0123abcd", "T0123", "T0123ABCD\n", "https://x.slack.com", ""])
def test_wrong_workspace_ids_are_rejected(workspace):
    (problem,) = slack_problems({"workspace_id": workspace})
    assert problem.startswith("workspace_id: ")
    # A newline is refused by the shared rule on invisible characters before the id's own shape is checked.
    assert "is not a Slack workspace id" in problem or "control or invisible characters" in problem


@pytest.mark.parametrize("channel_id", ["D0123ABCD", "c0123abcd", "#alerts", "C01 23ABCD", "C0123ABCD\n"])
def test_wrong_channel_ids_are_rejected_at_their_path(channel_id):
    (problem,) = slack_problems({"workspace_id": "T0123ABCD", "channels": [{**CHANNEL_OK, "channel_id": channel_id}]})
    assert problem.startswith("channels[0].channel_id: ")
    # A newline is refused by the shared rule on invisible characters before the id's own shape is checked.
    assert "is not a Slack channel id" in problem or "control or invisible characters" in problem


def test_channel_rules():
    assert slack_problems({"channels": [CHANNEL_OK]}) == ["workspace_id: is required when channels are listed"]
    twice = [CHANNEL_OK, {**CHANNEL_OK, "channel_id": "C0987654321"}]
    assert slack_problems({"workspace_id": "T0123ABCD", "channels": twice}) == [
        "channels: each channel name may appear once; repeated: alerts"
    ]
    same_id = [CHANNEL_OK, {**CHANNEL_OK, "name": "other"}]
    assert slack_problems({"workspace_id": "T0123ABCD", "channels": same_id}) == [
        "channels: each channel channel_id may appear once; repeated: C0123456789"
    ]
    none = {**CHANNEL_OK, "severities": []}
    assert slack_problems({"workspace_id": "T0123ABCD", "channels": [none]})[0].startswith("channels[0].severities:")
    repeated = {**CHANNEL_OK, "severities": ["low", "low"]}
    assert slack_problems({"workspace_id": "T0123ABCD", "channels": [repeated]}) == [
        "channels[0].severities: lists a severity more than once: low"
    ]
    bad_name = {**CHANNEL_OK, "name": "#alerts"}
    assert slack_problems({"workspace_id": "T0123ABCD", "channels": [bad_name]})[0].startswith("channels[0].name:")
    assert slack_problems({"api_region": "us-east-1"}) == [
        "api_region: the Chatbot API is only in us-east-2, us-west-2, eu-west-1, ap-southeast-1"
    ]
    assert slack_problems({"webhook_url": "https://hooks.slack.com/services/x"})[0].startswith("webhook_url: unknown")
