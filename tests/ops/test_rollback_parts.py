"""The parts of `ops rollback` that need no Pulumi CLI: git, the worktree, config drift and the history listing.

The flows themselves run against the real CLI in tests/engine/test_rollback.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops.git_cli import GitError, git
from ops.pulumi_cli import RollbackError
from ops.rollback import history_table, parse_history
from ops.rollback.config_drift import config_drift
from ops.rollback.worktree import checkout_of, repository_root, require_clean_tree, require_commit

REAL_HISTORY: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "diy-history.json").read_text())
AUTHOR = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one commit of one file."""
    for name, value in AUTHOR.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "--quiet")
    (path / "Pulumi.staging.yaml").write_text("config:\n  demo:size: 2\n")
    git(path, "add", "-A")
    git(path, "commit", "--quiet", "-m", "first")
    return path


def test_git_returns_stdout_and_a_failure_names_the_command_and_gits_words(repo: Path) -> None:
    assert git(repo, "log", "--format=%s") == "first\n"
    with pytest.raises(GitError, match=r"`git log --no-such-flag` failed: .*no-such-flag"):
        git(repo, "log", "--no-such-flag")


def test_git_missing_from_path_is_one_clear_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    with pytest.raises(GitError, match="git is not on PATH"):
        git(repo, "status")
    with pytest.raises(RollbackError, match="the rollback needs it"):
        repository_root(repo)


def test_the_repository_must_be_clean_and_hold_the_commit(repo: Path) -> None:
    assert repository_root(repo / ".") == repo.resolve()
    head = git(repo, "rev-parse", "HEAD").strip()
    require_clean_tree(repo)
    require_commit(repo, head)
    with pytest.raises(RollbackError, match="is not in this clone; run `git fetch --all`"):
        require_commit(repo, "0" * 40)
    (repo / "untracked.txt").write_text("x")
    with pytest.raises(RollbackError, match=r"uncommitted changes; commit or remove them first:\n  \?\? untracked.txt"):
        require_clean_tree(repo)


def test_a_checkout_of_a_commit_is_gone_and_forgotten_after_the_block(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    with checkout_of(repo, head) as checkout:
        assert (checkout / "Pulumi.staging.yaml").is_file()
        assert str(checkout) in git(repo, "worktree", "list")
    assert not checkout.exists()
    assert str(checkout) not in git(repo, "worktree", "list")


def test_config_drift_names_keys_but_never_values(repo: Path) -> None:
    recorded = {
        "demo:size": {"value": "3", "secret": False},
        "demo:token": {"value": "ciphertext", "secret": True},
        "demo:gone": {"value": "x", "secret": False},
    }
    (repo / "Pulumi.staging.yaml").write_text("config:\n  demo:size: 2\n  demo:token: {secure: abc}\n  demo:new: y\n")
    notes = config_drift(recorded, repo / "Pulumi.staging.yaml", "Pulumi.staging.yaml")
    assert notes == [
        "demo:gone: set when the update ran, absent from the commit's stack file",
        "demo:size: differs between the update's record and the commit's stack file",
        "demo:new: in the commit's stack file, not in the update's record",
    ]
    same = {"demo:size": {"value": "2"}, "demo:token": {"secret": True}, "demo:new": {"value": "y"}}
    assert config_drift(same, repo / "Pulumi.staging.yaml", "Pulumi.staging.yaml") == []


def test_the_history_listing_shows_every_column_and_marks_the_target() -> None:
    raw = [dict(entry) for entry in REAL_HISTORY]
    raw[1]["message"] = "[bold]not markup[/bold] " + "m" * 80
    updates = parse_history(raw)
    lines = history_table(updates, updates[2]).splitlines()
    assert lines[0].split() == ["#", "version", "started", "(UTC)", "kind", "result", "commit", "message"]
    assert len(lines) == 1 + len(updates)
    for update, line in zip(updates, lines[1:], strict=True):
        assert line.startswith("->") == (update.index == 2)
        started = update.start.strftime("%Y-%m-%d %H:%M:%S") if update.start else "-"
        expected = [f"@{update.index}", "-", *started.split(), update.kind, update.result, update.commit[:12]]
        assert line.removeprefix("->").split()[: len(expected)] == expected
    assert lines[2].endswith(raw[1]["message"][:60])  # the message's first 60 characters, as typed
    assert not any(line.startswith("->") for line in history_table(updates, None).splitlines())
