"""How the pack behaves beyond one rule's fixtures: unknown values (preview) become advisories naming the rule
and the resource, a rule that meets an unexpected value reports it instead of stopping the run, and config
tunes levels, scopes and thresholds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from ops.offline import Evaluation, evaluate
from ops.policy_check import Violation, load_policies, run_policies
from policies.catalog import ALL_POLICIES
from policies.common import Judge, integer_option, resource_rule, stack_rule, string_list_option
from policies.statements import Accounts, accounts_from
from tests.policies.support import NO_OPTIONS, policy_resource
from tests.support.ops_cli import run_ops

PROGRAMS = Path(__file__).parent / "programs"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def unknown() -> Evaluation:
    return evaluate(PROGRAMS / "unknown", "production")


def test_unknown_values_become_advisories_naming_rule_and_resource(unknown: Evaluation) -> None:
    deferred = [v for v in run_policies(unknown, load_policies()) if "can't run policy" in v.message]
    found = {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in deferred}
    assert found == {
        ("s3-backup-object-lock", "acme-production-backups-us-east-1"),
        ("kms-key-rotation", "pending"),
        ("sns-topic-no-public-access", "alerts-policy-2"),
        ("sns-topic-tls-publish", "alerts"),
    }
    assert {v.enforcement for v in deferred} == {"advisory"}
    for v in deferred:
        assert v.policy in v.message
        assert v.urn.rsplit("::", 1)[-1] in v.message


def test_an_unknown_value_defers_only_its_own_resource(unknown: Evaluation) -> None:
    """The replica's lock is known: the object-lock rule still judges it (and finds it compliant), while the
    primary's unknown retention is deferred rather than silencing the rule."""
    violations = run_policies(unknown, [p for p in ALL_POLICIES if p.name == "s3-backup-object-lock"])
    assert [v.urn.rsplit("::", 1)[-1] for v in violations] == ["acme-production-backups-us-east-1"]


def _preview_of(evaluation: Evaluation, unknown_props: dict[str, str]) -> Evaluation:
    """The evaluation as a first preview sees it: `unknown_props` (resource name -> prop) not known yet."""
    import dataclasses

    from components.shared.pulumi_internals import Unknown

    resources = []
    for r in evaluation.resources:
        prop = unknown_props.get(r.name)
        resources.append(
            dataclasses.replace(r, inputs={**r.inputs, prop: Unknown()}, outputs={**r.outputs, prop: Unknown()})
            if prop
            else r
        )
    return dataclasses.replace(evaluation, resources=resources)


def test_a_configuration_whose_bucket_is_not_known_yet_defers_missing_settings() -> None:
    """In a first preview `bucket=b.id` is unknown: "no versioning" cannot be concluded, only deferred."""
    evaluation = _preview_of(_fixture("s3-bucket-versioning", "pass"), {"data-versioning": "bucket"})
    violations = run_policies(evaluation, [p for p in ALL_POLICIES if p.name == "s3-bucket-versioning"])
    assert {v.enforcement for v in violations} == {"advisory"}
    assert {v.urn.rsplit("::", 1)[-1] for v in violations} == {"data-versioning", "data"}


def test_a_topic_policy_whose_topic_is_not_known_yet_defers_the_tls_finding() -> None:
    evaluation = _preview_of(_fixture("sns-topic-tls-publish", "pass"), {"alerts-policy": "arn"})
    violations = run_policies(evaluation, [p for p in ALL_POLICIES if p.name == "sns-topic-tls-publish"])
    assert [(v.enforcement, v.urn.rsplit("::", 1)[-1]) for v in violations] == [("advisory", "alerts")]


