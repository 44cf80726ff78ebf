"""SNS rules: topics encrypted with a customer key, never public, and publishing only over TLS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    StackView,
    denies_insecure_transport,
    document,
    identifiers,
    is_wildcard_principal,
    lower_actions,
    statements,
)

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
PUBLIC_ACTIONS = {"sns:publish", "sns:subscribe", "sns:receive", "sns:*", "*"}
# Conditions that pin a wildcard principal to our account, organisation or a specific source resource.
SCOPING_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:principalorgid", "aws:principalaccount")


def _encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != TOPIC:
        return
    key = args.props.get("kmsMasterKeyId")
    if not isinstance(key, str) or not key:
        report("topic is not encrypted at rest (kmsMasterKeyId)", None)
    elif "alias/aws/" in key:
        report(
            f"topic uses the AWS-managed key {key}; CloudWatch, Budgets and Cost Anomaly Detection cannot publish", None
        )


def _scoped(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    return any(
        str(key).lower() in SCOPING_KEYS
        for clauses in condition.values()
        if isinstance(clauses, Mapping)
        for key in clauses
    )


def _no_public(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (TOPIC, TOPIC_POLICY):
        return
    for statement in statements(document(args.props.get("policy"))):
        if statement.get("Effect") != "Allow" or not is_wildcard_principal(statement.get("Principal")):
            continue
        public = sorted(lower_actions(statement) & PUBLIC_ACTIONS)
        if public and not _scoped(statement):
            report(f"topic policy lets any principal {', '.join(public)} without an account or source condition", None)


def _tls_publish(args: StackValidationArgs, report: ReportViolation) -> None:
    view = StackView(args.resources)
    topics = view.of_type(TOPIC)
    if not topics:
        args.not_applicable("the stack has no SNS topics")
    policies = view.by_prop([TOPIC_POLICY], "arn")
    for topic in topics:
        documents = [document(topic.props.get("policy"))]
        for key in identifiers(topic, "arn", "id"):
            documents.extend(document(p.props.get("policy")) for p in policies.get(key, []))
        if not any(denies_insecure_transport(s, ["sns:publish"]) for doc in documents for s in statements(doc)):
            report(f"topic {topic.name}: no policy statement denies sns:Publish without TLS", topic.urn)


ENCRYPTION = ResourceValidationPolicy(
    name="sns-topic-kms-encryption",
    description="Ensure SNS topics are encrypted with a customer-managed KMS key.",
    validate=_encryption,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps="Set kms_master_key_id to a customer-managed aws.kms.Key whose policy lets the publishing "
    "services (cloudwatch, budgets, costalerts) use it.",
)
NO_PUBLIC = ResourceValidationPolicy(
    name="sns-topic-no-public-access",
    description="Ensure no SNS topic policy lets any principal publish, subscribe or receive without a scoping "
    "condition.",
    validate=_no_public,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Grant sns:Publish to service principals with aws:SourceAccount / aws:SourceArn conditions; "
    "never to '*' without them.",
)
TLS_PUBLISH = StackValidationPolicy(
    name="sns-topic-tls-publish",
    description="Ensure every SNS topic policy denies sns:Publish over plain HTTP (aws:SecureTransport false).",
    validate=_tls_publish,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps="Add a Deny statement for Principal '*', Action 'sns:Publish', Condition Bool "
    "aws:SecureTransport 'false' to the topic's aws.sns.TopicPolicy.",
)

POLICIES = [ENCRYPTION, NO_PUBLIC, TLS_PUBLISH]
