"""Checkov is slow to start (seconds per run): each stack, and the insecure fixture program, is scanned once."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.offline import Evaluation, evaluate
from ops.scan import scan_evaluation
from ops.terraform import exceptions
from ops.terraform.report import ScanResult
from tests.support.programs import write_program
from tests.support.repository import REPO

INSECURE_PROGRAM = """
import json

import pulumi_aws as aws

# Public and unencrypted: no default encryption, the public-access block switched off, a public-read policy.
public = aws.s3.Bucket("public", bucket="fixture-public")
aws.s3.BucketPublicAccessBlock(
    "public-access", bucket=public.id, block_public_acls=False, block_public_policy=False,
    ignore_public_acls=False, restrict_public_buckets=False,
)
aws.s3.BucketPolicy(
    "public-read", bucket=public.id,
    policy=public.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}]})),
)
# Wildcard IAM: every action on every resource.
aws.iam.Policy("admin", policy=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))

# Two well-configured access blocks: one takes its bucket from the bucket resource (a dependency), the other only
# repeats the bucket's name. Only the first is connected to its bucket, in Pulumi as in Terraform.
for name, linked in (("connected", True), ("unconnected", False)):
    bucket = aws.s3.Bucket(name, bucket=f"fixture-{name}")
    aws.s3.BucketPublicAccessBlock(
        f"{name}-access", bucket=bucket.id if linked else f"fixture-{name}", block_public_acls=True,
        block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
    )
"""


def _reviewed() -> list[exceptions.ReviewedException]:
    return exceptions.load(REPO / exceptions.FILE_NAME)


@pytest.fixture(scope="session")
def staging_scan(staging: Evaluation) -> ScanResult:
    return scan_evaluation(staging, _reviewed())


@pytest.fixture(scope="session")
def production_scan(production: Evaluation) -> ScanResult:
    return scan_evaluation(production, _reviewed())


@pytest.fixture(scope="session")
def insecure_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_program(tmp_path_factory.mktemp("insecure"), INSECURE_PROGRAM, {"aws:region": "us-east-1"})


@pytest.fixture(scope="session")
def insecure_scan(insecure_program: Path) -> ScanResult:
    return scan_evaluation(evaluate(insecure_program, "test"), [])
