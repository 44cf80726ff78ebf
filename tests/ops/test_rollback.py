"""`ops rollback`'s own decisions, on history the real CLI printed (tests/ops/data/diy-history.json, kept in shape
by tests/engine/test_history_fixture.py). The flows themselves run against the real CLI in tests/engine/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops.backends import Backend, decode, detect_backend
from ops.pulumi_cli import RollbackError
from ops.rollback import RollbackOptions, backup_directory, parse_history, rollback, run_rollback, select_target
from tests.support.git import git
from tests.support.ops_cli import run_ops

DIY = Backend("file", "file:///state")
CLOUD = Backend("cloud", "https://api.pulumi.com")
REAL_HISTORY: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "diy-history.json").read_text())


def cloud_history() -> list[dict[str, Any]]:
    """The same entries as Pulumi Cloud lists them: it numbers every update (newest first)."""
    return [{**entry, "version": len(REAL_HISTORY) - i} for i, entry in enumerate(REAL_HISTORY)]


def test_the_fixture_is_a_failed_update_a_refresh_and_two_succeeded_updates() -> None:
    assert [(u.kind, u.result) for u in parse_history(REAL_HISTORY)] == [
        ("update", "failed"),
        ("refresh", "succeeded"),
        ("update", "succeeded"),
        ("update", "succeeded"),
    ]


def test_default_target_is_the_last_success_before_the_current_update() -> None:
    # @0 the failed update (current), @1 a refresh (not a deploy), @2 the last succeeded update before it.
    assert select_target(parse_history(REAL_HISTORY), None, DIY).index == 2
    # When the current update succeeded, the one before it is the target.
    assert select_target(parse_history(REAL_HISTORY[2:]), None, DIY).index == 1


def test_to_by_position_commit_time_and_cloud_version() -> None:
    updates = parse_history(REAL_HISTORY)
    assert select_target(updates, "@3", DIY).index == 3
    assert select_target(updates, REAL_HISTORY[3]["environment"]["git.head"][:9], DIY).index == 3
    assert select_target(updates, REAL_HISTORY[2]["startTime"], DIY).index == 2
    cloud = parse_history(cloud_history())
    assert select_target(cloud, "1", CLOUD).index == 3


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("@0", "did not succeed"),
        ("@1", "a refresh, not an update"),
        ("@9", "lists only @0 to @3"),
        ("2", "numbers every update 0"),
        ("ddddddd", "no update in the history deployed"),
        ("2001-01-01T00:00:00Z", "no update started at or before"),
        ("yesterday", "not a position"),
    ],
)
def test_to_refusals(spec: str, message: str) -> None:
    with pytest.raises(RollbackError, match=message):
        select_target(parse_history(REAL_HISTORY), spec, DIY)


def test_no_history_or_no_older_success_is_refused() -> None:
    with pytest.raises(RollbackError, match="no update history"):
        select_target([], None, DIY)
    with pytest.raises(RollbackError, match="no succeeded update is older"):
        select_target(parse_history(REAL_HISTORY[:2]), None, DIY)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"startTime": "not a time"}, "`startTime`"),
        ({"startTime": 12}, "`startTime`"),
        ({"version": "seven"}, "`version`"),
        ({"version": True}, "`version`"),
        ({"environment": ["git.head"]}, "`environment`"),
        ({"environment": {"git.head": 7}}, "`environment`"),
        ({"config": "x"}, "`config`"),
    ],
)
def test_malformed_history_entries_are_refused_naming_the_entry(change: dict[str, Any], message: str) -> None:
    with pytest.raises(RollbackError, match=f"entry @1: {message}"):
        parse_history([REAL_HISTORY[0], {**REAL_HISTORY[1], **change}])


@pytest.mark.parametrize("raw", [{"a": 1}, "text", 3, None, [1, 2]])
def test_history_that_is_not_a_list_of_objects_is_refused(raw: Any) -> None:
    with pytest.raises(RollbackError, match="pulumi stack history --json"):
        parse_history(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
history_entries = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(("kind", "result", "startTime", "version", "message", "environment", "config"), json_values),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(history_entries, max_size=5) | json_values, st.sampled_from([None, "@0", "@1", "1", "abcdef1"]))
def test_any_history_gives_a_target_or_a_refusal(raw: Any, spec: str | None) -> None:
    try:
        updates = parse_history(raw)
        select_target(updates, spec, CLOUD)
    except RollbackError as exc:
        assert str(exc)


def test_backup_directory_is_outside_the_repository(tmp_path: Path) -> None:
    inside = {"PULUMI_ROLLBACK_BACKUP_DIR": str(tmp_path / "repo" / "backups")}
    with pytest.raises(RollbackError, match="inside the repository"):
        backup_directory("demo", "staging", tmp_path / "repo", inside)
    outside = backup_directory("demo", "staging", tmp_path / "repo", {"PULUMI_ROLLBACK_BACKUP_DIR": str(tmp_path)})
    assert outside == tmp_path / "demo" / "staging"


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    git(repo, "init", "--quiet")
    return repo


def test_refuses_without_the_pulumi_cli(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    with pytest.raises(RollbackError, match="pulumi CLI is not on PATH"):
        rollback(RollbackOptions(stack="staging", yes=True, cwd=repo), {"PATH": str(tmp_path / "empty")})


def test_refuses_outside_a_pulumi_project(tmp_path: Path) -> None:
    with pytest.raises(RollbackError, match=r"holds no Pulumi\.yaml"):
        rollback(RollbackOptions(stack="staging", yes=True, cwd=tmp_path), {"PATH": ""})


def test_command_line_refusal_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    done = run_ops("rollback", "--stack", "staging", "--yes", "--cwd", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("rollback refused:")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("stack", ["../escape", "a/b/c/d", "st ack", "..", "x\n"])
def test_a_stack_name_outside_pulumis_rule_is_refused_before_any_path_is_built(
    tmp_path: Path, stack: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path)
    backups = tmp_path / "backups"
    monkeypatch.setenv("PULUMI_ROLLBACK_BACKUP_DIR", str(backups))
    code = run_rollback(RollbackOptions(stack=stack, yes=True, cwd=repo))
    assert code == 2
    assert capsys.readouterr().err.startswith("rollback refused: stack ")
    assert not backups.exists()


@pytest.mark.parametrize(
    "content",
    [b"name: [unclosed\n", b"\xff\xfe not utf-8", b"name: demo\nname: other\nruntime: python\n", b"- a list\n"],
)
def test_a_broken_project_file_is_refused_naming_it(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    (repo / "Pulumi.yaml").write_bytes(content)
    assert run_rollback(RollbackOptions(stack="staging", yes=True, cwd=repo)) == 2
    err = capsys.readouterr().err
    assert err.startswith("rollback refused: Pulumi.yaml")
    assert "Traceback" not in err


@pytest.mark.parametrize("data", [b"\x1f\x8b\x08\x00garbage", b"{not json", b"\x1f\x8b"])
def test_a_corrupt_history_or_checkpoint_file_is_refused_by_name(data: bytes) -> None:
    with pytest.raises(RollbackError, match=r"stack-1\.history\.json\.gz is corrupt"):
        decode(data, "stack-1.history.json.gz")


class _AnswersWhoami:
    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def capture_json(self, args: list[str]) -> Any:
        return self.answer


@pytest.mark.parametrize("answer", [["file:///x"], "file:///x", 3, None, {"url": 7}])
def test_whoami_of_the_wrong_shape_falls_back_to_the_backend_variable(answer: Any) -> None:
    cli = _AnswersWhoami(answer)
    backend = detect_backend(cli, {"PULUMI_BACKEND_URL": "file:///state"})  # pyright: ignore[reportArgumentType]
    assert backend == Backend("file", "file:///state")
    with pytest.raises(RollbackError, match="cannot tell the state backend"):
        detect_backend(cli, {})  # pyright: ignore[reportArgumentType]
