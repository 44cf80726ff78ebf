"""`ops rollback` for real: two updates from two commits, then state and code rollbacks through the real CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ops.offline import SECRET_SIG_KEY
from tests.engine.harness import Engine, copy_program, resources_of
from tests.engine.stacks import set_all_secrets, tiny_repository
from tests.support.git import commit_all, git
from tests.support.repository import REPO

pytestmark = pytest.mark.engine


def normalised(value: Any) -> Any:
    """Inputs with secret ciphertext (new nonces on every encryption) replaced by a marker."""
    if isinstance(value, dict):
        if SECRET_SIG_KEY in value:
            return "[secret]"
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def inputs_by_urn(engine: Engine, program: Path, stack: str) -> dict[str, Any]:
    return {r["urn"]: normalised(r.get("inputs")) for r in resources_of(engine.export(program, stack))}


def rollback(engine: Engine, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**engine.env, "PULUMI_ROLLBACK_BACKUP_DIR": str(engine.root / "backups")}
    return subprocess.run(
        [sys.executable, "-m", "ops", "rollback", "--cwd", str(repo), "--yes", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_state_and_code_rollback_restore_the_first_update(engine: Engine, tmp_path: Path) -> None:
    repo = copy_program(tmp_path / "repo", with_policy_pack=True)  # the rollback previews with the pack
    git(repo, "init", "--quiet", "--initial-branch", "main")
    engine.init_stack(repo, "staging")
    set_all_secrets(engine, repo, "staging")
    first = commit_all(repo, "first")
    assert engine.run_program("up", repo, "staging", message="first").returncode == 0
    first_inputs = inputs_by_urn(engine, repo, "staging")

    stack_file = repo / "Pulumi.staging.yaml"
    stack_file.write_text(stack_file.read_text().replace("limit_usd: 100\n", "limit_usd: 150\n", 1))
    commit_all(repo, "second")
    assert engine.run_program("up", repo, "staging", message="second").returncode == 0
    assert inputs_by_urn(engine, repo, "staging") != first_inputs

    state = rollback(engine, repo, "--stack", "staging", "--state-only", "--to", first[:12])

    assert state.returncode == 0, state.stdout + state.stderr
    assert inputs_by_urn(engine, repo, "staging") == first_inputs
    backups = list((engine.root / "backups").rglob("*-before-rollback.json"))
    assert backups
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in backups)

    code = rollback(engine, repo, "--stack", "staging", "--to", first[:12])

    assert code.returncode == 0, code.stdout[-3000:] + code.stderr[-3000:]
    assert inputs_by_urn(engine, repo, "staging") == first_inputs
    newest = engine.history(repo, "staging")[0]
    assert newest["kind"] == "update"
    assert newest["result"] == "succeeded"
    assert newest["environment"]["git.head"] == first
    assert newest["environment"]["git.dirty"] == "false"
    assert "rollback to" in newest["message"]


def test_a_running_update_holds_a_lock_that_rollback_refuses(engine: Engine, tmp_path: Path) -> None:
    repo = tiny_repository(engine, tmp_path / "tiny", "dev")
    commit_all(repo, "first")
    assert engine.run_program("up", repo, "dev").returncode == 0
    engine.pulumi("config", "set", "--stack", "dev", "keep_protected", "false", cwd=repo)
    (repo / "__main__.py").write_text((repo / "__main__.py").read_text() + '\naws.s3.Bucket("slow-bucket")\n')
    commit_all(repo, "second")

    slow_env = {**engine.env, "STUB_PROVIDER_CREATE_DELAY": "20"}
    args = [sys.executable, str(REPO / "ops" / "automation.py"), "up", "--cwd", str(repo), "--stack", "dev"]
    running = subprocess.Popen(args, cwd=repo, env=slow_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        locks = engine.state_dir / ".pulumi" / "locks"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(p.is_file() for p in locks.rglob("*.json")):
            time.sleep(0.2)
        assert any(p.is_file() for p in locks.rglob("*.json")), "the update never took its lock"

        refused = rollback(engine, repo, "--stack", "dev", "--state-only")

        assert refused.returncode == 2
        assert "locked" in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        running.wait(timeout=120)
