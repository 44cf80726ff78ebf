"""Every policy document of the vault passes parliament with zero findings; production keeps its backups."""

from __future__ import annotations

import json

import pytest

from ops.offline import Evaluation
from tests.backup.support import BUCKET, BUCKET_POLICY, KEY, ROLE, ROLE_POLICY, SUFFIXES, vault_children, vault_resource
from tests.support.parliament import key_findings, key_policy_findings, parliament_findings, role_trust_findings
from tests.support.policy_documents import policy_document


def test_every_policy_document_is_checked(stack):
    children = vault_children(stack)
    counts = {t: len([r for r in children if r.type == t]) for t in (BUCKET_POLICY, KEY, ROLE, ROLE_POLICY)}
    # 4 bucket policies, 2 keys, replication + writer + reader roles, each with one inline policy.
    assert counts == {BUCKET_POLICY: 4, KEY: 2, ROLE: 3, ROLE_POLICY: 3}


def test_bucket_and_role_policies_pass_parliament(stack):
    for resource in vault_children(stack):
        if resource.type in (BUCKET_POLICY, ROLE_POLICY):
            assert parliament_findings(json.dumps(policy_document(resource))) == [], resource.name


def test_key_policies_pass_parliament(stack):
    for resource in vault_children(stack):
        if resource.type == KEY:
            assert key_findings(resource) == [], resource.name


def test_trust_policies_pass_parliament(stack):
    for resource in vault_children(stack):
        if resource.type == ROLE:
            assert role_trust_findings(resource) == [], resource.name


def test_parliament_check_catches_a_bad_document(stack):
    # The checks can fail: a misspelt action is reported in an IAM policy and in a key policy.
    policy = policy_document(vault_resource(stack, ROLE_POLICY, "lodgetix-app-writer"))
    policy["Statement"][0]["Action"] = ["s3:PutObjekt"]
    assert parliament_findings(json.dumps(policy))
    key = vault_resource(stack, KEY, "primary-key")
    broken = policy_document(key)
    broken["Statement"][1]["Action"] = ["kms:Decrpyt"]
    assert key_policy_findings(broken, key.plain_outputs["arn"])


def _protection(evaluation: Evaluation, type_: str, suffix: str) -> tuple[bool, bool]:
    """(protect, retain_on_delete) of one vault resource."""
    resource = vault_resource(evaluation, type_, suffix)
    return resource.protect, resource.retain_on_delete


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_production_buckets_are_protected_and_retained(production, staging, suffix):
    assert _protection(production, BUCKET, suffix) == (True, True)
    assert _protection(staging, BUCKET, suffix) == (False, False)


def test_production_keys_are_protected_and_retained(production, staging):
    for suffix in ("primary-key", "replica-key"):
        assert _protection(production, KEY, suffix) == (True, True)
        assert _protection(staging, KEY, suffix) == (False, False)
