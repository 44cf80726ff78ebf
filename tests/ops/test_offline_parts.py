"""The parts of the offline evaluator (ops/offline/) on their own: run config, policy documents, secrets, URNs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ops.offline import SECRET_SIG, SECRET_SIG_KEY, Evaluation, ProgramError, RecordedResource, evaluate
from ops.offline.policy_documents import policy_document_json
from ops.offline.run_config import read_run_config
from ops.offline.secrets import secret_strings
from tests.support.programs import write_program


def test_known_secrets_join_the_config_under_the_projects_namespace(tmp_path: Path) -> None:
    program = write_program(tmp_path, "import pulumi\n", config={"fixture:colour": "blue"})
    run = read_run_config(program, "test", {"token": "t0k3n", "aws:secret": "s"})
    assert run.project.name == "fixture"
    assert run.stack == "test"
    assert run.config == {"fixture:colour": "blue", "fixture:token": "t0k3n", "aws:secret": "s"}
    assert {"fixture:token", "aws:secret"} <= set(run.secret_keys)


def test_a_program_without_its_main_is_refused(tmp_path: Path) -> None:
    program = write_program(tmp_path, "")
    (program / "__main__.py").unlink()
    with pytest.raises(ProgramError, match=r"no __main__\.py to run"):
        read_run_config(program, "test")


def test_policy_documents_render_as_the_provider_does() -> None:
    document = json.loads(
        policy_document_json(
            {
                "policyId": "key-policy",
                "statements": [
                    {
                        "sid": "Root",
                        "actions": ["kms:*"],
                        "resources": ["*"],
                        "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]}],
                        "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
                    },
                    {"effect": "Deny", "notActions": ["s3:Get*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
                ],
            }
        )
    )
    assert document == {
        "Version": "2012-10-17",
        "Id": "key-policy",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Action": "kms:*",
                "Resource": "*",
                "Principal": {"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]},
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {"Effect": "Deny", "NotAction": "s3:Get*", "Principal": "*"},
        ],
    }


def _secret(value: object) -> dict[str, object]:
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def test_secret_strings_are_every_secret_text_and_its_json_escape_longest_first(tmp_path: Path) -> None:
    resource = RecordedResource(
        "urn", "t", "n", True, "", "", False, False, [], {"plain": "visible", "a": _secret({"b": ['say "hi"', 7]})}
    )
    resource.outputs = {"token": _secret("tok"), "count": 3}
    evaluation = Evaluation("p", "s", tmp_path, [resource], {"url": "https://x", "open": "no"}, {"url"}, {})
    assert secret_strings(evaluation) == ['say \\"hi\\"', "https://x", 'say "hi"', "tok", "7"]


def test_urns_carry_the_whole_parent_type_chain_and_a_duplicate_is_refused(tmp_path: Path) -> None:
    nested = """
        import pulumi

        class Outer(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("test:index:Outer", name)
                Inner(f"{name}-inner", pulumi.ResourceOptions(parent=self))

        class Inner(pulumi.ComponentResource):
            def __init__(self, name, opts):
                super().__init__("test:index:Inner", name, None, opts)

        Outer("outer")
    """
    urns = {r.name: r.urn for r in evaluate(write_program(tmp_path / "ok", nested), "test").resources}
    assert urns == {
        "outer": "urn:pulumi:test::fixture::test:index:Outer::outer",
        "outer-inner": "urn:pulumi:test::fixture::test:index:Outer$test:index:Inner::outer-inner",
    }
    with pytest.raises(ProgramError, match="Duplicate resource URN 'urn:pulumi:test::fixture::test:index:Outer::outer"):
        evaluate(write_program(tmp_path / "twice", textwrap.dedent(nested) + 'Outer("outer")\n'), "test")
