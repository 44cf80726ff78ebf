"""Who a plan's notifications reach: the delivery matrix, derived from the recorded resources alone.

For each SNS topic: the people-facing endpoints subscribed to it (email addresses, Slack channels through
AWS Chatbot, HTTPS endpoints such as PagerDuty) and whether each can actually deliver. For each alarm,
budget notification and anomaly subscription: the endpoints it reaches. Works for any program's plan.

A secret endpoint is never shown: a PagerDuty URL is reduced to its host, and an offline plan's
placeholder to the config key it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rich.text import Text

from .offline import Evaluation, RecordedResource

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
SLACK_CHANNEL = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
ALARM_TYPES = ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")
BUDGET = "aws:budgets/budget:Budget"
ANOMALY_SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"

PAGERDUTY_HOSTS = ("events.pagerduty.com", "events.eu.pagerduty.com")
# Slack incoming webhooks reject SNS's confirmation request and envelope: nothing ever arrives.
SLACK_WEBHOOK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")
_PLACEHOLDER = re.compile(r"\[secret placeholder: ([^\]]+)\]")


@dataclass(frozen=True, order=True)
class Endpoint:
    """A people-facing destination. `delivers` is False when nothing can ever arrive there."""

    kind: str  # email, slack, pagerduty, https, sms, or the SNS protocol
    target: str
    delivers: bool


@dataclass(frozen=True)
class Notification:
    """Something that notifies: an alarm, one budget notification, an anomaly subscription."""

    source: str  # `<type> <name>[ notification N]`
    urn: str
    endpoints: tuple[Endpoint, ...]

    @property
    def delivered(self) -> bool:
        return any(e.delivers for e in self.endpoints)


def _https_endpoint(endpoint: Any, auto_confirms: bool) -> Endpoint:
    text = str(endpoint)
    placeholder = _PLACEHOLDER.fullmatch(text)
    if placeholder:
        # Offline: the value is the operator's secret; the deployed program checks its shape.
        return Endpoint("https", f"secret {placeholder.group(1)}", auto_confirms)
    host = (urlsplit(text).hostname or "").lower()
    if host in SLACK_WEBHOOK_HOSTS:
        return Endpoint("slack-webhook", host, False)
    if host in PAGERDUTY_HOSTS:
        return Endpoint("pagerduty", host, auto_confirms)
    # Without auto-confirmation an HTTPS subscription waits until someone opens its SubscribeURL.
    return Endpoint("https", host or "(not a URL)", auto_confirms)


def _subscription_endpoint(subscription: RecordedResource) -> Endpoint:
    inputs = subscription.plain_inputs
    protocol = str(inputs.get("protocol", ""))
    endpoint = inputs.get("endpoint", "")
    if protocol in ("email", "email-json"):
        return Endpoint("email", str(endpoint), True)
    if protocol == "sms":
        return Endpoint("sms", str(endpoint), True)
    if protocol in ("https", "http"):
        return _https_endpoint(endpoint, bool(inputs.get("endpointAutoConfirms")))
    # sqs, lambda, firehose, application: machines, not people; a forwarder is not proof of delivery.
    return Endpoint(protocol or "unknown", subscription.name, False)


def _slack_endpoint(channel: RecordedResource) -> Endpoint:
    inputs = channel.plain_inputs
    target = (
        f"{inputs.get('configurationName', channel.name)} ({inputs.get('slackTeamId')}/{inputs.get('slackChannelId')})"
    )
    return Endpoint("slack", target, True)


def topic_endpoints(evaluation: Evaluation) -> dict[str, list[Endpoint]]:
    """Topic ARN -> its endpoints (sorted), for every topic of the plan (empty list: nobody)."""
    found: dict[str, list[Endpoint]] = {}
    names: dict[str, str] = {}
    for topic in evaluation.of_type(TOPIC):
        arn = str(topic.plain_outputs.get("arn", topic.id))
        found[arn] = []
        names[arn] = str(topic.plain_outputs.get("name", topic.name))
    for subscription in evaluation.of_type(SUBSCRIPTION):
        arn = str(subscription.plain_inputs.get("topic", ""))
        found.setdefault(arn, []).append(_subscription_endpoint(subscription))
    for channel in evaluation.of_type(SLACK_CHANNEL):
        for arn in channel.plain_inputs.get("snsTopicArns") or []:
            found.setdefault(str(arn), []).append(_slack_endpoint(channel))
    return {arn: sorted(set(endpoints)) for arn, endpoints in found.items()}


def topic_names(evaluation: Evaluation) -> dict[str, str]:
    return {
        str(t.plain_outputs.get("arn", t.id)): str(t.plain_outputs.get("name", t.name))
        for t in evaluation.of_type(TOPIC)
    }


def _via_topics(arns: Iterable[Any], endpoints: Mapping[str, list[Endpoint]]) -> list[Endpoint]:
    return [e for arn in arns for e in endpoints.get(str(arn), [])]


def notifications(evaluation: Evaluation) -> list[Notification]:
    """Every alarm, budget notification and anomaly subscription of the plan, with the endpoints it reaches."""
    endpoints = topic_endpoints(evaluation)
    found: list[Notification] = []
    for resource in evaluation.resources:
        inputs = resource.plain_inputs
        if resource.type in ALARM_TYPES:
            reached = _via_topics(inputs.get("alarmActions") or [], endpoints)
            found.append(Notification(f"alarm {resource.name}", resource.urn, tuple(sorted(set(reached)))))
        elif resource.type == BUDGET:
            for index, notification in enumerate(inputs.get("notifications") or []):
                reached = _via_topics(notification.get("subscriberSnsTopicArns") or [], endpoints)
                reached += [Endpoint("email", str(a), True) for a in notification.get("subscriberEmailAddresses") or []]
                source = f"budget {resource.name} notification {index}"
                found.append(Notification(source, resource.urn, tuple(sorted(set(reached)))))
        elif resource.type == ANOMALY_SUBSCRIPTION:
            reached = []
            for subscriber in inputs.get("subscribers") or []:
                if subscriber.get("type") == "SNS":
                    reached += _via_topics([subscriber.get("address")], endpoints)
                elif subscriber.get("type") == "EMAIL":
                    reached.append(Endpoint("email", str(subscriber.get("address")), True))
            found.append(
                Notification(f"anomaly subscription {resource.name}", resource.urn, tuple(sorted(set(reached))))
            )
    return found


def delivery_matrix(evaluation: Evaluation) -> dict[str, dict[str, list[str]]]:
    """Topic name -> endpoint kind -> targets, for the endpoints that can deliver (the people-facing view)."""
    names = topic_names(evaluation)
    matrix: dict[str, dict[str, list[str]]] = {}
    for arn, endpoints in topic_endpoints(evaluation).items():
        row: dict[str, list[str]] = {}
        for endpoint in endpoints:
            if endpoint.delivers:
                row.setdefault(endpoint.kind, []).append(endpoint.target)
        matrix[names.get(arn, arn)] = row
    return dict(sorted(matrix.items()))


def print_delivery(console: Any, evaluation: Evaluation) -> None:
    """The `ops plan` section: who receives each topic, and every notification that reaches nobody."""
    matrix = delivery_matrix(evaluation)
    if not matrix:
        return
    console.print()
    console.print(Text.assemble(("Delivery", "bold"), " (who receives each topic's notifications)"))
    for topic, row in matrix.items():
        shown = "; ".join(f"{kind}: {', '.join(targets)}" for kind, targets in sorted(row.items())) or "nobody"
        # Names and addresses come from settings: printed as text, never read as rich markup.
        console.print(Text(f"  {topic}: {shown}"))
    lost = [n for n in notifications(evaluation) if not n.delivered]
    for notification in lost:
        console.print(Text.assemble("  ", ("reaches nobody", "red"), f": {notification.source}"))
