"""`python -m ops plan`: the evaluator contract of docs/cli.md (JSON keys, exit codes, any program directory)."""

from __future__ import annotations

import json
import subprocess

import pytest

from ops.offline import ProgramError, evaluate
from ops.plan import EXIT_OK, EXIT_UNEVALUABLE, plan_document
from tests.support.ops_cli import run_ops
from tests.support.programs import write_program
from tests.support.repository import REPO

RESOURCE_KEYS = {"urn", "type", "name", "parent", "provider", "protect", "retain_on_delete", "depends_on", "inputs"}
VIOLATION_KEYS = {"policy", "enforcement", "severity", "urn", "message"}


def run_plan(*args: str, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    return run_ops("plan", *args, env={"PYTHONHASHSEED": hash_seed})


@pytest.mark.parametrize("stack_name", ["staging", "production"])
def test_plan_json_follows_the_contract(stack_name: str) -> None:
    result = run_plan("--stack", stack_name, "--json")
    assert result.returncode == EXIT_OK, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"stack", "resources", "outputs", "violations"}
    assert document["stack"] == stack_name
    assert document["resources"], "the real program registers resources"
    for resource in document["resources"]:
        assert set(resource) == RESOURCE_KEYS
    for violation in document["violations"]:
        assert set(violation) == VIOLATION_KEYS
        assert violation["enforcement"] != "mandatory", violation


def test_plan_is_the_same_in_every_process() -> None:
    """Resource order, ids and dependencies do not depend on hash seeds or thread timing: plans diff cleanly."""
    first = run_plan("--stack", "production", "--json", hash_seed="1")
    second = run_plan("--stack", "production", "--json", hash_seed="2")
    assert first.returncode == second.returncode == EXIT_OK
    assert first.stdout == second.stdout


def test_human_plan_shows_tree_counts_outputs_and_policies() -> None:
    result = run_plan("--stack", "staging")
    assert result.returncode == EXIT_OK, result.stderr
    for heading in ("functions-platform-staging (pulumi:pulumi:Stack)", "resources in", "Outputs", "Policies"):
        assert heading in result.stdout


def test_a_broken_program_exits_2_with_the_reason(tmp_path) -> None:
    program = write_program(tmp_path, "import pulumi\nraise ValueError('boom')\n")
    result = run_plan("--stack", "test", "--program", str(program))
    assert result.returncode == EXIT_UNEVALUABLE
    assert "ValueError: boom" in result.stderr
    assert "__main__.py:2" in result.stderr


def test_bad_settings_exit_2_without_a_traceback(tmp_path) -> None:
    program = write_program(tmp_path, "import pulumi\n")
    (program / "__main__.py").write_text((REPO / "__main__.py").read_text())
    (program / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    (program / "components").symlink_to(REPO / "components")
    stack_file = (REPO / "Pulumi.staging.yaml").read_text()
    (program / "Pulumi.test.yaml").write_text(stack_file.replace("environment: staging", "environment: qa"))
    result = run_plan("--stack", "test", "--program", str(program))
    assert result.returncode == EXIT_UNEVALUABLE
    assert "Pulumi.test.yaml: functions-platform:environment: must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_stack_file_exits_2(tmp_path) -> None:
    program = write_program(tmp_path, "import pulumi\n")
    result = run_plan("--stack", "nope", "--program", str(program))
    assert result.returncode == EXIT_UNEVALUABLE
    assert "Pulumi.nope.yaml" in result.stderr


def test_any_program_directory_is_evaluated(tmp_path) -> None:
    program = write_program(
        tmp_path,
        """
        import pulumi
        import pulumi_aws as aws

        config = pulumi.Config()
        bucket = aws.s3.Bucket("data", bucket=config.require("bucketName"))
        pulumi.export("bucket", bucket.bucket)
        pulumi.export("token", config.require_secret("token"))
        """,
        config={"fixture:bucketName": "my-data", "fixture:token": {"secure": "v1:bm9uY2Vub25jZQ==:c2VhbGVk"}},
    )
    evaluation = evaluate(program, "test")
    bucket = evaluation.named("data")
    assert bucket.type == "aws:s3/bucket:Bucket"
    assert bucket.inputs["bucket"] == "my-data"
    assert evaluation.outputs["bucket"] == "my-data"
    assert evaluation.secret_outputs == {"token"}
    document = plan_document(evaluation, [])
    assert document["outputs"]["token"] == "[secret]"
    assert "[secret placeholder" not in json.dumps(document)


def test_unset_declared_secret_gets_a_placeholder_that_stays_secret(tmp_path) -> None:
    program = write_program(
        tmp_path,
        """
        import pulumi
        pulumi.export("token", pulumi.Config().require_secret("apiToken"))
        """,
    )
    (program / "Pulumi.yaml").write_text(
        "name: fixture\nruntime: python\nconfig:\n  apiToken:\n    type: string\n    secret: true\n"
    )
    evaluation = evaluate(program, "test")
    assert evaluation.outputs["token"] == "[secret placeholder: fixture:apiToken]"
    assert "token" in evaluation.secret_outputs


def test_invokes_get_realistic_answers(tmp_path) -> None:
    program = write_program(
        tmp_path,
        """
        import pulumi
        import pulumi_aws as aws

        identity = aws.get_caller_identity()
        region = aws.get_region()
        partition = aws.get_partition()
        doc = aws.iam.get_policy_document(statements=[{
            "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"],
            "principals": [{"type": "Service", "identifiers": ["s3.amazonaws.com"]}],
            "conditions": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": [identity.account_id]}],
        }])
        pulumi.export("account", identity.account_id)
        pulumi.export("region", region.region)
        pulumi.export("partition", partition.partition)
        pulumi.export("policy", doc.json)
        """,
        config={"aws:region": "eu-west-1"},
    )
    evaluation = evaluate(program, "test")
    assert evaluation.outputs["account"] == "123456789012"
    assert evaluation.outputs["region"] == "eu-west-1"
    assert evaluation.outputs["partition"] == "aws"
    statement = json.loads(evaluation.outputs["policy"])["Statement"][0]
    assert statement == {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }


def test_options_are_recorded(tmp_path) -> None:
    program = write_program(
        tmp_path,
        """
        import pulumi
        import pulumi_aws as aws

        class Box(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("fixture:box:Box", name)
                key = aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions(parent=self, protect=True,
                                                                               retain_on_delete=True))
                aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self, depends_on=[key]))
                self.register_outputs({})

        Box("box")
        """,
    )
    evaluation = evaluate(program, "test")
    box, key, bucket = evaluation.named("box"), evaluation.named("box-key"), evaluation.named("box-bucket")
    assert not box.custom
    assert key.custom
    assert key.parent == box.urn
    assert bucket.parent == box.urn
    assert key.protect
    assert key.retain_on_delete
    assert not bucket.protect
    assert not bucket.retain_on_delete
    assert key.urn in bucket.depends_on


def test_evaluating_a_broken_program_raises_program_error(tmp_path) -> None:
    program = write_program(tmp_path, "import pulumi\nimport does_not_exist\n")
    with pytest.raises(ProgramError) as caught:
        evaluate(program, "test")
    assert not caught.value.settings
    assert "ModuleNotFoundError" in caught.value.message
