"""The backup job's shell logic, run for real: which dump kind, which retention prefixes, where it goes."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_aws import install_fake_aws, published_metrics
from tests.support.shell import run_step_script, write_executable

BACKUP = ".github/workflows/backup.yml"


def _step(documents: dict[str, dict[str, dict[str, Any]]], name_start: str) -> dict[str, Any]:
    steps = documents["staging"][BACKUP]["jobs"]["backup"]["steps"]
    return next(step for step in steps if step["name"].startswith(name_start))


def _stand_in(tmp_path: Path, name: str, body: str) -> None:
    """A bash stand-in for the tool `name` on the step's PATH."""
    write_executable(tmp_path / "bin" / name, "#!/usr/bin/env bash\n" + body)


@pytest.mark.parametrize(
    "case",
    [
        ("0 2 * * *", "full", "3", "15", "daily/"),
        ("0 2 * * *", "full", "7", "15", "daily/ weekly/"),
        ("0 2 * * *", "full", "7", "01", "daily/ weekly/ monthly/"),
        ("0 */6 * * *", "incremental", "7", "01", "incremental/"),
    ],
)
def test_kind_and_retention_prefixes(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]], case: tuple[str, str, str, str, str]
) -> None:
    schedule, kind, weekday, day, prefixes = case
    # A `date` that answers the weekday and day of month we want, and a fixed timestamp otherwise.
    _stand_in(
        tmp_path,
        "date",
        f'case "$*" in *%Y*) echo 20260705T020000Z;; *%u*) echo {weekday};; *%d*) echo {day};; *) exit 2;; esac\n',
    )
    result = run_step_script(tmp_path, _step(documents, "Choose")["run"], {"SCHEDULE": schedule, "REQUESTED_KIND": ""})
    assert result.returncode == 0, result.stderr
    assert result.outputs == {"kind": kind, "prefixes": prefixes, "name": f"20260705T020000Z-{kind}"}


def test_manual_full_dump(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    result = run_step_script(tmp_path, _step(documents, "Choose")["run"], {"SCHEDULE": "", "REQUESTED_KIND": "full"})
    assert result.returncode == 0, result.stderr
    assert result.outputs["kind"] == "full"
    assert result.outputs["prefixes"].startswith("daily/")


APP = {"BACKUP_APP": "lodgetix-app", "BACKUP_ENVIRONMENT": "production", "BACKUP_METRIC_NAMESPACE": "Platform/Backups"}


def _dump(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]], name: str) -> dict[str, str]:
    """Run the dump step with a fake supabase CLI (one file per dump); returns its outputs."""
    _stand_in(tmp_path, "supabase", 'while [ $# -gt 0 ]; do [ "$1" = --file ] && echo "-- $*" > "$2"; shift; done\n')
    dump_env = {"SUPABASE_DB_URL": "postgresql://u:p@db/postgres", "KIND": "full", "NAME": name}
    result = run_step_script(tmp_path, _step(documents, "Dump")["run"], dump_env)
    assert result.returncode == 0, result.stderr
    return result.outputs


