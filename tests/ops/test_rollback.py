"""`ops rollback` against a fake `pulumi` CLI, real git, and backends laid out in Pulumi's real formats."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ops.backends import Backend, DiyStore, HistoryFile
from ops.pulumi_cli import RollbackError
from ops.rollback import Options, Update, parse_history, rollback, select_target
from tests.ops.fixtures import (
    PROJECT,
    STACK,
    World,
    add_lock,
    cloud_history,
    cloud_world,
    deployment,
    diy_world,
    git,
    s3_world,
)

DIY = Backend("file", "file:///state")
CLOUD = Backend("cloud", "https://api.pulumi.com")
REPO_ROOT = Path(__file__).resolve().parents[2]


def run(world: World, *, yes: bool = True, answer: str | None = None, **kwargs: object) -> None:
    opts = Options(stack=STACK, yes=yes, cwd=world.repo, **kwargs)  # type: ignore[arg-type]
    rollback(opts, world.env, ask=(lambda _prompt: answer or "") if answer is not None else None)


def diy_updates(world: World) -> list[Update]:
    assert world.state_root is not None
    store = DiyStore(world.state_root, PROJECT, STACK)
    return [
        Update(
            i,
            0,
            h.history["kind"],
            h.history["result"],
            None,
            "",
            {"git.head": h.history["environment"]["git.head"]},
            {},
        )
        for i, h in enumerate(store.history())
    ]


# --- target selection -------------------------------------------------------------------------------------------


@pytest.fixture
def cloud_updates() -> list[Update]:
    return parse_history(cloud_history(["a" * 40, "b" * 40, "c" * 40]))


def test_default_target_is_last_success_before_the_current_update(tmp_path: Path) -> None:
    updates = diy_updates(diy_world(tmp_path))
    # @0 failed update (current), @1 refresh, @2 succeeded update: the refresh is not a deploy.
    assert select_target(updates, None, DIY).index == 2


def test_default_target_when_the_current_update_succeeded(cloud_updates: list[Update]) -> None:
    ok = parse_history([{**e, "result": "succeeded"} for e in cloud_history(["a" * 40, "b" * 40, "c" * 40])])
    assert select_target(ok, None, CLOUD).version == 2
    assert select_target(cloud_updates, None, CLOUD).version == 2


def test_default_target_missing_is_refused(cloud_updates: list[Update]) -> None:
    with pytest.raises(RollbackError, match="no succeeded update is older"):
        select_target(cloud_updates[2:], None, CLOUD)
    with pytest.raises(RollbackError, match="no update history"):
        select_target([], None, CLOUD)


def test_to_by_version_position_commit_and_time(cloud_updates: list[Update]) -> None:
    assert select_target(cloud_updates, "1", CLOUD).version == 1
    assert select_target(cloud_updates, "@2", CLOUD).version == 1
    assert select_target(cloud_updates, "bbbbbbb", CLOUD).version == 2
    assert select_target(cloud_updates, "2026-07-19T23:00:00Z", CLOUD).version == 2
    assert select_target(cloud_updates, "2026-07-19T12:00:00+00:00", CLOUD).version == 2
    assert select_target(cloud_updates, "2026-07-19T11:59:59Z", CLOUD).version == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("3", "did not succeed"),  # the failed current update
        ("@0", "did not succeed"),
        ("9", "no update with version 9"),
        ("@7", "lists only @0 to @2"),
        ("ddddddd", "no update in the history deployed"),
        ("2026-07-01T00:00:00Z", "no update started at or before"),
        ("yesterday", "not a position"),
    ],
)
def test_to_refusals(cloud_updates: list[Update], spec: str, message: str) -> None:
    with pytest.raises(RollbackError, match=message):
        select_target(cloud_updates, spec, CLOUD)


def test_version_numbers_are_refused_on_diy_backends(tmp_path: Path) -> None:
    updates = diy_updates(diy_world(tmp_path))
    with pytest.raises(RollbackError, match="numbers every update 0"):
        select_target(updates, "2", DIY)
    with pytest.raises(RollbackError, match="a refresh, not an update"):
        select_target(updates, "@1", DIY)


def test_ambiguous_commit_prefix_is_refused() -> None:
    updates = parse_history(cloud_history(["abcdef1" + "0" * 33, "abcdef1" + "1" * 33, "c" * 40], "succeeded"))
    with pytest.raises(RollbackError, match="several commits"):
        select_target(updates, "abcdef1", CLOUD)


# --- refusals leave everything as it was ------------------------------------------------------------------------


def _snapshot(world: World) -> str:
    assert world.state_root is not None
    return "".join(p.read_text() for p in sorted((world.state_root / ".pulumi").rglob("*.json")))


def _assert_unchanged(world: World, before: str) -> None:
    assert _snapshot(world) == before
    assert not world.backups.exists()
    assert not {"stack import", "up", "preview"} & set(world.verbs())
    assert git(world.repo, "worktree", "list").count("\n") == 1


def test_refuses_without_the_pulumi_cli(tmp_path: Path) -> None:
    world = diy_world(tmp_path, with_cli=False)
    before = _snapshot(world)
    with pytest.raises(RollbackError, match="pulumi CLI is not on PATH"):
        run(world)
    _assert_unchanged(world, before)


@pytest.mark.parametrize("change", ["tracked", "untracked"])
def test_refuses_on_a_dirty_work_tree(tmp_path: Path, change: str) -> None:
    world = diy_world(tmp_path)
    before = _snapshot(world)
    if change == "tracked":
        (world.repo / f"Pulumi.{STACK}.yaml").write_text("config: {}\n")
    else:
        (world.repo / "notes.txt").write_text("x")
    with pytest.raises(RollbackError, match="uncommitted changes"):
        run(world)
    _assert_unchanged(world, before)
    assert world.verbs() == []


@pytest.mark.parametrize(("spec", "message"), [("@9", "lists only"), ("@0", "did not succeed"), ("@1", "refresh")])
def test_refuses_a_missing_or_failed_target(tmp_path: Path, spec: str, message: str) -> None:
    world = diy_world(tmp_path)
    before = _snapshot(world)
    with pytest.raises(RollbackError, match=message):
        run(world, to=spec)
    _assert_unchanged(world, before)


def test_refuses_while_a_diy_lock_is_held(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    assert world.state_root is not None
    add_lock(world.state_root)
    before = _snapshot(world)
    for state_only in (False, True):
        with pytest.raises(RollbackError, match="locked by another operation"):
            run(world, state_only=state_only)
    _assert_unchanged(world, before)


def test_refuses_while_a_cloud_update_is_in_progress(tmp_path: Path) -> None:
    world = cloud_world(tmp_path, newest_result="in-progress")
    assert world.cloud is not None
    before = (world.cloud / "state.json").read_text()
    with pytest.raises(RollbackError, match="in progress"):
        run(world, state_only=True)
    assert (world.cloud / "state.json").read_text() == before
    assert world.backup_files() == []
    assert "stack import" not in world.verbs()


def test_refuses_a_backup_directory_inside_the_repository(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    world.env["PULUMI_ROLLBACK_BACKUP_DIR"] = str(world.repo / "backups")
    with pytest.raises(RollbackError, match="inside the repository"):
        run(world)
    assert not (world.repo / "backups").exists()


def test_refuses_without_confirmation(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    with pytest.raises(RollbackError, match="not confirmed"):
        run(world, yes=False, answer="production")
    assert "up" not in world.verbs()
    with pytest.raises(RollbackError, match="pass --yes"):
        run(world, yes=False)  # pytest's stdin is not a terminal
    assert "up" not in world.verbs()


# --- code rollback ----------------------------------------------------------------------------------------------


def test_code_rollback_redeploys_the_target_commit_after_a_backup(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    run(world, yes=False, answer=STACK)
    verbs = world.verbs()
    assert verbs == ["whoami", "stack history", "stack export", "preview", "up"]
    calls = dict(zip(verbs, world.calls(), strict=True))
    history = calls["stack history"]["argv"]
    assert "--show-secrets=false" in history
    assert "--json" in history
    # Preview and up run in a temporary worktree of commit B, with B's stack file and the live .venv linked.
    for verb in ("preview", "up"):
        call = calls[verb]
        assert call["cwd"] != str(world.repo)
        assert call["stack_file"] == f"config:\n  {PROJECT}:size: '2'\n"
        assert call["venv"] is True
        assert "--policy-pack" in call["argv"]
        assert call["argv"][call["argv"].index("--policy-pack") + 1] == str(Path(call["cwd"]) / "policies")
    assert "--yes" in calls["up"]["argv"]
    assert not Path(calls["up"]["cwd"]).exists()
    assert git(world.repo, "worktree", "list").count("\n") == 1
    export = calls["stack export"]["argv"]
    assert "--show-secrets" not in " ".join(export)
    assert "--version" not in export
    (backup,) = world.backup_files()
    assert json.loads(backup.read_text())["deployment"]["resources"][0]["outputs"]["marker"] == "C-partial"


def test_backup_permissions_and_location(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    run(world)
    (backup,) = world.backup_files()
    assert backup.parent == world.backups / PROJECT / STACK
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    for directory in (world.backups, world.backups / PROJECT, backup.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_default_backup_location_is_in_the_home_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = diy_world(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    del world.env["PULUMI_ROLLBACK_BACKUP_DIR"]
    run(world)
    (backup,) = (tmp_path / "home" / ".pulumi-rollback-backups" / PROJECT / STACK).iterdir()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_dry_run_previews_and_never_deploys(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    before = _snapshot(world)
    run(world, dry_run=True, to="@3")
    assert world.verbs() == ["whoami", "stack history", "preview"]
    assert world.calls()[-1]["stack_file"] == f"config:\n  {PROJECT}:size: '1'\n"
    assert _snapshot(world) == before
    assert not world.backups.exists()


def test_a_failed_preview_stops_before_up(tmp_path: Path) -> None:
    from ops.pulumi_cli import StepFailedError

    world = diy_world(tmp_path)
    world.env["FAKE_PULUMI_FAIL"] = "preview"
    with pytest.raises(StepFailedError):
        run(world)
    assert "up" not in world.verbs()
    assert git(world.repo, "worktree", "list").count("\n") == 1


def test_a_failed_backup_stops_everything(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    world.env["FAKE_PULUMI_FAIL"] = "export"
    with pytest.raises(RollbackError, match="could not export"):
        run(world)
    assert world.verbs()[-1] == "stack export"
    assert world.backup_files() == []


def test_commit_missing_from_the_clone_is_refused(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    git(world.repo, "reset", "--quiet", "--hard", world.commits[0])
    git(world.repo, "reflog", "expire", "--expire=now", "--all")
    git(world.repo, "gc", "--quiet", "--prune=now")
    with pytest.raises(RollbackError, match="not in this clone"):
        run(world)  # the target, commit B, was garbage-collected
    assert world.backup_files() == []


# --- state rollback ---------------------------------------------------------------------------------------------


def test_state_rollback_on_diy_imports_the_history_checkpoint(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    run(world, state_only=True)
    verbs = world.verbs()
    assert verbs == ["whoami", "stack history", "stack export", "stack import"]
    assert all("--version" not in c["argv"] for c in world.calls())
    current = json.loads(world.stack_file().read_text())
    assert current["checkpoint"]["latest"] == deployment("B")
    imported = Path(world.calls()[-1]["argv"][world.calls()[-1]["argv"].index("--file") + 1])
    assert stat.S_IMODE(imported.stat().st_mode) == 0o600
    assert json.loads(imported.read_text()) == {"version": 3, "deployment": deployment("B")}
    backup = next(p for p in world.backup_files() if "before-rollback" in p.name)
    assert json.loads(backup.read_text())["deployment"] == deployment("C-partial")


def test_state_rollback_keeps_checkpoint_features(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    assert world.state_root is not None
    store = DiyStore(world.state_root, PROJECT, STACK)
    target = store.history()[3].checkpoint
    document = json.loads(target.read_text())
    target.write_text(json.dumps({**document, "version": 4, "features": ["refreshBeforeUpdate"]}))
    assert store.import_document(target) == {
        "version": 4,
        "features": ["refreshBeforeUpdate"],
        "deployment": deployment("A"),
    }
    target.write_text(json.dumps({"version": 3, "checkpoint": {"stack": "x"}}))
    with pytest.raises(RollbackError, match="holds no deployment"):
        store.import_document(target)


def test_state_rollback_on_cloud_exports_the_version_then_imports(tmp_path: Path) -> None:
    world = cloud_world(tmp_path)
    assert world.cloud is not None
    run(world, state_only=True)
    assert world.verbs() == ["whoami", "stack history", "stack export", "stack export", "stack import"]
    backup_call, target_call = world.calls()[2:4]
    assert "--version" not in backup_call["argv"]
    assert target_call["argv"][target_call["argv"].index("--version") + 1] == "2"
    assert json.loads((world.cloud / "state.json").read_text())["deployment"] == deployment("v2")
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in world.backup_files())


def test_state_rollback_dry_run_changes_nothing(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    before = _snapshot(world)
    run(world, state_only=True, dry_run=True)
    _assert_unchanged(world, before)


def test_history_files_that_disagree_with_the_cli_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = diy_world(tmp_path)
    listed = DiyStore.history

    def one_more(self: DiyStore) -> list[HistoryFile]:  # an update landed between the listing and the read
        files = listed(self)
        return [HistoryFile({**files[0].history, "startTime": 1}, files[0].checkpoint), *files]

    monkeypatch.setattr(DiyStore, "history", one_more)
    before = _snapshot(world)
    with pytest.raises(RollbackError, match="do not match"):
        run(world, state_only=True)
    _assert_unchanged(world, before)


# --- the command line -------------------------------------------------------------------------------------------


def test_command_line_refusal_has_no_traceback(tmp_path: Path) -> None:
    world = diy_world(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "ops", "rollback", "--stack", STACK, "--to", "@0", "--cwd", str(world.repo), "--yes"],
        cwd=REPO_ROOT,
        env=world.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "rollback refused:" in done.stderr
    assert "did not succeed" in done.stderr
    assert "Traceback" not in done.stderr


# --- s3:// backends -----------------------------------------------------------------------------------------------


def test_state_rollback_on_s3_reads_the_history_with_the_aws_cli(tmp_path: Path) -> None:
    world = s3_world(tmp_path)
    run(world, state_only=True)
    assert world.verbs() == ["whoami", "stack history", "stack export", "stack import"]
    assert json.loads(world.stack_file().read_text())["checkpoint"]["latest"] == deployment("B")
    aws = [json.loads(line) for line in (tmp_path / "aws-calls.jsonl").read_text().splitlines()]
    assert [next(a for a in call if a.startswith("s3://")) for call in aws] == [
        f"s3://state-bucket/platform/.pulumi/history/{PROJECT}/{STACK}/",
        f"s3://state-bucket/platform/.pulumi/locks/organization/{PROJECT}/{STACK}/",
    ]
    assert all(call[call.index("--region") + 1] == "eu-west-1" for call in aws)


def test_s3_lock_is_refused(tmp_path: Path) -> None:
    world = s3_world(tmp_path)
    assert world.state_root is not None
    add_lock(world.state_root)
    with pytest.raises(RollbackError, match="locked by another operation"):
        run(world)
    assert world.backup_files() == []


def test_s3_without_the_aws_cli(tmp_path: Path) -> None:
    world = s3_world(tmp_path, with_aws=False)
    with pytest.raises(RollbackError, match="needs the AWS CLI"):
        run(world, state_only=True)
    assert "stack import" not in world.verbs()
    run(world, dry_run=True)  # a code rollback only loses the lock pre-check; `pulumi up` checks locks itself
    assert world.verbs()[-1] == "preview"
