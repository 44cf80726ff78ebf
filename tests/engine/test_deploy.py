"""`up`, `destroy`, protect and retain through the real engine; the cloud is the stub providers (no deployment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.harness import Engine, resources_of
from tests.engine.stacks import deploy, tiny_program

pytestmark = pytest.mark.engine


def test_up_keeps_every_secret_out_of_state_stack_file_and_history(engine: Engine, tmp_path: Path) -> None:
    program, markers = deploy(engine, tmp_path, "staging")

    stack_file = (program / "Pulumi.staging.yaml").read_text()
    assert "secure:" in stack_file
    history = engine.pulumi("stack", "history", "--stack", "staging", "--json", cwd=program).stdout
    state_files = [p for p in engine.state_dir.rglob("*") if p.is_file()]
    assert state_files
    places = {"stack file": stack_file, "history": history}
    places.update({str(p): p.read_bytes().decode("utf-8", "replace") for p in state_files})
    for marker in markers:
        for where, text in places.items():
            assert marker not in text, f"a secret appears in plain text in {where}"
    created = [c for c in engine.stub_calls() if c["method"] == "Create" and not c.get("preview")]
    assert len(created) > 50


def test_destroy_of_production_refuses_protected_resources_and_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    program, _ = deploy(engine, tmp_path, "production")
    before = resources_of(engine.export(program, "production"))
    protected = [r["urn"] for r in before if r.get("protect")]
    assert protected, "production protects its backup buckets and keys"
    engine.clear_stub_calls()

    done = engine.pulumi("destroy", "--stack", "production", "--yes", cwd=program, check=False)

    assert done.returncode != 0
    assert "protected" in (done.stdout + done.stderr)
    assert not [c for c in engine.stub_calls() if c["method"] == "Delete"]
    after = resources_of(engine.export(program, "production"))
    assert {r["urn"] for r in after} == {r["urn"] for r in before}


def test_removing_protected_fails_and_removing_retained_leaves_it_in_the_cloud(engine: Engine, tmp_path: Path) -> None:
    program = tiny_program(tmp_path / "tiny")
    engine.init_stack(program, "dev")
    assert engine.run_program("up", program, "dev").returncode == 0
    engine.clear_stub_calls()

    engine.pulumi("config", "set", "--stack", "dev", "keep_protected", "false", cwd=program)
    refused = engine.run_program("up", program, "dev")

    assert refused.returncode != 0
    assert "protected" in refused.stdout + refused.stderr
    assert not [c for c in engine.stub_calls() if c["method"] == "Delete"]

    engine.pulumi("config", "set", "--stack", "dev", "keep_protected", "true", cwd=program)
    engine.pulumi("config", "set", "--stack", "dev", "keep_retained", "false", cwd=program)
    removed = engine.run_program("up", program, "dev")

    assert removed.returncode == 0, removed.stdout + removed.stderr
    urns = {r["urn"] for r in resources_of(engine.export(program, "dev"))}
    assert not any(urn.endswith("::retained-bucket") for urn in urns)
    assert not [c for c in engine.stub_calls() if c["method"] == "Delete"]


def test_destroy_deletes_plain_resources_and_only_forgets_retained_ones(engine: Engine, tmp_path: Path) -> None:
    program = tiny_program(tmp_path / "tiny")
    engine.init_stack(program, "dev")
    engine.pulumi("config", "set", "--stack", "dev", "keep_protected", "false", cwd=program)
    assert engine.run_program("up", program, "dev").returncode == 0
    engine.clear_stub_calls()

    engine.pulumi("destroy", "--stack", "dev", "--yes", cwd=program)

    deleted = {c["urn"].rsplit("::", 1)[-1] for c in engine.stub_calls() if c["method"] == "Delete"}
    assert deleted == {"plain-bucket"}
    assert resources_of(engine.export(program, "dev")) == []


_DUPLICATE = """
import pulumi_aws as aws

aws.s3.Bucket("same-name")
aws.s3.Bucket("same-name")
"""


def test_two_resources_with_one_urn_fail_in_the_engine_and_offline(engine: Engine, tmp_path: Path) -> None:
    from ops.offline import ProgramError, evaluate

    program = tmp_path / "dup"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: engine-dup\nruntime: python\n")
    (program / "__main__.py").write_text(_DUPLICATE)
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    engine.init_stack(program, "dev")

    done = engine.run_program("preview", program, "dev")

    assert done.returncode != 0
    assert "Duplicate resource URN" in done.stdout + done.stderr
    with pytest.raises(ProgramError, match="Duplicate resource URN"):
        evaluate(program, "dev")