def test_dump_checksum_and_upload(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    fake = install_fake_aws(tmp_path)
    name = "20260705T020000Z-full"
    outputs = _dump(tmp_path, documents, name)
    assert abs(int(outputs["started"]) - time.time()) < 60
    folder = tmp_path / "backup"
    listing = subprocess.run(
        ["tar", "-tzf", str(folder / f"{name}.tar.gz")], capture_output=True, text=True, check=True
    )
    assert sorted(Path(p).name for p in listing.stdout.split()) == sorted([name, "roles.sql", "schema.sql", "data.sql"])
    check = subprocess.run(
        ["sha256sum", "--check", f"{name}.tar.gz.sha256"], cwd=folder, capture_output=True, check=False
    )
    assert check.returncode == 0

    upload_env = {"BACKUP_BUCKET": "primary-bucket", "NAME": name, "PREFIXES": "daily/ weekly/", **APP, **fake}
    result = run_step_script(tmp_path, _step(documents, "Upload")["run"], upload_env)
    assert result.returncode == 0, result.stderr
    bucket = tmp_path / "s3" / "primary-bucket"
    # Each tier holds the dump under the app's own prefix (the fake refuses uploads without a SHA-256).
    assert sorted(str(f.relative_to(bucket)) for f in bucket.rglob("*") if f.is_file()) == [
        f"daily/lodgetix-app/{name}.tar.gz",
        f"daily/lodgetix-app/{name}.tar.gz.sha256",
        f"weekly/lodgetix-app/{name}.tar.gz",
        f"weekly/lodgetix-app/{name}.tar.gz.sha256",
    ]
    assert (bucket / "daily/lodgetix-app" / f"{name}.tar.gz").read_bytes() == (folder / f"{name}.tar.gz").read_bytes()
    # No encryption headers: the bucket default (its own KMS key) applies, as the bucket policy expects.
    assert "--sse" not in _step(documents, "Upload")["run"]
    assert published_metrics(tmp_path) == [], "uploading publishes nothing: the publish step does, after it"


def test_publish_step_reports_freshness_and_duration(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]
) -> None:
    fake = install_fake_aws(tmp_path)
    started = int(time.time()) - 600
    env = {"BACKUP_REGION": "us-east-1", "STARTED": str(started), **APP, **fake}
    result = run_step_script(tmp_path, _step(documents, "Publish")["run"], env)
    assert result.returncode == 0, result.stderr
    completed, duration = published_metrics(tmp_path)
    dimensions = "Environment=production,Repository=lodgetix-app"
    common = {"region": "us-east-1", "namespace": "Platform/Backups", "dimensions": dimensions}
    assert {k: completed[k] for k in common} == common == {k: duration[k] for k in common}
    assert (completed["metric"], duration["metric"]) == ("BackupCompletedAt", "BackupDurationSeconds")
    assert abs(int(completed["value"]) - time.time()) < 60
    assert 600 <= int(duration["value"]) < 660


def test_metrics_follow_only_a_verified_upload(documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    steps = documents["production"][BACKUP]["jobs"]["backup"]["steps"]
    names = [step["name"] for step in steps]
    upload, publish = (
        names.index("Upload the dump and its checksum"),
        names.index("Publish the backup freshness metrics"),
    )
    assert publish == upload + 1 == len(steps) - 1
    # No `if:`: GitHub runs the step only when every earlier step (dump, credentials, upload) succeeded.
    assert "if" not in steps[publish]


def test_a_refused_upload_fails_before_any_metric(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]
) -> None:
    fake = install_fake_aws(tmp_path)
    name = "20260705T020000Z-full"
    _dump(tmp_path, documents, name)
    env = {"BACKUP_BUCKET": "b", "NAME": name, "PREFIXES": "daily/", "FAKE_S3_REFUSE": "1", **APP, **fake}
    result = run_step_script(tmp_path, _step(documents, "Upload")["run"], env)
    assert result.returncode != 0
    # A corrupted local archive fails its own checksum before anything is sent.
    (tmp_path / "backup" / f"{name}.tar.gz").write_bytes(b"corrupt")
    result = run_step_script(tmp_path, _step(documents, "Upload")["run"], {**env, "FAKE_S3_REFUSE": "0"})
    assert result.returncode != 0
    assert not list((tmp_path / "s3").rglob("*.tar.gz"))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("BACKUP_APP", "../other-app"),
        ("BACKUP_APP", "app,Repository=other"),
        ("BACKUP_APP", ""),
        ("BACKUP_APP", ".."),
        ("BACKUP_ENVIRONMENT", "prod"),
        ("BACKUP_METRIC_NAMESPACE", "ns with space"),
    ],
)
def test_hostile_variables_stop_the_job_before_it_writes(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]], key: str, value: str
) -> None:
    fake = install_fake_aws(tmp_path)
    name = "20260705T020000Z-full"
    _dump(tmp_path, documents, name)
    env = {"BACKUP_BUCKET": "b", "NAME": name, "PREFIXES": "daily/", "BACKUP_REGION": "us-east-1", **APP, **fake}
    env[key] = value
    for step in ("Upload", "Publish"):
        result = run_step_script(tmp_path, _step(documents, step)["run"], {**env, "STARTED": "1"})
        assert result.returncode != 0
        assert f"::error::{key}" in result.stdout
    assert not list((tmp_path / "s3").rglob("*"))
    assert published_metrics(tmp_path) == []


def test_a_failing_dump_fails_the_step(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    _stand_in(tmp_path, "supabase", "echo 'connection refused' >&2; exit 1\n")
    env = {"SUPABASE_DB_URL": "postgresql://u:p@db/postgres", "KIND": "incremental", "NAME": "x-incremental"}
    result = run_step_script(tmp_path, _step(documents, "Dump")["run"], env)
    assert result.returncode != 0
    assert not (tmp_path / "backup" / "x-incremental.tar.gz").exists()
