"""The backup job's shell logic, run for real: which dump kind, which retention prefixes, where it goes."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

BACKUP = ".github/workflows/backup.yml"


def _step(documents: dict[str, dict[str, dict[str, Any]]], name_start: str) -> dict[str, Any]:
    steps = documents["staging"][BACKUP]["jobs"]["backup"]["steps"]
    return next(step for step in steps if step["name"].startswith(name_start))


def _fake_bin(tmp_path: Path, name: str, body: str) -> None:
    tool = tmp_path / "bin" / name
    tool.parent.mkdir(exist_ok=True)
    tool.write_text("#!/usr/bin/env bash\n" + body)
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


def _run(tmp_path: Path, script: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    output = tmp_path / "github_output"
    output.write_text("")
    full_env = {
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "RUNNER_TEMP": str(tmp_path),
        **env,
    }
    result = subprocess.run(["bash", "-c", script], env=full_env, capture_output=True, text=True, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result, outputs


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
    _fake_bin(
        tmp_path,
        "date",
        f'case "$*" in *%Y*) echo 20260705T020000Z;; *%u*) echo {weekday};; *%d*) echo {day};; *) exit 2;; esac\n',
    )
    result, outputs = _run(tmp_path, _step(documents, "Choose")["run"], {"SCHEDULE": schedule, "REQUESTED_KIND": ""})
    assert result.returncode == 0, result.stderr
    assert outputs == {"kind": kind, "prefixes": prefixes, "name": f"20260705T020000Z-{kind}"}


def test_manual_full_dump(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    result, outputs = _run(tmp_path, _step(documents, "Choose")["run"], {"SCHEDULE": "", "REQUESTED_KIND": "full"})
    assert result.returncode == 0, result.stderr
    assert outputs["kind"] == "full"
    assert outputs["prefixes"].startswith("daily/")


def test_dump_checksum_and_upload(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    calls = tmp_path / "calls"
    # Fake CLIs: supabase writes a file per dump, aws records its arguments.
    _fake_bin(tmp_path, "supabase", 'while [ $# -gt 0 ]; do [ "$1" = --file ] && echo "-- $*" > "$2"; shift; done\n')
    _fake_bin(tmp_path, "aws", f'echo "$*" >> {calls}\n')
    name = "20260705T020000Z-full"
    dump_env = {"SUPABASE_DB_URL": "postgresql://u:p@db/postgres", "KIND": "full", "NAME": name}
    result, _ = _run(tmp_path, _step(documents, "Dump")["run"], dump_env)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "backup"
    listing = subprocess.run(
        ["tar", "-tzf", str(folder / f"{name}.tar.gz")], capture_output=True, text=True, check=True
    )
    assert sorted(Path(p).name for p in listing.stdout.split()) == sorted([name, "roles.sql", "schema.sql", "data.sql"])
    check = subprocess.run(
        ["sha256sum", "--check", f"{name}.tar.gz.sha256"], cwd=folder, capture_output=True, check=False
    )
    assert check.returncode == 0

    upload_env = {"BACKUP_BUCKET": "primary-bucket", "NAME": name, "PREFIXES": "daily/ weekly/"}
    result, _ = _run(tmp_path, _step(documents, "Upload")["run"], upload_env)
    assert result.returncode == 0, result.stderr
    uploads = calls.read_text().splitlines()
    assert [line.split()[-1] for line in uploads] == [
        f"s3://primary-bucket/daily/{name}.tar.gz",
        f"s3://primary-bucket/daily/{name}.tar.gz.sha256",
        f"s3://primary-bucket/weekly/{name}.tar.gz",
        f"s3://primary-bucket/weekly/{name}.tar.gz.sha256",
    ]
    # No encryption headers: the bucket default (its own KMS key) applies, as the bucket policy expects.
    assert not any("--sse" in line for line in uploads)


def test_a_failing_dump_fails_the_step(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    _fake_bin(tmp_path, "supabase", "echo 'connection refused' >&2; exit 1\n")
    env = {"SUPABASE_DB_URL": "postgresql://u:p@db/postgres", "KIND": "incremental", "NAME": "x-incremental"}
    result, _ = _run(tmp_path, _step(documents, "Dump")["run"], env)
    assert result.returncode != 0
    assert not (tmp_path / "backup" / "x-incremental.tar.gz").exists()