def test_the_json_plan_shows_unknowns_as_such() -> None:
    result = run_ops("plan", "--program", str(PROGRAMS / "unknown"), "--stack", "production", "--json", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "pulumi.output.Unknown" not in result.stdout
    plan = json.loads(result.stdout)
    lock = next(r for r in plan["resources"] if r["name"] == "acme-production-backups-us-east-1-lock")
    assert lock["inputs"]["rule"]["defaultRetention"]["days"] == "[unknown]"


def _run_stack(policy: StackValidationPolicy, resources: list[PolicyResource]) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    policy.validate(StackValidationArgs(resources, {}), lambda message, urn=None: found.append((message, urn)))
    return found


def test_a_crash_on_one_resource_is_a_violation_on_it_and_the_others_are_still_judged() -> None:
    def check(args: StackValidationArgs, _config: Mapping[str, Any], judge: Judge) -> None:
        for r in args.resources:

            def judge_one(r: PolicyResource = r) -> None:
                if r.name != "fine":
                    raise ZeroDivisionError  # stands for any bug a value of the wrong type triggers
                judge.report("judged", r.urn)

            judge(r, r.name, judge_one)

    policy = stack_rule("s3-test-crash", "Ensure a crash is reported.", check, severity=Severity.LOW, remediation="x")
    found = _run_stack(policy, [policy_resource("t", {}, name="broken"), policy_resource("t", {}, name="fine")])
    assert [urn.rsplit("::", 1)[-1] if urn else "" for _, urn in found] == ["broken", "fine"]
    message = found[0][0]
    assert "ZeroDivisionError" in message
    assert "could not evaluate" in message
    assert "test_rules.py" not in message  # "where" names the pack's own code, not the caller's


def test_a_resource_rule_crash_is_reported_on_the_resource() -> None:
    def check(args: ResourceValidationArgs, _config: Mapping[str, Any], report: ReportViolation) -> None:
        int(args.props["days"])  # a secret-looking value must not reach the message

    policy = resource_rule("s3-test-crash", "Ensure.", None, check, severity=Severity.LOW, remediation="x")
    found: list[str] = []
    args = ResourceValidationArgs("t", {"days": "hunter2"}, "urn:x", "r", NO_OPTIONS, None, {})
    policy.validate(args, lambda message, urn=None: found.append(message))
    assert len(found) == 1
    assert "ValueError" in found[0]
    assert "hunter2" not in found[0]


def test_rule_builders_declare_level_severity_remediation_and_config_options() -> None:
    options = {"names": string_list_option(["a"], "Names."), "days": integer_option(7, "Days.", minimum=1, maximum=30)}
    plain = stack_rule("s3-test-plain", "Ensure.", lambda *_: None, severity=Severity.LOW, remediation="fix it")
    tuned = resource_rule(
        "s3-test-tuned",
        "Ensure.",
        None,
        lambda *_: None,
        severity=Severity.HIGH,
        remediation="fix",
        level=EnforcementLevel.ADVISORY,
        schema=options,
    )
    assert (plain.enforcement_level, plain.severity, plain.remediation_steps) == (
        EnforcementLevel.MANDATORY,
        Severity.LOW,
        "fix it",
    )
    assert plain.config_schema is None
    assert (tuned.enforcement_level, tuned.severity) == (EnforcementLevel.ADVISORY, Severity.HIGH)
    assert tuned.config_schema is not None
    assert tuned.config_schema.properties == {
        "names": {"type": "array", "items": {"type": "string"}, "default": ["a"], "description": "Names."},
        "days": {"type": "integer", "minimum": 1, "maximum": 30, "default": 7, "description": "Days."},
    }
    assert integer_option(4, "Scopes.", minimum=0) == {
        "type": "integer",
        "minimum": 0,
        "default": 4,
        "description": "Scopes.",
    }


def test_accounts_come_from_the_resources_and_the_config() -> None:
    role = policy_resource("aws:iam/role:Role", {"arn": "arn:aws:iam::111111111111:role/app"})
    config = {"accountIds": ["222222222222"], "organizationIds": ["o-abc"], "trustedAccounts": ["333333333333"]}
    assert accounts_from([role], config) == Accounts(
        own={"111111111111", "222222222222"}, orgs={"o-abc"}, trusted={"333333333333"}
    )
    assert accounts_from([], {}) == Accounts(own=set(), orgs=set(), trusted=set())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
RESOURCE_TYPES = sorted(
    {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:kms/key:Key",
        "aws:kms/grant:Grant",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "cloudflare:index/ruleset:Ruleset",
        "cloudflare:index/zoneSetting:ZoneSetting",
        "github:index/repositoryFile:RepositoryFile",
    }
)
INPUT_KEYS = [
    "bucket",
    "policy",
    "rules",
    "rule",
    "assumeRolePolicy",
    "zoneId",
    "phase",
    "content",
    "file",
    "arn",
    "tags",
]
RESOURCE_SPECS = st.lists(
    st.tuples(st.sampled_from(RESOURCE_TYPES), st.dictionaries(st.sampled_from(INPUT_KEYS), JSON_VALUES, max_size=5)),
    max_size=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RESOURCE_SPECS)
def test_no_rule_stops_on_values_of_unexpected_types(specs: list[tuple[str, dict[str, Any]]]) -> None:
    resources = [
        policy_resource(type_, {**props, "bucket": props.get("bucket", "b")}, name=f"r{i}")
        for i, (type_, props) in enumerate(specs)
    ]
    for policy in ALL_POLICIES:
        if isinstance(policy, StackValidationPolicy):
            try:
                _run_stack(policy, resources)
            except Exception as exc:
                assert type(exc).__name__ == "_NotApplicableError", f"{policy.name}: {exc!r}"


def _fixture(rule: str, case: str) -> Evaluation:
    import yaml

    folder = FIXTURES / rule / case
    return evaluate(folder, yaml.safe_load((folder / "expected.yaml").read_text())["stack"])


def test_production_stacks_are_configurable() -> None:
    staging = _fixture("s3-backup-replication", "pass-staging-is-not-production")
    replication = [p for p in ALL_POLICIES if p.name == "s3-backup-replication"]
    assert run_policies(staging, replication) == []
    found = run_policies(staging, replication, {"s3-backup-replication": {"productionStacks": ["staging"]}})
    assert {v.urn.rsplit("::", 1)[-1] for v in found} == {"acme-staging-backups"}


def test_enforcement_levels_and_thresholds_come_from_config() -> None:
    evaluation = _fixture("s3-bucket-versioning", "fail-missing")
    violations: list[Violation] = run_policies(evaluation, load_policies(), {"s3-bucket-versioning": "disabled"})
    assert not [v for v in violations if v.policy == "s3-bucket-versioning"]
    tags = run_policies(evaluation, load_policies(), {"tags-cost-allocation": {"enforcementLevel": "mandatory"}})
    assert {v.enforcement for v in tags if v.policy == "tags-cost-allocation"} == {"mandatory"}
    logs = _fixture("s3-bucket-kms-encryption", "pass")
    strict = run_policies(logs, load_policies(), {"s3-bucket-kms-encryption": {"logBucketAlgorithms": ["aws:kms"]}})
    assert {v.urn.rsplit("::", 1)[-1] for v in strict if v.policy == "s3-bucket-kms-encryption"} == {
        "acme-production-access-logs-sse"
    }
