"""json_document: a pure builder's document from resolved inputs, serialised by `Output.json_dumps`."""

from __future__ import annotations

import json

from ops.offline import evaluate
from tests.support.programs import write_program
from tests.support.repository import REPO

PROGRAM = f"""
import sys
sys.path.insert(0, {str(REPO)!r})

import pulumi
import pulumi_aws as aws
from components.shared.json_document import json_document

def policy(*, bucket_arn, prefixes, token):
    # A pure builder: it formats and compares plain strings.
    return {{"Resource": [f"{{bucket_arn}}/{{p}}*" for p in prefixes], "Same": bucket_arn == "arn:aws:s3:::data",
            "Token": token}}

bucket = aws.s3.Bucket("data", bucket="data")
pulumi.export("plain", json_document(policy, bucket_arn=bucket.arn, prefixes=["a/", "b/"], token="t"))
pulumi.export("secret", json_document(policy, bucket_arn=bucket.arn, prefixes=[], token=pulumi.Output.secret("s")))
"""


def test_inputs_are_resolved_before_the_builder_runs_and_secrets_stay_secret(tmp_path) -> None:
    evaluation = evaluate(write_program(tmp_path, PROGRAM), "test")
    plain = evaluation.outputs["plain"]
    expected = {"Resource": ["arn:aws:s3:::data/a/*", "arn:aws:s3:::data/b/*"], "Same": True, "Token": "t"}
    # The same bytes as json.dumps with its defaults: the plans' policy strings depend on it.
    assert plain == json.dumps(expected)
    assert "plain" not in evaluation.secret_outputs
    assert "secret" in evaluation.secret_outputs
