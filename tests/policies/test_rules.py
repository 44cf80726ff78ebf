"""Every rule passes on the secure program and fails, for the expected reason, on the insecure one."""

from __future__ import annotations

import dataclasses

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from ops.offline import Evaluation, is_secret
from ops.policy_check import Violation, load_policies, run_policies
from policies.catalog import ALL_POLICIES

RULE_NAMES = [p.name for p in ALL_POLICIES]

# (rule, resource name the violation is reported on ("" = the stack), fragment of the message)
FAILURES = [
    ("s3-bucket-kms-encryption", "weak", "'AES256', not SSE-KMS"),
    ("s3-bucket-kms-encryption", "managed", "not the AWS-managed aws/s3 key"),
    ("s3-bucket-kms-encryption", "untagged-logs", "'AES256', not SSE-KMS"),
    ("s3-bucket-kms-encryption", "acme-production-backups-us-east-1", "Bucket Key is off"),
    ("s3-bucket-kms-encryption", "acme-production-backups-eu", "no BucketServerSideEncryptionConfiguration"),
    ("s3-bucket-versioning", "weak", "versioning is not Enabled"),
    ("s3-bucket-public-access-block", "weak", "blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets"),
    ("s3-bucket-public-access-block", "managed", "no BucketPublicAccessBlock"),
    ("s3-bucket-tls-only", "weak", "aws:SecureTransport is false"),
    ("s3-bucket-ownership-enforced", "weak", "uses ACLs"),
    ("s3-bucket-ownership-enforced", "managed", "not BucketOwnerEnforced"),
    ("s3-bucket-lifecycle-abort-multipart", "weak", "within 7 days"),
    ("s3-bucket-access-logging", "weak", "server access logging is off"),
    ("s3-bucket-access-logging", "untagged-logs", "server access logging is off"),
    ("s3-backup-replication-rtc", "acme-production-backups-us-east-1", "not replicated"),
    ("s3-backup-replication-rtc", "acme-production-backups-eu", "Replication Time Control"),
    ("s3-backup-object-lock", "acme-production-backups-us-east-1", "not created with objectLockEnabled"),
    ("s3-backup-object-lock", "acme-production-backups-eu", "no Object Lock default retention"),
    ("kms-key-rotation", "key", "without automatic rotation"),
    ("kms-key-no-wildcard-principal", "key", "'Everyone' grants kms:*"),
    ("kms-key-no-wildcard-principal", "key", "'Open' allows any principal"),
    ("sns-topic-kms-encryption", "alerts", "not encrypted at rest"),
    ("sns-topic-kms-encryption", "managed-key", "AWS-managed key alias/aws/sns"),
    ("sns-topic-no-public-access", "alerts", "sns:publish, sns:subscribe"),
    ("sns-topic-tls-publish", "alerts", "denies sns:Publish without TLS"),
    ("cloudwatch-alarm-actions", "silent", "no alarmActions"),
    ("cloudwatch-alarm-actions", "muted", "actions are disabled"),
    ("cost-budget-notification", "monthly", "no notification with a subscriber"),
    ("cost-anomaly-detection", "", "no Cost Explorer anomaly monitor"),
    ("iam-no-wildcard-action", "admin", "wildcard actions ['*']"),
    ("iam-no-wildcard-action", "admin", "AdministratorAccess"),
    ("iam-no-wildcard-resource-write", "admin", "['s3:PutObject'] on every resource"),
    ("iam-github-oidc-trust", "deploy", ":aud with StringEquals"),
    ("iam-github-oidc-trust", "deploy", "found ['repo:acme/*']"),
    ("iam-github-oidc-trust", "pinned-badly", "'repo:acme/app:*' is not an exact"),
    ("edge-waf-block-mode", "*", "runs in monitor mode (overrides ['log'])"),
    ("edge-waf-block-mode", "*", "4814384a9e5d4991b9815dcfc25d2f1f is not deployed"),
    ("edge-rate-limiting", "*", "no enabled http_ratelimit rule"),
    ("edge-csp-header", "*", "sets Content-Security-Policy"),
    ("github-secret-value-field", "secret", "deprecated plaintextValue"),
    ("github-secret-value-field", "empty", "has no value"),
    ("github-production-environment-reviewers", "production", "no required reviewers"),
    ("github-production-environment-reviewers", "production", "preventSelfReview"),
    ("github-workflow-pinned-actions", "deploy", "'actions/checkout@v4' is not pinned"),
    ("github-workflow-pinned-actions", "deploy", "'docker://alpine:3' is not pinned"),
    ("github-workflow-pinned-actions", "broken", "not a readable workflow"),
    ("github-workflow-permissions", "deploy", "declare `permissions`"),
    ("github-workflow-permissions", "deploy", "job test: permissions write-all"),
    ("github-default-branch-protected", "*", "repository app: branch main"),
    (
        "data-safety-backup-protect",
        "acme-production-backups-us-east-1",
        "bucket acme-production-backups-us-east-1 is not",
    ),
    ("data-safety-backup-protect", "key", "KMS key key of production backup bucket"),
    (
        "tags-cost-allocation",
        "weak",
        "missing cost-allocation tags: project, environment, component, owner, cost-center, feature",
    ),
]
PRODUCTION_ONLY = {
    "s3-backup-replication-rtc",
    "s3-backup-object-lock",
    "edge-waf-block-mode",
    "edge-rate-limiting",
    "edge-csp-header",
    "data-safety-backup-protect",
}


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else ""


