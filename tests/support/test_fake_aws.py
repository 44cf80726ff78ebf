"""The fake AWS CLI refuses what it does not know and behaves like the real one where the scripts depend on it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.fake_aws import aws_calls, install_fake_aws, published_metrics


def _aws(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", **install_fake_aws(tmp_path), **extra}
    return subprocess.run(["aws", *args], env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("call", [["s3", "sync", "a", "b"], ["sts", "get-caller-identity"]])
def test_an_unknown_call_fails_and_is_logged(tmp_path: Path, call: list[str]) -> None:
    done = _aws(tmp_path, *call)
    assert done.returncode == 2
    assert f"fake aws: unexpected call: {call[0]} {call[1]}" in done.stderr
    assert aws_calls(tmp_path) == [call]


def test_listing_answers_none_then_the_keys_under_the_prefix(tmp_path: Path) -> None:
    query = ["s3api", "list-objects-v2", "--bucket", "b", "--prefix", "daily/app/", "--query", "Contents[].Key"]
    assert _aws(tmp_path, *query, "--output", "text").stdout == "None\n"
    for key in ("daily/app/1.tar.gz", "daily/app/2.tar.gz", "daily/app-admin/3.tar.gz"):
        (tmp_path / "s3" / "b" / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "s3" / "b" / key).write_text(key)
    assert _aws(tmp_path, *query, "--output", "text").stdout == "daily/app/2.tar.gz\tdaily/app/1.tar.gz\n"


def test_uploads_need_a_checksum_and_can_be_refused(tmp_path: Path) -> None:
    (tmp_path / "dump").write_text("data")
    upload = ["s3", "cp", "--only-show-errors", str(tmp_path / "dump"), "s3://b/daily/dump"]
    assert _aws(tmp_path, *upload).returncode == 3
    assert _aws(tmp_path, *upload, "--checksum-algorithm", "SHA256", FAKE_S3_REFUSE="1").returncode == 1
    assert not (tmp_path / "s3" / "b" / "daily" / "dump").exists()
    assert _aws(tmp_path, *upload, "--checksum-algorithm", "SHA256").returncode == 0
    assert (tmp_path / "s3" / "b" / "daily" / "dump").read_text() == "data"
    download = _aws(tmp_path, "s3", "cp", "s3://b/daily/dump", str(tmp_path / "back"))
    assert download.returncode == 0
    assert (tmp_path / "back").read_text() == "data"


def test_a_recursive_copy_of_a_missing_prefix_copies_nothing_and_succeeds(tmp_path: Path) -> None:
    done = _aws(tmp_path, "s3", "cp", "--recursive", "s3://b/nothing/", str(tmp_path / "target"), "--region", "x")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "target").exists()


def test_metrics_are_recorded_with_every_dimension(tmp_path: Path) -> None:
    metric = ["--region", "us-east-1", "--namespace", "Platform/Backups", "--metric-name", "BackupCompletedAt"]
    dimensions = ["--dimensions", "Environment=production", "Repository=app", "--value", "7"]
    assert _aws(tmp_path, "cloudwatch", "put-metric-data", *metric, *dimensions).returncode == 0
    assert published_metrics(tmp_path) == [
        {
            "region": "us-east-1",
            "namespace": "Platform/Backups",
            "metric": "BackupCompletedAt",
            "dimensions": "Environment=production Repository=app",
            "value": "7",
        }
    ]
    statistics = ["cloudwatch", "get-metric-statistics", "--dimensions", "A=1", "B=2", "--period", "60"]
    assert _aws(tmp_path, *statistics).stdout == "None\n"
    assert (
        _aws(tmp_path, *statistics, FAKE_NEWEST_DRILL="2026-01-01T00:00:00+00:00").stdout
        == "2026-01-01T00:00:00+00:00\n"
    )
