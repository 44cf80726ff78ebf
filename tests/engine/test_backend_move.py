"""Moving a stack to another state backend, as docs/howto.md says: export, log in to the new backend, init
with the same secrets provider, import, and the preview there changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.engine.harness import Engine, resources_of
from tests.engine.stacks import deploy

pytestmark = pytest.mark.engine


def test_a_stack_moved_to_a_new_backend_previews_no_changes(engine: Engine, tmp_path: Path) -> None:
    program, markers = deploy(engine, tmp_path, "staging")
    exported = tmp_path / "staging.json"
    engine.pulumi("stack", "export", "--stack", "staging", "--file", str(exported), cwd=program)
    before = {r["urn"] for r in resources_of(json.loads(exported.read_text()))}

    new_backend = tmp_path / "new-state"
    new_backend.mkdir()
    engine.env["PULUMI_BACKEND_URL"] = f"file://{new_backend}"  # `pulumi login <new>` for this environment
    engine.pulumi("stack", "init", "staging", "--secrets-provider", "passphrase", cwd=program)
    engine.pulumi("stack", "import", "--stack", "staging", "--file", str(exported), cwd=program)

    after = {r["urn"] for r in resources_of(engine.export(program, "staging"))}
    assert after == before
    events = tmp_path / "events.jsonl"
    engine.clear_stub_calls()
    done = engine.run_program("preview", program, "staging", events=events)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    steps = [json.loads(line) for line in events.read_text().splitlines()]
    assert len(steps) >= len(before) - 2  # every resource was planned (the stack and default providers aside)
    assert {step["op"] for step in steps} == {"same"}, [s for s in steps if s["op"] != "same"]
    assert not [c for c in engine.stub_calls() if c["method"] in {"Create", "Update", "Delete"}]
    state = json.dumps(engine.export(program, "staging"))
    assert not [m for m in markers if m in state]  # the secrets moved as ciphertext
