"""Test worlds for `ops rollback`: a git repository, a fake `pulumi` on PATH, and state backends laid out
as Pulumi lays them out (DIY checkpoint/history files, or Pulumi Cloud fixture answers)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
PROJECT, STACK = "demo", "staging"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def deployment(marker: str) -> dict[str, Any]:
    """A deployment (apitype.DeploymentV3) small but shaped like a real one."""
    return {
        "manifest": {"time": "2026-07-20T10:00:00.000000Z", "magic": "0" * 64, "version": "v3.272.0"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:c2FsdA==:v1:aXY=:Y2lwaGVy"}},
        "resources": [
            {
                "urn": f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}",
                "custom": False,
                "type": "pulumi:pulumi:Stack",
                "outputs": {
                    "marker": marker,
                    "token": {
                        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                        "ciphertext": "v1:AAAA",
                    },
                },
            }
        ],
    }


def checkpoint(marker: str) -> dict[str, Any]:
    """apitype.VersionedCheckpoint, as `.pulumi/stacks/...json` and the history checkpoint copies hold it."""
    return {
        "version": 3,
        "checkpoint": {"stack": f"organization/{PROJECT}/{STACK}", "latest": deployment(marker)},
    }


@dataclass
class Entry:
    """One DIY history entry (backend.UpdateInfo) and the marker of the checkpoint written after it."""

    kind: str
    result: str
    start: int
    commit: str
    marker: str
    config: dict[str, Any] = field(default_factory=dict)

    def info(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "startTime": self.start,
            "message": f"{self.kind} of {self.marker}",
            "environment": {"git.head": self.commit, "git.dirty": "false", "exec.kind": "cli"},
            "config": self.config,
            "version": 0,
            "result": self.result,
            "endTime": self.start + 30,
            "resourceChanges": {"same": 1},
        }


def build_diy_backend(root: Path, entries: list[Entry], current: str) -> Path:
    """`root/.pulumi` as the file:// backend writes it (project-scoped layout, meta version 1)."""
    pulumi = root / ".pulumi"
    (pulumi / "stacks" / PROJECT).mkdir(parents=True)
    (pulumi / "meta.yaml").write_text("version: 1\n")
    (pulumi / "stacks" / PROJECT / f"{STACK}.json").write_text(json.dumps(checkpoint(current)))
    history = pulumi / "history" / PROJECT / STACK
    history.mkdir(parents=True)
    for entry in entries:
        prefix = history / f"{STACK}-{(entry.start + 31) * 1_000_000_000 + 123456}"
        Path(f"{prefix}.history.json").write_text(json.dumps(entry.info()))
        Path(f"{prefix}.checkpoint.json").write_text(json.dumps(checkpoint(entry.marker)))
    return root


def add_lock(root: Path) -> Path:
    locks = root / ".pulumi" / "locks" / "organization" / PROJECT / STACK
    locks.mkdir(parents=True)
    lock = locks / "5f0c1a2b-1111-2222-3333-444455556666.json"
    lock.write_text(
        json.dumps({"pid": 4242, "username": "ci", "hostname": "runner", "timestamp": "2026-07-20T10:00:00Z"})
    )
    return lock


