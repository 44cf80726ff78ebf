"""The history the rollback unit tests select from is what the real CLI prints; this test keeps it so.

`REGENERATE_FIXTURES=1` rewrites tests/ops/data/diy-history.json from a fresh run; otherwise the test fails when
the real output's shape (keys, kinds, results, value types) drifts from the committed copy.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from ops.rollback import parse_history
from tests.engine.harness import Engine
from tests.engine.stacks import tiny_repository
from tests.support.git import commit_all

pytestmark = pytest.mark.engine

FIXTURE = Path(__file__).resolve().parents[1] / "ops" / "data" / "diy-history.json"


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items()) if key not in {"environment", "config"}}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def real_history(engine: Engine, tmp_path: Path) -> list[dict[str, Any]]:
    """Two updates from two commits, a refresh, and a failed update, on a file backend."""
    repo = tiny_repository(engine, tmp_path / "tiny", "staging")
    engine.pulumi("config", "set", "--stack", "staging", "keep_protected", "false", cwd=repo)
    commit_all(repo, "first")
    assert engine.run_program("up", repo, "staging", message="first deploy").returncode == 0
    main = repo / "__main__.py"
    main.write_text(main.read_text() + '\naws.s3.Bucket("second-bucket")\n')
    commit_all(repo, "second")
    assert engine.run_program("up", repo, "staging", message="second deploy").returncode == 0
    engine.pulumi("refresh", "--stack", "staging", "--yes", cwd=repo)
    main.write_text(main.read_text() + '\nraise RuntimeError("broken program")\n')
    commit_all(repo, "third, broken")
    assert engine.run_program("up", repo, "staging", message="broken deploy").returncode != 0
    return engine.history(repo, "staging")


def test_the_committed_history_fixture_has_the_real_clis_shape(engine: Engine, tmp_path: Path) -> None:
    history = real_history(engine, tmp_path)

    assert [(e["kind"], e["result"]) for e in history] == [
        ("update", "failed"),
        ("refresh", "succeeded"),
        ("update", "succeeded"),
        ("update", "succeeded"),
    ]
    # The file backend writes an entry only once an operation ends, and numbers none of them.
    assert all(e.get("version", 0) == 0 for e in history)
    assert {e["environment"]["git.dirty"] for e in history} == {"false"}
    updates = parse_history(history)
    assert [u.kind for u in updates] == ["update", "refresh", "update", "update"]
    if os.environ.get("REGENERATE_FIXTURES") == "1":
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        FIXTURE.write_text(json.dumps(history, indent=2, sort_keys=True) + "\n")
    committed = json.loads(FIXTURE.read_text())
    assert shape(committed) == shape(history)
