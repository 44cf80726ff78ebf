"""`pulumi preview` of the real stacks through the real engine, with the policy pack, against stub providers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ops.offline import evaluate
from ops.policy_check import run_policies
from policies.catalog import ALL_POLICIES
from tests.engine.harness import Engine, copy_program, program_resources
from tests.engine.stacks import declared_secrets, required_secrets, set_all_secrets
from tests.support.repository import REPO

pytestmark = pytest.mark.engine

POLICY_PACK = REPO / "policies"


def _engine_plan(events: Path) -> set[tuple[str, str]]:
    steps = [json.loads(line) for line in events.read_text().splitlines()]
    return program_resources([(step["urn"], step["type"]) for step in steps])


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_preview_with_policy_pack_agrees_with_the_offline_plan(engine: Engine, tmp_path: Path, stack: str) -> None:
    program = copy_program(tmp_path / "program")
    engine.init_stack(program, stack)
    set_all_secrets(engine, program, stack)
    events = tmp_path / "events.jsonl"

    done = engine.run_program("preview", program, stack, policy_pack=POLICY_PACK, events=events)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Policies:" in done.stdout or "functions-platform" in done.stdout
    offline = evaluate(program, stack)
    assert _engine_plan(events) == {(r.urn, r.type) for r in offline.resources}
    # A preview creates nothing: the stubs saw no Create outside preview.
    assert not [c for c in engine.stub_calls() if c["method"] == "Create" and not c.get("preview")]


# Known values only: during a preview the engine hands policies unknown outputs as unknown.
_INSECURE_KEY = """
import pulumi_aws as aws

aws.kms.Key("engine-test-unrotated-key", description="engine test", enable_key_rotation=False)
"""


def _preview_with_addition(engine: Engine, tmp_path: Path, addition: str) -> tuple[set[str], str]:
    """Preview the real program with `addition` appended, under the policy pack, which must refuse it.

    Returns the mandatory rules the offline plan finds broken (at least one) and the preview's output."""
    program = copy_program(tmp_path / "program")
    with (program / "__main__.py").open("a", encoding="utf-8") as main:
        main.write(addition)
    violations = run_policies(evaluate(program, "staging"), ALL_POLICIES)
    mandatory = {v.policy for v in violations if v.enforcement == "mandatory"}
    assert mandatory, "the insecure addition must break at least one mandatory rule offline"
    engine.init_stack(program, "staging")
    set_all_secrets(engine, program, "staging")
    done = engine.run_program("preview", program, "staging", policy_pack=POLICY_PACK)
    assert done.returncode != 0
    return mandatory, done.stdout + done.stderr


def test_a_mandatory_violation_fails_the_preview_naming_the_rule(engine: Engine, tmp_path: Path) -> None:
    mandatory, output = _preview_with_addition(engine, tmp_path, _INSECURE_KEY)
    assert "mandatory" in output
    for rule in mandatory:
        assert rule in output
    assert {p.name for p in ALL_POLICIES} >= mandatory


# A public grant on a bucket, written with known values: judged during a real preview by the bucket-policy rule.
_PUBLIC_BUCKET_POLICY = """
import json
import pulumi_aws as aws

aws.s3.Bucket("engine-test-public-bucket", bucket="engine-test-public-bucket")
aws.s3.BucketPolicy(
    "engine-test-public-policy",
    bucket="engine-test-public-bucket",
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::engine-test-public-bucket/*",
        }],
    }),
)
"""


def test_a_public_bucket_policy_fails_a_real_preview(engine: Engine, tmp_path: Path) -> None:
    mandatory, output = _preview_with_addition(engine, tmp_path, _PUBLIC_BUCKET_POLICY)
    for rule in mandatory:
        assert rule in output
    assert "engine-test-public-policy" in output


def test_unset_declared_secrets_fail_with_the_clis_own_message(engine: Engine, tmp_path: Path) -> None:
    program = copy_program(tmp_path / "program")
    engine.init_stack(program, "staging")

    done = engine.run_program("preview", program, "staging")

    assert done.returncode != 0
    output = done.stdout + done.stderr
    # What a new user sees on a first preview (docs: the first-run section quotes it).
    assert re.search(r"Stack 'staging' is missing configuration values? '", output), output[-2000:]
    for key in required_secrets():
        assert f"'{key}'" in output
    # A secret with a default (the PagerDuty URL, needed only where a stack pages) is not demanded by the CLI.
    for key in set(declared_secrets()) - set(required_secrets()):
        assert f"'{key}'" not in output
    assert not [c for c in engine.stub_calls() if c["method"] in {"Create", "Update", "Delete"}]


def test_credentials_of_another_account_stop_the_preview_before_anything_is_touched(
    engine: Engine, tmp_path: Path
) -> None:
    program = copy_program(tmp_path / "program")
    engine.init_stack(program, "staging")
    set_all_secrets(engine, program, "staging")
    engine.env["STUB_AWS_ACCOUNT_ID"] = "999999999999"

    done = engine.run_program("preview", program, "staging")

    assert done.returncode != 0
    assert "AWS account ID not allowed: 999999999999" in done.stdout + done.stderr
    assert not [c for c in engine.stub_calls() if c["method"] in {"Create", "Update", "Delete", "Read"}]
