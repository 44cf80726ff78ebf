"""SNS rules: topics encrypted with a customer key, reachable only by us, publishing only over TLS, and
subscriptions that can actually deliver.

Topic policies are read from `Topic.policy` and `TopicPolicy`, joined to the topic by ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from .common import Judge, identifiers, known, of_type, resource_rule, stack_rule
from .statements import (
    ACCOUNTS_SCHEMA,
    PolicyDocumentError,
    accounts_from,
    parse_statements,
    report_exposures,
)

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
SNS_ACTIONS = (
    "sns:Publish",
    "sns:Subscribe",
    "sns:Receive",
    "sns:SetTopicAttributes",
    "sns:DeleteTopic",
    "sns:AddPermission",
    "sns:RemovePermission",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
)
# Slack incoming webhooks reject the SubscriptionConfirmation POST, so the subscription never confirms.
SLACK_WEBHOOK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")


def _encryption(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    key = args.props.get("kmsMasterKeyId")
    if not isinstance(key, str) or not key:
        report("topic is not encrypted at rest (kmsMasterKeyId)", None)
    elif "alias/aws/" in key:
        report(
            f"topic uses the AWS-managed key {key}; CloudWatch, Budgets and Cost Anomaly Detection cannot publish", None
        )


def _documents(args: StackValidationArgs) -> list[tuple[PolicyResource, str, PolicyResource | None]]:
    """(carrier, policy prop, topic) for every topic policy; the document is read when judged."""
    topics = {i: t for t in of_type(args.resources, TOPIC) for i in identifiers(t, "arn", "id")}
    found: list[tuple[PolicyResource, str, PolicyResource | None]] = [
        (t, "policy", t) for t in of_type(args.resources, TOPIC)
    ]
    for policy in of_type(args.resources, TOPIC_POLICY):
        found.append((policy, "policy", topics.get(str(known(policy.props, "arn")))))
    return found


def _no_public(args: StackValidationArgs, config: Mapping[str, Any], judge: Judge) -> None:
    documents = _documents(args)
    if not documents:
        args.not_applicable("the stack has no SNS topic policies")
    accounts = accounts_from(args.resources, config)
    for carrier, prop, _ in documents:

        def check(carrier: PolicyResource = carrier, prop: str = prop) -> None:
            report_exposures(
                judge.report, carrier.urn, carrier.props.get(prop), SNS_ACTIONS, label="topic policy", accounts=accounts
            )

        judge(carrier, carrier.name, check)


def _tls_publish(args: StackValidationArgs, _config: Mapping[str, Any], judge: Judge) -> None:
    topics = of_type(args.resources, TOPIC)
    if not topics:
        args.not_applicable("the stack has no SNS topics")
    documents = _documents(args)
    pending = any(c.resource_type == TOPIC_POLICY and known(c.props, "arn") is None for c, _, _ in documents)
    for topic in topics:

        def check(topic: PolicyResource = topic) -> None:
            mine = [c.props.get(p) for c, p, t in documents if t is topic]
            denied = False
            for document in mine:
                try:
                    statements = parse_statements(document)
                except PolicyDocumentError:
                    continue
                denied = denied or any(s.denies_without_tls() and s.grants_action("sns:Publish") for s in statements)
            if not denied and pending:
                # A topic policy whose topic is not known yet (preview) may be this topic's.
                judge.unknown.append((topic.urn, topic.name, "no known policy denies sns:Publish without TLS yet"))
            elif not denied:
                judge.report(f"topic {topic.name}: no policy statement denies sns:Publish without TLS", topic.urn)

        judge(topic, topic.name, check)


def _slack_webhook(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    protocol = str(args.props.get("protocol") or "").lower()
    if protocol not in ("http", "https"):
        return
    host = (urlsplit(str(args.props.get("endpoint") or "")).hostname or "").lower()
    if host in SLACK_WEBHOOK_HOSTS or host.endswith(tuple(f".{h}" for h in SLACK_WEBHOOK_HOSTS)):
        # The endpoint is a secret: name the host only.
        report(
            f"{protocol} subscription to a Slack incoming webhook ({host}) never confirms: alerts are silently "
            "lost; deliver to Slack through AWS Chatbot",
            None,
        )


def _plain_http(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
    if str(args.props.get("protocol") or "").lower() == "http":
        report("subscription delivers over plain http: alert content and the endpoint's token travel unencrypted", None)


ENCRYPTION = resource_rule(
    "sns-topic-kms-encryption",
    "Ensure SNS topics are encrypted with a customer-managed KMS key.",
    (TOPIC,),
    _encryption,
    severity=Severity.MEDIUM,
    remediation="Set kms_master_key_id to a customer-managed aws.kms.Key whose policy lets the publishing "
    "services (cloudwatch, budgets, costalerts) use it.",
)
NO_PUBLIC = stack_rule(
    "sns-topic-no-public-access",
    "Ensure no SNS topic policy lets any principal or another account act on the topic, after the conditions "
    "that really narrow who can call.",
    _no_public,
    severity=Severity.HIGH,
    remediation="Grant sns:Publish to service principals with aws:SourceAccount / aws:SourceArn conditions; never to "
    "'*' without them.",
    schema=ACCOUNTS_SCHEMA,
)
TLS_PUBLISH = stack_rule(
    "sns-topic-tls-publish",
    "Ensure every SNS topic policy denies sns:Publish over plain HTTP (aws:SecureTransport false).",
    _tls_publish,
    severity=Severity.MEDIUM,
    remediation="Add a Deny for Principal '*', Action 'sns:Publish', Condition Bool aws:SecureTransport 'false' to "
    "the topic's aws.sns.TopicPolicy.",
)
SLACK_WEBHOOK = resource_rule(
    "sns-subscription-no-slack-webhook",
    "Ensure no SNS subscription posts to a Slack incoming webhook: Slack rejects the subscription confirmation, "
    "so alerts are silently lost.",
    (SUBSCRIPTION,),
    _slack_webhook,
    severity=Severity.HIGH,
    remediation="Deliver to Slack through AWS Chatbot (aws.chatbot.SlackChannelConfiguration subscribed to the topic).",
)
PLAIN_HTTP = resource_rule(
    "sns-subscription-https-only",
    "Ensure SNS subscriptions to web endpoints use https, not http.",
    (SUBSCRIPTION,),
    _plain_http,
    severity=Severity.MEDIUM,
    remediation="Use protocol 'https' with an https:// endpoint.",
)

POLICIES = [ENCRYPTION, NO_PUBLIC, TLS_PUBLISH, SLACK_WEBHOOK, PLAIN_HTTP]
