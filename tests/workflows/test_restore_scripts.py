"""The restore drill's shell logic, run for real against fake S3: newest backup, checksum, RTO gate."""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_aws import install_fake_aws, published_metrics
from tests.support.shell import run_step_script

RESTORE = ".github/workflows/restore-drill.yml"


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


APP = {"BACKUP_APP": "app", "BACKUP_ENVIRONMENT": "production", "BACKUP_METRIC_NAMESPACE": "Platform/Backups"}


def _bucket(tmp_path: Path, tamper_newest: bool = False) -> dict[str, str]:
    """The replica with two apps: `app` and `app-admin`, whose dump is newer than any of `app`'s."""
    fake = install_fake_aws(tmp_path)
    daily = tmp_path / "s3" / "replica" / "daily"
    for app, names in (
        ("app", ["20260601T020000Z-full", "20260602T020000Z-full"]),
        ("app-admin", ["20260609T020000Z-full"]),
    ):
        (daily / app).mkdir(parents=True)
        for name in names:
            _archive(daily / app, name, tamper=tamper_newest and name == "20260602T020000Z-full")
    return {"REPLICA_BUCKET": "replica", **APP, **fake}


def test_downloads_its_own_apps_newest_full_backup_and_verifies_it(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]
) -> None:
    env = _bucket(tmp_path)
    result = run_step_script(tmp_path, _step(documents, "Download")["run"], env)
    assert result.returncode == 0, result.stderr
    # Not app-admin's newer dump: `daily/app/` is not a prefix of `daily/app-admin/`.
    assert result.outputs["archive"] == "daily/app/20260602T020000Z-full.tar.gz"
    assert (Path(result.outputs["folder"]) / "schema.sql").exists()
    assert abs(int(result.outputs["started"]) - time.time()) < 60
    other = run_step_script(tmp_path, _step(documents, "Download")["run"], {**env, "BACKUP_APP": "app-admin"})
    assert other.returncode == 0, other.stderr
    assert other.outputs["archive"] == "daily/app-admin/20260609T020000Z-full.tar.gz"


def test_a_corrupt_backup_fails_the_drill(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    env = _bucket(tmp_path, tamper_newest=True)
    result = run_step_script(tmp_path, _step(documents, "Download")["run"], env)
    assert result.returncode != 0
    assert "archive" not in result.outputs


def test_an_app_without_dumps_fails_the_drill(tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]) -> None:
    # Another app's dumps are there; this app has none, so there is nothing of its own to restore.
    env = {**_bucket(tmp_path), "BACKUP_APP": "new-app"}
    result = run_step_script(tmp_path, _step(documents, "Download")["run"], env)
    assert result.returncode != 0
    assert "no full backup under daily/new-app/" in result.stdout
    assert "archive" not in result.outputs


def _age_step(documents: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    (step,) = [s for s in documents["production"][RESTORE]["jobs"]["drill-age"]["steps"] if "run" in s]
    return step


@pytest.mark.parametrize(
    ("status", "started", "expected"),
    [
        ("success", 3600, [("RestoreDrillSucceeded", 1), ("RestoreDrillDurationSeconds", 3600)]),
        ("failure", 5 * 3600, [("RestoreDrillSucceeded", 0), ("RestoreDrillDurationSeconds", 5 * 3600)]),
        ("cancelled", None, [("RestoreDrillSucceeded", 0)]),  # failed before the download began
    ],
)
def test_the_drill_publishes_its_result_and_duration(
    tmp_path: Path,
    documents: dict[str, dict[str, dict[str, Any]]],
    status: str,
    started: int | None,
    expected: list[tuple[str, int]],
) -> None:
    fake = install_fake_aws(tmp_path)
    step = _step(documents, "Publish the drill result")
    assert step["if"] == "always()", "a failed or timed-out drill must still report"
    env = {"JOB_STATUS": status, "BACKUP_METRICS_REGION": "us-east-1", **APP, **fake}
    env["STARTED"] = "" if started is None else str(int(time.time()) - started)
    result = run_step_script(tmp_path, step["run"], env)
    assert result.returncode == 0, result.stderr
    metrics = published_metrics(tmp_path)
    assert [m["metric"] for m in metrics] == [name for name, _ in expected]
    for metric, (_, value) in zip(metrics, expected, strict=True):
        assert abs(int(metric["value"]) - value) < 60
        assert (metric["region"], metric["namespace"]) == ("us-east-1", "Platform/Backups")
        assert metric["dimensions"] == "Environment=production,Repository=app"


@pytest.mark.parametrize(
    ("newest_success_hours_ago", "expected_days"),
    [(84, "3.50"), (1, "0.04"), (24 * 40, "40.00"), (None, "62")],
)
def test_the_daily_job_publishes_the_days_since_the_last_successful_drill(
    tmp_path: Path,
    documents: dict[str, dict[str, dict[str, Any]]],
    newest_success_hours_ago: int | None,
    expected_days: str,
) -> None:
    fake = install_fake_aws(tmp_path)
    env = {"BACKUP_METRICS_REGION": "us-east-1", **APP, **fake}
    if newest_success_hours_ago is not None:
        newest = time.gmtime(time.time() - newest_success_hours_ago * 3600 - 60)
        env["FAKE_NEWEST_DRILL"] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", newest)
    result = run_step_script(tmp_path, _age_step(documents)["run"], env)
    assert result.returncode == 0, result.stderr
    (metric,) = published_metrics(tmp_path)
    assert (metric["metric"], metric["value"]) == ("RestoreDrillAgeDays", expected_days)
    assert metric["dimensions"] == "Environment=production,Repository=app"


def test_restore_time_is_reported_and_gated_by_the_rto(
    tmp_path: Path, documents: dict[str, dict[str, dict[str, Any]]]
) -> None:
    (tmp_path / "integrity.txt").write_text("integrity checks passed\n")
    script = _step(documents, "Measure")["run"]
    now = int(time.time())
    within = run_step_script(
        tmp_path, script, {"RTO_HOURS": "4", "STARTED": str(now - 3600), "ARCHIVE": "daily/a.tar.gz"}
    )
    assert within.returncode == 0, within.stderr
    summary = within.summary
    assert "RTO: 4 h = 14400 s" in summary
    assert "integrity checks passed" in summary
    over = run_step_script(
        tmp_path, script, {"RTO_HOURS": "4", "STARTED": str(now - 5 * 3600), "ARCHIVE": "daily/a.tar.gz"}
    )
    assert over.returncode != 0
    assert "over the RTO of 4 h" in over.stdout
