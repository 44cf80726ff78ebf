"""Programs and stacks the engine tests deploy: the real program with every declared secret set, and a tiny
program with a protected, a retained and a plain bucket."""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml

from tests.engine.harness import Engine, copy_program
from tests.support.git import git
from tests.support.repository import REPO


def declared_secrets() -> list[str]:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    return [key for key, spec in (project.get("config") or {}).items() if isinstance(spec, dict) and spec.get("secret")]


def required_secrets() -> list[str]:
    """Declared secrets with no default: the ones the CLI refuses to run without."""
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    declared = project.get("config") or {}
    return [key for key in declared_secrets() if "default" not in declared[key]]


def secret_value(key: str, marker: str) -> str:
    """A value of the shape the settings expect for `key`, carrying a marker that must never appear in clear."""
    if key in {"pagerduty_integration_url", "pagerduty_webhook_url"}:
        return f"https://events.pagerduty.com/integration/{marker.replace('-', '')[:32]}/enqueue"
    if key.endswith("db_url"):
        return f"postgresql://backup:{marker}@db.example.internal:5432/postgres"
    if key.endswith("_url"):
        return f"https://hooks.example.internal/{marker}"
    return marker


def set_all_secrets(engine: Engine, program: Path, stack: str) -> list[str]:
    markers = []
    for key in declared_secrets():
        marker = f"engine-secret-{uuid.uuid4().hex}"
        engine.set_secret(program, stack, key, secret_value(key, marker))
        markers.append(marker.replace("-", "")[:32] if "pagerduty" in key else marker)
    return markers


def deploy(engine: Engine, tmp_path: Path, stack: str) -> tuple[Path, list[str]]:
    program = copy_program(tmp_path / "program")
    engine.init_stack(program, stack)
    markers = set_all_secrets(engine, program, stack)
    done = engine.run_program("up", program, stack, message=f"engine test up of {stack}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return program, markers


_PROTECTED_AND_RETAINED = """
import pulumi
import pulumi_aws as aws

if pulumi.Config().get_bool("keep_protected") is not False:
    aws.s3.Bucket("protected-bucket", opts=pulumi.ResourceOptions(protect=True))
if pulumi.Config().get_bool("keep_retained") is not False:
    aws.s3.Bucket("retained-bucket", opts=pulumi.ResourceOptions(retain_on_delete=True))
aws.s3.Bucket("plain-bucket")
"""


def tiny_program(path: Path) -> Path:
    path.mkdir()
    (path / "Pulumi.yaml").write_text("name: engine-protect\nruntime: python\n")
    (path / "__main__.py").write_text(_PROTECTED_AND_RETAINED)
    return path


def tiny_repository(engine: Engine, path: Path, stack: str) -> Path:
    """The tiny program as a git repository (branch `main`, nothing committed yet) with `stack` initialised."""
    repo = tiny_program(path)
    (repo / ".gitignore").write_text("__pycache__/\n")
    git(repo, "init", "--quiet", "--initial-branch", "main")
    engine.init_stack(repo, stack)
    return repo
