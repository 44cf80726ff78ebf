"""The real stacks: no mandatory violation, only the advisories policies/README.md lists as reviewed, and the
evidence the rules rely on is actually there (a renamed bucket or a missing tag must not silently take a
bucket out of a rule's scope)."""

from __future__ import annotations

import re

from pulumi_policy import PolicyResource

from ops.offline import Evaluation
from ops.policy_check import load_policies, run_policies
from policies.buckets import BUCKET_TYPES, BucketIndex
from policies.common import is_production_stack
from tests.policies.support import policy_resource
from tests.support.repository import REPO


def reviewed_advisories() -> set[tuple[str, str, str]]:
    """(stack, rule, resource) rows of the README's "Reviewed advisories" table."""
    text = (REPO / "policies" / "README.md").read_text()
    section = text.split("## Reviewed advisories", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| `([^`]+)` \|", section, re.M)
    return {(stack, rule, resource) for stack, rule, resource in rows}


def test_no_mandatory_violations(stack: Evaluation) -> None:
    mandatory = [v for v in run_policies(stack, load_policies()) if v.enforcement == "mandatory"]
    assert mandatory == []


def test_every_advisory_is_a_reviewed_one(stack: Evaluation) -> None:
    advisories = {
        (stack.stack, v.policy, v.urn.rsplit("::", 1)[-1])
        for v in run_policies(stack, load_policies())
        if v.enforcement == "advisory"
    }
    assert advisories <= reviewed_advisories()


def _resources(stack: Evaluation) -> list[PolicyResource]:
    return [policy_resource(r.type, r.plain_outputs, name=r.name, urn=r.urn) for r in stack.resources]


def test_backup_and_log_buckets_are_recognised(stack: Evaluation) -> None:
    index = BucketIndex(_resources(stack), {})
    roles = sorted((index.is_backup_bucket(b), index.is_log_bucket(b)) for b in index.buckets)
    assert len(index.buckets) == len([r for r in stack.resources if r.type in BUCKET_TYPES])
    assert roles == [(False, True), (False, True), (True, False), (True, False)]
    assert index.unattached == []


def test_production_is_recognised_by_the_environment_setting(stack: Evaluation) -> None:
    # Declared stack names play no part here: the `environment` tag the program applies decides.
    assert is_production_stack(_resources(stack), {"productionStacks": []}) == (stack.stack == "production")
