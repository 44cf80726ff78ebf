"""Helpers of the backup tests: the vault's recorded resources, its settings, and parliament's view of its policies."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from components.settings import StackSettings
from components.settings.backup import BackupSettings
from ops.offline import Evaluation, RecordedResource, evaluate
from tests.helpers import NAMESPACE, copy_program, problems_with_area, settings_with_area
from tests.parliament_check import key_policy_findings, trust_policy_findings

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


def part(evaluation: Evaluation, type_: str, suffix: str) -> RecordedResource:
    """The vault's child of `type_` named `<vault>-<suffix>`."""
    name = f"{vault_name(evaluation)}-{suffix}" if suffix else vault_name(evaluation)
    (match,) = [r for r in evaluation.of_type(type_) if r.name == name]
    return match


def s3(evaluation: Evaluation, kind: str, suffix: str) -> RecordedResource:
    """A standalone S3 resource, e.g. s3(ev, "BucketVersioning", "primary-versioning")."""
    return part(evaluation, f"aws:s3/{kind[0].lower() + kind[1:]}:{kind}", suffix)


def vault_children(evaluation: Evaluation) -> list[RecordedResource]:
    (vault,) = evaluation.of_type(VAULT)
    return [r for r in evaluation.resources if r.parent == vault.urn]


def backup_settings(evaluation: Evaluation) -> BackupSettings:
    document = yaml.safe_load((evaluation.program_dir / f"Pulumi.{evaluation.stack}.yaml").read_text())
    return BackupSettings.model_validate(document["config"][BACKUP])


def doc(resource: RecordedResource, key: str = "policy") -> dict[str, Any]:
    value = resource.plain_inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    (match,) = [s for s in document["Statement"] if s.get("Sid") == sid]
    return match


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------------------------------
# parliament (see tests/parliament_check.py for how key and trust policies are shown to it)


def findings_of_key_policy(key: RecordedResource) -> list[str]:
    return key_policy_findings(doc(key), key.plain_outputs["arn"])


def findings_of_trust_policy(role: RecordedResource) -> list[str]:
    return trust_policy_findings(doc(role, "assumeRolePolicy"), role.plain_outputs["arn"])


# ---------------------------------------------------------------------------------------------------
# settings and throwaway programs


def settings_with(stack: str, edit: Callable[[dict[str, Any]], None]) -> StackSettings:
    """Parse the stack's settings with `edit` applied to its `backup` mapping (no program run)."""
    return settings_with_area(stack, "backup", edit)


def problems_with(stack: str, edit: Callable[[dict[str, Any]], None]) -> list[str]:
    return problems_with_area(stack, "backup", edit)


def evaluate_vault(tmp_path: Path, body: str) -> Evaluation:
    """Run a throwaway program that builds only a BackupVault (with the real components package)."""
    program = copy_program(tmp_path / "vault")
    (program / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": {"aws:region": "us-east-1"}}))
    source = """
        import pulumi
        from components.backup import BackupVault
        from components.settings.backup import BackupSettings
    """
    (program / "__main__.py").write_text(textwrap.dedent(source) + textwrap.dedent(body))
    return evaluate(program, "test")
