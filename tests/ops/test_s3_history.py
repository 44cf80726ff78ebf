"""`ops rollback` on an s3:// backend copies the stack's history and locks with the AWS CLI, then reads them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ops.backends import s3_store
from ops.pulumi_cli import RollbackError
from tests.support.fake_aws import aws_calls, install_fake_aws

HISTORY = ".pulumi/history/demo/staging"
LOCKS = ".pulumi/locks/organization/demo/staging"


def _environ(tmp_path: Path) -> dict[str, str]:
    return {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", **install_fake_aws(tmp_path)}


def test_history_and_locks_are_copied_with_the_urls_options(tmp_path: Path) -> None:
    environ = _environ(tmp_path)
    backend = tmp_path / "s3" / "state-bucket" / "team"
    (backend / HISTORY).mkdir(parents=True)
    (backend / HISTORY / "staging-1700000000000000000.history.json").write_text(json.dumps({"kind": "update"}))
    (backend / LOCKS).mkdir(parents=True)
    (backend / LOCKS / "lock-id.json").write_text("{}")

    store = s3_store(
        "s3://state-bucket/team?region=eu-west-1&profile=ops", "demo", "staging", tmp_path / "work", environ
    )

    assert [entry.history for entry in store.history()] == [{"kind": "update"}]
    assert [lock.name for lock in store.locks()] == ["lock-id.json"]
    options = ["--region", "eu-west-1", "--profile", "ops"]
    assert aws_calls(tmp_path) == [
        [
            "s3",
            "cp",
            "--recursive",
            "--only-show-errors",
            f"s3://state-bucket/team/{HISTORY}/",
            str(tmp_path / "work" / HISTORY),
            *options,
        ],
        [
            "s3",
            "cp",
            "--recursive",
            "--only-show-errors",
            f"s3://state-bucket/team/{LOCKS}/",
            str(tmp_path / "work" / LOCKS),
            *options,
        ],
    ]


def test_a_backend_without_the_stack_has_no_history_and_no_locks(tmp_path: Path) -> None:
    store = s3_store("s3://empty-bucket", "demo", "staging", tmp_path / "work", _environ(tmp_path))
    assert store.history() == []
    assert store.locks() == []
    assert [call[4] for call in aws_calls(tmp_path)] == [f"s3://empty-bucket/{HISTORY}/", f"s3://empty-bucket/{LOCKS}/"]


def test_without_the_aws_cli_it_says_how_to_do_without(tmp_path: Path) -> None:
    with pytest.raises(RollbackError, match="needs the AWS CLI"):
        s3_store("s3://state-bucket", "demo", "staging", tmp_path / "work", {"PATH": str(tmp_path / "empty")})
