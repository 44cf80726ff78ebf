"""Slack through AWS Chatbot: one channel configuration per Slack channel, subscribed to its severities' topics.

Chatbot subscribes itself to the topics (its own HTTPS endpoint, which confirms by itself) and posts each
alarm, budget and anomaly notification in Slack's format. An SNS `https` subscription straight to a Slack
incoming webhook would never work: Slack rejects SNS's confirmation request and every later message.

The channel role only lets Chatbot draw the alarm charts it attaches to a notification. The guardrail
policy caps what anybody in the channel can do through Chatbot at the same read-only actions; without one
Chatbot applies `AdministratorAccess`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from components.settings.alerting import SlackSettings
from components.settings.base import Environment, Severity

CHATBOT_SERVICE = "chatbot.amazonaws.com"
# What a notification needs: the alarm itself and its metric chart. Read-only; alarms of this account only.
ALARM_READ_ACTIONS = ("cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms")
# These two have no resource-level permissions in IAM, so their resource is `*`.
CHART_ACTIONS = ("cloudwatch:GetMetricData", "cloudwatch:GetMetricWidgetImage")


def trust_policy() -> dict[str, Any]:
    """Only AWS Chatbot may assume the channel role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ChatbotAssumesTheChannelRole",
                "Effect": "Allow",
                "Principal": {"Service": CHATBOT_SERVICE},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def notification_policy(partition: pulumi.Input[str], account_id: pulumi.Input[str]) -> dict[str, Any]:
    """Read the account's alarms and draw their charts; nothing else (the channel role and the guardrail)."""
    alarms = pulumi.Output.concat("arn:", partition, ":cloudwatch:*:", account_id, ":alarm:*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadAlarms", "Effect": "Allow", "Action": list(ALARM_READ_ACTIONS), "Resource": alarms},
            {"Sid": "DrawAlarmCharts", "Effect": "Allow", "Action": list(CHART_ACTIONS), "Resource": "*"},
        ],
    }


def configuration_name(environment: Environment, channel: str) -> str:
    """Chatbot configuration names are unique per account: the environment keeps two stacks apart."""
    return f"{environment}-{channel}"


def slack_channels(
    name: str,
    settings: SlackSettings,
    environment: Environment,
    topic_arns: Mapping[Severity, pulumi.Input[str]],
    *,
    partition: pulumi.Input[str],
    account_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> dict[str, aws.chatbot.SlackChannelConfiguration]:
    """The channel role, the guardrail policy and one Chatbot configuration per channel (none without channels)."""
    if not settings.channels:
        return {}
    if settings.workspace_id is None:
        raise ValueError("Slack channels need the workspace id")  # the settings refuse this already
    child = pulumi.ResourceOptions(parent=parent)
    document = pulumi.Output.json_dumps(notification_policy(partition, account_id))
    role = aws.iam.Role(
        f"{name}-chatbot",
        name=f"{name}-chatbot",
        description=f"AWS Chatbot posts the {environment} alerts to Slack (notifications only)",
        assume_role_policy=pulumi.Output.json_dumps(trust_policy()),
        opts=child,
    )
    aws.iam.RolePolicy(f"{name}-chatbot-notifications", role=role.id, policy=document, opts=child)
    guardrail = aws.iam.Policy(
        f"{name}-chatbot-guardrail",
        name=f"{name}-chatbot-guardrail",
        description=f"Caps what anyone in the {environment} alert channels can do through AWS Chatbot",
        policy=document,
        opts=child,
    )
    configurations = {}
    for channel in settings.channels:
        configurations[channel.name] = aws.chatbot.SlackChannelConfiguration(
            f"{name}-slack-{channel.name}",
            configuration_name=configuration_name(environment, channel.name),
            slack_team_id=settings.workspace_id,
            slack_channel_id=channel.channel_id,
            sns_topic_arns=[topic_arns[s] for s in channel.severities],
            iam_role_arn=role.arn,
            guardrail_policy_arns=[guardrail.arn],
            user_authorization_required=False,
            logging_level="ERROR",
            region=settings.api_region,
            opts=child,
        )
    return configurations
