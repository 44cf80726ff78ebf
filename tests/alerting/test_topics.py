"""Severity topics: one customer-managed key (rotated) and policies that admit only the alert services."""

from __future__ import annotations

import json

from components.alerting import PUBLISHING_SERVICES
from components.settings.base import SEVERITIES
from ops.offline import ACCOUNT_ID
from tests.alerting.support import KEY, TOPIC, TOPIC_POLICY, created_by_alerting
from tests.support.parliament import parliament_findings
from tests.support.policy_documents import policy_document
from tests.support.resources import alert_topic_arns


def test_one_topic_per_severity_encrypted_with_the_one_rotated_key(stack):
    (key,) = created_by_alerting(stack, KEY)
    assert key.plain_inputs["enableKeyRotation"] is True
    topics = created_by_alerting(stack, TOPIC)
    assert sorted(t.plain_inputs["name"] for t in topics) == sorted(f"{stack.stack}-alerts-{s}" for s in SEVERITIES)
    for topic in topics:
        assert topic.plain_inputs["kmsMasterKeyId"] == key.plain_outputs["arn"]
    assert set(stack.outputs["alert_topic_arns"]) == set(SEVERITIES)


def test_key_policy_lets_only_the_alert_services_use_data_keys(stack):
    (key,) = created_by_alerting(stack, KEY)
    policy = policy_document(key)
    statements = {s["Sid"]: s for s in policy["Statement"]}
    services = statements["AlertServicesEncryptTopicMessages"]
    assert sorted(services["Principal"]["Service"]) == sorted(PUBLISHING_SERVICES)
    # Subscribers get plaintext from SNS: Chatbot, email and PagerDuty need no key access.
    assert "chatbot.amazonaws.com" not in json.dumps(policy)
    assert set(services["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert services["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    admin = statements["AccountAdministersTheKey"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert "kms:*" not in actions
        assert "*" not in actions
        assert statement["Resource"] != "*"


def test_topic_policies_admit_the_alert_services_of_this_account_over_tls_only(stack):
    topics = alert_topic_arns(stack)
    policies = created_by_alerting(stack, TOPIC_POLICY)
    assert sorted(p.plain_inputs["arn"] for p in policies) == sorted(topics.values())
    for resource in policies:
        arn = resource.plain_inputs["arn"]
        statements = {s["Sid"]: s for s in policy_document(resource)["Statement"]}
        allow = statements["AlertServicesPublish"]
        assert allow["Effect"] == "Allow"
        assert sorted(allow["Principal"]["Service"]) == sorted(PUBLISHING_SERVICES)
        assert allow["Action"] == "SNS:Publish"
        assert allow["Resource"] == arn
        assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
        deny = statements["DenyPublishWithoutTls"]
        assert deny["Effect"] == "Deny"
        assert deny["Principal"] == "*"
        assert deny["Resource"] == arn
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert set(statements) == {"AlertServicesPublish", "DenyPublishWithoutTls"}


def test_key_and_topic_policies_have_no_parliament_findings(stack):
    documents = [
        r.plain_inputs["policy"] for r in created_by_alerting(stack, KEY) + created_by_alerting(stack, TOPIC_POLICY)
    ]
    assert len(documents) == 1 + len(SEVERITIES)
    for document in documents:
        assert parliament_findings(document) == []


def test_parliament_check_reports_bad_key_policies():
    # The zero-findings bar above means something only if the helper does report bad documents.
    def document(action: str, resource: str) -> str:
        statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action, "Resource": resource}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    assert any(f.startswith("UNKNOWN_ACTION") for f in parliament_findings(document("kms:Bogus", "*")))
    assert any(f.startswith("RESOURCE_STAR") for f in parliament_findings(document("kms:Decrypt", "*")))
    assert any(
        f.startswith("RESOURCE_MISMATCH")
        for f in parliament_findings(document("kms:*", "arn:aws:kms:*:123456789012:key/*"))
    )
