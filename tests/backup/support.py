"""Helpers of the backup tests: the vault's recorded resources, its settings, and throwaway vault programs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from components.settings.backup import BackupSettings
from ops.offline import Evaluation, RecordedResource, evaluate
from tests.support.programs import copy_real_program
from tests.support.resources import resource_named, type_token
from tests.support.stack_files import NAMESPACE, evaluated_area

BACKUP = f"{NAMESPACE}:backup"
VAULT = "platform:backup:BackupVault"
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TIERS = ["daily/", "weekly/", "monthly/", "incremental/", "pre-migration/"]
SUFFIXES = ("primary", "replica", "primary-access-logs", "replica-access-logs")


def vault_name(evaluation: Evaluation) -> str:
    (vault,) = evaluation.of_type(VAULT)
    return vault.name


def vault_resource(evaluation: Evaluation, type_: str, suffix: str) -> RecordedResource:
    """The vault's child of `type_` named `<vault>-<suffix>`."""
    return resource_named(evaluation, type_, f"{vault_name(evaluation)}-{suffix}")


def vault_s3_resource(evaluation: Evaluation, kind: str, suffix: str) -> RecordedResource:
    """A standalone S3 resource of the vault, e.g. `vault_s3_resource(ev, "BucketVersioning", "primary-versioning")`."""
    return vault_resource(evaluation, type_token("aws", "s3", kind), suffix)


def vault_arn(evaluation: Evaluation, type_: str, suffix: str) -> str:
    return vault_resource(evaluation, type_, suffix).plain_outputs["arn"]


def vault_children(evaluation: Evaluation) -> list[RecordedResource]:
    (vault,) = evaluation.of_type(VAULT)
    return [r for r in evaluation.resources if r.parent == vault.urn]


def backup_settings(evaluation: Evaluation) -> BackupSettings:
    """The backup settings of the stack file the evaluation ran with."""
    return BackupSettings.model_validate(evaluated_area(evaluation, "backup"))


def evaluate_vault(tmp_path: Path, body: str) -> Evaluation:
    """Run a throwaway program that builds only a BackupVault (with the real components package)."""
    program = copy_real_program(tmp_path / "vault")
    (program / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": {"aws:region": "us-east-1"}}))
    source = """
        import pulumi
        from components.backup import BackupVault
        from components.settings.backup import BackupSettings
    """
    (program / "__main__.py").write_text(textwrap.dedent(source) + textwrap.dedent(body))
    return evaluate(program, "test")
