"""The alert topics' KMS key policy and topic policy.

CloudWatch, Budgets and Cost Anomaly Detection can only publish to an encrypted topic whose key lets them
generate data keys, so the topics share one customer-managed key (the AWS-managed `alias/aws/sns` key cannot
grant that). Each topic's policy admits exactly those services from this account, and only over TLS.

Subscribers need no key access: SNS decrypts a message before it delivers it to an email address, an
HTTPS endpoint (PagerDuty) or AWS Chatbot, so `chatbot.amazonaws.com` is deliberately not in the key policy.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.shared.kms_actions import KEY_ADMIN_ACTIONS, KEY_USAGE_ACTIONS

# Services that publish alerts to the topics: alarms (including the probes' alarms), budgets, cost anomalies.
PUBLISHING_SERVICES = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com")

# The account administers the key and may let its own principals use it through IAM (topic subscribers
# such as SQS or Lambda need to decrypt); enumerated so the key policy never grants `kms:*`.
ACCOUNT_KEY_ACTIONS = tuple(sorted({*KEY_ADMIN_ACTIONS, *KEY_USAGE_ACTIONS}))
KEY_SERVICE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


def key_policy(
    partition: pulumi.Input[str], region: pulumi.Input[str], account_id: pulumi.Input[str]
) -> dict[str, Any]:
    """Key policy: account administration plus data-key use by the publishing services of this account.

    In a key policy the resource is always the key itself; the account's key ARN pattern says so without
    the bare `*` that linters (rightly) flag everywhere else.
    """
    this_key = pulumi.Output.concat("arn:", partition, ":kms:", region, ":", account_id, ":key/*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")},
                "Action": list(ACCOUNT_KEY_ACTIONS),
                "Resource": this_key,
            },
            {
                "Sid": "AlertServicesEncryptTopicMessages",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHING_SERVICES)},
                "Action": list(KEY_SERVICE_ACTIONS),
                "Resource": this_key,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
        ],
    }


def topic_policy(topic_arn: pulumi.Input[str], account_id: pulumi.Input[str]) -> dict[str, Any]:
    """Topic policy: only the alert services of this account may publish, and never without TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AlertServicesPublish",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHING_SERVICES)},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            {
                "Sid": "DenyPublishWithoutTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