def make_repo(path: Path) -> tuple[Path, list[str]]:
    """A Pulumi project in git with three commits; each sets `demo:size` to 1, 2, 3 in Pulumi.staging.yaml."""
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    (path / ".gitignore").write_text(".venv/\npolicies/venv/\n")
    project = {"name": PROJECT, "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}}
    (path / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    (path / "policies").mkdir()
    (path / "policies" / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (path / ".venv").mkdir()  # ignored by git: the worktree must get it as a symlink
    commits = []
    for size in (1, 2, 3):
        (path / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump({"config": {f"{PROJECT}:size": str(size)}}))
        git(path, "add", "-A")
        git(path, "commit", "--quiet", "-m", f"size {size}")
        commits.append(git(path, "rev-parse", "HEAD").strip())
    return path, commits


@dataclass
class World:
    tmp: Path
    repo: Path
    commits: list[str]
    env: dict[str, str]
    log: Path
    backups: Path
    state_root: Path | None = None
    cloud: Path | None = None

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def verbs(self) -> list[str]:
        """`stack export`, `preview`, ...: the command words of each call, in order."""
        out = []
        for call in self.calls():
            words = [a for a in call["argv"] if not a.startswith("-")]
            out.append(" ".join(words[:2]) if words and words[0] == "stack" else (words[0] if words else ""))
        return out

    def stack_file(self) -> Path:
        assert self.state_root is not None
        return self.state_root / ".pulumi" / "stacks" / PROJECT / f"{STACK}.json"

    def backup_files(self) -> list[Path]:
        return sorted(self.backups.rglob("*.json")) if self.backups.exists() else []


def install_fake(bin_dir: Path, name: str, source: str) -> None:
    """Put `tests/ops/<source>` on PATH as `name` (`python -S`: fast start, standard library only)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / name
    script.write_text(f"#!{sys.executable} -S\n{(HERE / source).read_text()}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def make_world(tmp: Path, *, with_cli: bool = True) -> World:
    repo, commits = make_repo(tmp / "repo")
    bin_dir = tmp / "bin"
    if with_cli:
        install_fake(bin_dir, "pulumi", "fake_pulumi.py")
    else:
        bin_dir.mkdir()
    git_dir = str(Path(shutil.which("git") or "/usr/bin/git").parent)
    log = tmp / "pulumi-calls.jsonl"
    backups = tmp / "backups"
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(bin_dir), git_dir]),
        "FAKE_PULUMI_LOG": str(log),
        "PULUMI_ROLLBACK_BACKUP_DIR": str(backups),
    }
    env.pop("PULUMI_BACKEND_URL", None)
    return World(tmp, repo, commits, env, log, backups)


def diy_world(tmp: Path, *, with_cli: bool = True) -> World:
    """History, newest first: @0 update C failed, @1 refresh, @2 update B ok, @3 update A ok."""
    world = make_world(tmp, with_cli=with_cli)
    a, b, c = world.commits
    size = f"{PROJECT}:size"
    entries = [
        Entry("update", "succeeded", 1_784_000_000, a, "A", {size: "1"}),
        Entry("update", "succeeded", 1_784_000_100, b, "B", {size: "2"}),
        Entry("refresh", "succeeded", 1_784_000_200, b, "B-refreshed", {size: "2"}),
        Entry("update", "failed", 1_784_000_300, c, "C-partial", {size: "3"}),
    ]
    world.state_root = build_diy_backend(tmp / "state", entries, current="C-partial")
    world.env["FAKE_PULUMI_URL"] = f"file://{world.state_root}"
    return world


def s3_world(tmp: Path, *, with_aws: bool = True) -> World:
    """The same history as `diy_world`, in an s3:// backend that the fake `aws` serves from a directory."""
    world = diy_world(tmp)
    assert world.state_root is not None
    s3_root = tmp / "s3"
    bucket = s3_root / "state-bucket" / "platform"
    bucket.parent.mkdir(parents=True)
    world.state_root.rename(bucket)
    world.state_root = bucket
    if with_aws:
        install_fake(tmp / "bin", "aws", "fake_aws.py")
    world.env |= {
        "FAKE_PULUMI_URL": "s3://state-bucket/platform?region=eu-west-1",
        "FAKE_S3_ROOT": str(s3_root),
        "FAKE_AWS_LOG": str(tmp / "aws-calls.jsonl"),
    }
    return world


def cloud_history(commits: list[str], newest_result: str = "failed") -> list[dict[str, Any]]:
    """`pulumi stack history --json` as Pulumi Cloud prints it: real version numbers, newest first."""

    def entry(version: int, commit: str, result: str, when: str) -> dict[str, Any]:
        return {
            "version": version,
            "kind": "update",
            "startTime": f"2026-07-{when}.000Z",
            "message": f"deploy {version}",
            "environment": {"git.head": commit, "git.dirty": "false"},
            "config": {f"{PROJECT}:size": {"value": str(version), "secret": False}},
            "result": result,
            "endTime": f"2026-07-{when}.000Z",
            "resourceChanges": {"update": 1},
        }

    a, b, c = commits
    return [
        entry(3, c, newest_result, "20T12:00:00"),
        entry(2, b, "succeeded", "19T12:00:00"),
        entry(1, a, "succeeded", "18T12:00:00"),
    ]


def cloud_world(tmp: Path, newest_result: str = "failed") -> World:
    world = make_world(tmp)
    cloud = tmp / "cloud"
    (cloud / "versions").mkdir(parents=True)
    (cloud / "history.json").write_text(json.dumps(cloud_history(world.commits, newest_result)))
    (cloud / "state.json").write_text(json.dumps({"version": 3, "deployment": deployment("v3")}))
    for version in (1, 2, 3):
        (cloud / "versions" / f"{version}.json").write_text(
            json.dumps({"version": 3, "deployment": deployment(f"v{version}")})
        )
    world.cloud = cloud
    world.env["FAKE_PULUMI_URL"] = "https://api.pulumi.com"
    world.env["FAKE_PULUMI_CLOUD"] = str(cloud)
    return world
