"""The restore drill's shell logic, run for real against fake S3: newest backup, checksum, RTO gate."""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
from pathlib import Path
from typing import Any

from tests.workflows.test_backup_scripts import _fake_bin, _run

RESTORE = ".github/workflows/restore-drill.yml"

# Fake `aws`: list-objects-v2 prints the keys under the bucket folder tab-separated; `s3 cp` copies files.
FAKE_AWS = """\
bucket_root="${FAKE_S3}"
if [ "$1" = s3api ]; then
  cd "${bucket_root}" && find daily -type f | sort -r | paste -sd '\\t' -
elif [ "$1" = s3 ] && [ "$2" = cp ]; then
  shift 2
  [ "$1" = --only-show-errors ] && shift
  cp "${bucket_root}/${1#s3://*/}" "$2"
fi
"""


def _step(documents: dict[str, dict[str, dict[str, Any]]], name_start: str) -> dict[str, Any]:
    steps = documents["production"][RESTORE]["jobs"]["restore-drill"]["steps"]
    return next(step for step in steps if step["name"].startswith(name_start))


def _archive(folder: Path, name: str, tamper: bool = False) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for member in ("roles.sql", "schema.sql", "data.sql"):
            data = f"-- {member}\n".encode()
            info = tarfile.TarInfo(f"{name}/{member}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    content = buffer.getvalue()
    (folder / f"{name}.tar.gz").write_bytes(content + (b"x" if tamper else b""))
    (folder / f"{name}.tar.gz.sha256").write_text(f"{hashlib.sha256(content).hexdigest()}  {name}.tar.gz\n")


def _bucket(tmp_path: Path, tamper_newest: bool = False) -> Path:
    daily = tmp_path / "s3" / "daily"
    daily.mkdir(parents=True)
    _archive(daily, "20260601T020000Z-full")
    _archive(daily, "20260602T020000Z-full", tamper=tamper_newest)
    return tmp_path / "s3"


def test_downloads_the_newest_full_backup_and_verifies_it(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]
) -> None:
    _fake_bin(tmp_path, "aws", FAKE_AWS)
    env = {"REPLICA_BUCKET": "replica", "FAKE_S3": str(_bucket(tmp_path))}
    result, outputs = _run(tmp_path, _step(documents, "Download")["run"], env)
    assert result.returncode == 0, result.stderr
    assert outputs["archive"] == "daily/20260602T020000Z-full.tar.gz"
    assert (Path(outputs["folder"]) / "schema.sql").exists()
    assert abs(int(outputs["started"]) - time.time()) < 60


def test_a_corrupt_backup_fails_the_drill(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    _fake_bin(tmp_path, "aws", FAKE_AWS)
    env = {"REPLICA_BUCKET": "replica", "FAKE_S3": str(_bucket(tmp_path, tamper_newest=True))}
    result, outputs = _run(tmp_path, _step(documents, "Download")["run"], env)
    assert result.returncode != 0
    assert "archive" not in outputs


def test_an_empty_replica_fails_the_drill(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    _fake_bin(tmp_path, "aws", FAKE_AWS)
    (tmp_path / "s3" / "daily").mkdir(parents=True)
    result, _ = _run(
        tmp_path, _step(documents, "Download")["run"], {"REPLICA_BUCKET": "r", "FAKE_S3": str(tmp_path / "s3")}
    )
    assert result.returncode != 0
    assert "no full backup" in result.stdout


def test_restore_time_is_reported_and_gated_by_the_rto(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]
) -> None:
    (tmp_path / "integrity.txt").write_text("integrity checks passed\n")
    script = _step(documents, "Measure")["run"]
    now = int(time.time())
    within, _ = _run(tmp_path, script, {"RTO_HOURS": "4", "STARTED": str(now - 3600), "ARCHIVE": "daily/a.tar.gz"})
    assert within.returncode == 0, within.stderr
    summary = (tmp_path / "summary").read_text()
    assert "RTO: 4 h = 14400 s" in summary
    assert "integrity checks passed" in summary
    over, _ = _run(tmp_path, script, {"RTO_HOURS": "4", "STARTED": str(now - 5 * 3600), "ARCHIVE": "daily/a.tar.gz"})
    assert over.returncode != 0
    assert "over the RTO of 4 h" in over.stdout