def _of(violations: list[Violation], rule: str) -> list[Violation]:
    return [v for v in violations if v.policy == rule]


@pytest.fixture(scope="module")
def secure_violations(secure: Evaluation) -> list[Violation]:
    return run_policies(secure, load_policies())


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_rule_passes_on_the_secure_program(rule: str, secure_violations: list[Violation]) -> None:
    assert _of(secure_violations, rule) == []


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_rule_fails_on_the_insecure_program(rule: str, insecure_violations: list[Violation]) -> None:
    found = _of(insecure_violations, rule)
    assert found, f"{rule} found nothing in the insecure program"
    policy = next(p for p in ALL_POLICIES if p.name == rule)
    level = policy.enforcement_level.value if policy.enforcement_level else "advisory"
    assert {v.enforcement for v in found} == {level}


@pytest.mark.parametrize(("rule", "resource", "fragment"), FAILURES)
def test_failure_reason(rule: str, resource: str, fragment: str, insecure_violations: list[Violation]) -> None:
    # "*": a stack rule about a repository reports it on whichever of its resources sorts first.
    found = [v.message for v in _of(insecure_violations, rule) if resource in ("*", _name(v.urn))]
    assert any(fragment in m for m in found), found


def test_every_rule_has_a_failure_reason() -> None:
    assert {rule for rule, _, _ in FAILURES} == set(RULE_NAMES)


def test_rules_see_through_secret_inputs(insecure: Evaluation, insecure_violations: list[Violation]) -> None:
    """The engine hands policies unwrapped secrets; the offline run must too."""
    admin = next(r for r in insecure.of_type("aws:iam/rolePolicy:RolePolicy"))
    assert is_secret(admin.inputs["policy"])
    assert _of(insecure_violations, "iam-no-wildcard-action")
    plaintext = next(r for r in insecure.of_type("github:index/actionsSecret:ActionsSecret"))
    assert is_secret(plaintext.inputs["plaintextValue"])


def test_production_only_rules_do_not_apply_to_staging(insecure_staging: Evaluation) -> None:
    violations = run_policies(insecure_staging, load_policies())
    assert {v.policy for v in violations} == set(RULE_NAMES) - PRODUCTION_ONLY


def test_production_stacks_are_configurable(insecure_staging: Evaluation) -> None:
    config = {name: {"productionStacks": ["staging"]} for name in PRODUCTION_ONLY}
    violations = run_policies(insecure_staging, load_policies(), config)
    assert {v.policy for v in violations} >= PRODUCTION_ONLY


def test_enforcement_levels_and_settings_come_from_config(
    insecure: Evaluation, secure: Evaluation, insecure_violations: list[Violation]
) -> None:
    config = {
        "s3-bucket-versioning": "disabled",
        "tags-cost-allocation": {"enforcementLevel": "mandatory", "requiredKeys": ["owner"]},
        "s3-bucket-lifecycle-abort-multipart": {"maxAbortDays": 30},
    }
    violations = run_policies(insecure, load_policies(), config)
    assert _of(violations, "s3-bucket-versioning") == []
    tags = _of(violations, "tags-cost-allocation")
    assert tags
    assert {v.enforcement for v in tags} == {"mandatory"}
    assert all(v.message == "missing cost-allocation tags: owner" for v in tags)
    lifecycle = {_name(v.urn) for v in _of(violations, "s3-bucket-lifecycle-abort-multipart")}
    assert "weak" not in lifecycle
    assert "weak" in {_name(v.urn) for v in _of(insecure_violations, "s3-bucket-lifecycle-abort-multipart")}
    # Log buckets (named and tagged) may use SSE-S3 by default; a team can require SSE-KMS of them too.
    strict = run_policies(secure, load_policies(), {"s3-bucket-kms-encryption": {"logBucketAlgorithms": ["aws:kms"]}})
    assert {_name(v.urn) for v in strict} == {
        "acme-production-access-logs",
        "acme-production-access-logs-us-west-2",
    }


def _with_unknown(evaluation: Evaluation) -> Evaluation:
    """The evaluation as a preview would see it: one bucket name and one key's rotation flag not yet known."""
    resources = []
    for resource in evaluation.resources:
        changed = resource
        if resource.name == "acme-production-assets":
            changed = dataclasses.replace(resource, outputs={**resource.outputs, "bucket": UNKNOWN_STRING_VALUE})
        if resource.name == "key" and resource.type == "aws:kms/key:Key":
            changed = dataclasses.replace(
                resource, inputs={**resource.inputs, "enableKeyRotation": UNKNOWN_BOOLEAN_VALUE}
            )
        resources.append(changed)
    return dataclasses.replace(evaluation, resources=resources)


def test_unknown_values_become_advisory_diagnostics(secure: Evaluation) -> None:
    violations = run_policies(_with_unknown(secure), load_policies())
    assert violations
    assert {v.enforcement for v in violations} == {"advisory"}
    assert all("can't run policy during preview" in v.message for v in violations)
    assert "kms-key-rotation" in {v.policy for v in violations}
    assert "s3-bucket-versioning" in {v.policy for v in violations}
