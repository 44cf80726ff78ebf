"""The real stacks: no mandatory violation, and the conventions the rules rely on are actually met
(a renamed bucket or a missing tag must not silently take a bucket out of a rule's scope)."""

from __future__ import annotations

from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions

from ops.offline import Evaluation
from ops.policy_check import load_policies, run_policies
from policies.s3 import BUCKET_TYPES, is_backup_bucket, is_log_bucket


def test_no_mandatory_violations(stack: Evaluation) -> None:
    mandatory = [v for v in run_policies(stack, load_policies()) if v.enforcement == "mandatory"]
    assert mandatory == []


def _bucket(resource_urn: str, outputs: dict[str, object]) -> PolicyResource:
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return PolicyResource("aws:s3/bucket:Bucket", outputs, resource_urn, "b", opts, None, None, [], {})


def test_backup_and_log_buckets_follow_the_conventions(stack: Evaluation) -> None:
    buckets = [_bucket(r.urn, r.plain_outputs) for r in stack.resources if r.type in BUCKET_TYPES]
    roles = sorted((is_backup_bucket(b, {}), is_log_bucket(b, {})) for b in buckets)
    assert roles == [(False, True), (False, True), (True, False), (True, False)]
