"""Checkov on the converted plans: the real stacks pass with reviewed exceptions only, an insecure program fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops import scan as scan_module
from ops.__main__ import main
from ops.terraform.checkov import Finding
from ops.terraform.report import ScanResult
from tests.scan.support import KNOWN_UNMAPPED


def _failed(result: ScanResult) -> set[tuple[str, str]]:
    return {(f.check_id, f.target) for f in result.review.unreviewed}


def _results(result: ScanResult, check_id: str) -> dict[str, bool]:
    return {f.target: f.passed for f in result.findings if f.check_id == check_id}


@pytest.mark.parametrize("name", ["staging_scan", "production_scan"])
def test_both_stacks_have_no_unreviewed_failures(name: str, request: pytest.FixtureRequest) -> None:
    result: ScanResult = request.getfixturevalue(name)
    assert result.review.unreviewed == []
    assert set(result.unmapped_types) <= KNOWN_UNMAPPED
    assert result.passed > 100
    # Every finding on a resource names its Pulumi URN; only provider-level checks have none.
    for finding in result.findings:
        assert finding.urn.startswith(f"urn:pulumi:{result.stack}::") or finding.target.startswith("aws.")


@pytest.mark.parametrize("name", ["staging_scan", "production_scan"])
def test_backup_buckets_abort_incomplete_uploads_everywhere(name: str, request: pytest.FixtureRequest) -> None:
    result: ScanResult = request.getfixturevalue(name)
    lifecycle = _results(result, "CKV_AWS_300")
    assert {t for t in lifecycle if t.endswith(("backup-primary-lifecycle", "backup-replica-lifecycle"))}
    assert all(lifecycle.values()), lifecycle


def test_graph_checks_see_the_configuration_resources_of_each_bucket(production_scan: ScanResult) -> None:
    # Public-access block, lifecycle, versioning and KMS encryption are separate resources in the plan: these
    # checks pass only when the converted configuration connects them to their bucket.
    for check_id in ("CKV2_AWS_6", "CKV2_AWS_61", "CKV_AWS_21"):
        results = _results(production_scan, check_id)
        assert len(results) == 4, (check_id, results)
        assert all(results.values()), (check_id, results)
    encryption = _results(production_scan, "CKV_AWS_145")
    assert sorted(t for t, ok in encryption.items() if ok) == [
        "aws_s3_bucket.platform-production-backup-primary",
        "aws_s3_bucket.platform-production-backup-replica",
    ]


def test_committed_workflows_are_scanned_per_file(production_scan: ScanResult) -> None:
    workflow_findings = [f for f in production_scan.findings if f.framework == "github_actions"]
    files = {f.target.split(" ", 1)[0] for f in workflow_findings}
    assert "lodgetix-app/.github/workflows/backup.yml" in files
    assert len(files) == 4
    for finding in workflow_findings:
        assert "$github:index/repositoryFile:RepositoryFile::" in finding.urn
    # The one workflow finding is reviewed, not absent.
    assert [(f.check_id, e.check) for f, e in production_scan.review.waived if f.framework == "github_actions"] == [
        ("CKV_GHA_7", "CKV_GHA_7")
    ]


def test_an_insecure_program_fails(insecure_scan: ScanResult) -> None:
    failed = _failed(insecure_scan)
    assert ("CKV_AWS_145", "aws_s3_bucket.public") in failed  # not encrypted with KMS
    assert ("CKV2_AWS_6", "aws_s3_bucket.public") in failed  # access block switched off
    assert ("CKV_AWS_53", "aws_s3_bucket_public_access_block.public-access") in failed
    assert ("CKV_AWS_70", "aws_s3_bucket_policy.public-read") in failed  # any principal
    assert ("CKV_AWS_63", "aws_iam_policy.admin") in failed  # "*" actions
    assert ("CKV_AWS_355", "aws_iam_policy.admin") in failed  # "*" resource


def test_connections_come_from_references_not_from_equal_values(insecure_scan: ScanResult) -> None:
    public_access = _results(insecure_scan, "CKV2_AWS_6")
    assert public_access["aws_s3_bucket.connected"] is True
    # Same settings and the same bucket name, but no dependency: Terraform would not connect them either.
    assert public_access["aws_s3_bucket.unconnected"] is False


def test_cli_exit_status_and_report_file(
    insecure_scan: ScanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The scan itself ran once (fixture); this exercises the command line around it.
    monkeypatch.setattr(scan_module, "scan", lambda *_args: insecure_scan)
    sarif_file = tmp_path / "scan.sarif"
    status = main(["scan", "--stack", "test", "--format", "sarif", "--output", str(sarif_file)])
    assert status == 1
    assert "failed" in capsys.readouterr().out
    sarif = json.loads(sarif_file.read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"CKV_AWS_63", "CKV2_AWS_6"}
    for entry in results:
        (location,) = entry["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "Pulumi.test.yaml"
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("urn:pulumi:test::fixture::")
    assert main(["scan", "--stack", "test", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["failed"] == len(insecure_scan.review.unreviewed)
    assert main(["scan", "--stack", "test", "--output", str(tmp_path / "missing" / "report.txt")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_waived_findings_are_suppressed_not_dropped_in_sarif(production_scan: ScanResult) -> None:
    from ops.terraform.report import as_json, sarif

    document = json.loads(sarif(production_scan))
    suppressed = [r for r in document["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == len(production_scan.review.waived) > 0
    assert all(s["suppressions"][0]["justification"] for s in suppressed)
    listed = json.loads(as_json(production_scan))
    assert listed["summary"]["failed"] == 0
    assert {f["result"] for f in listed["findings"]} == {"passed", "waived"}


def test_a_finding_without_a_urn_is_still_reported() -> None:
    from ops.terraform.exceptions import review

    orphan = Finding("CKV_AWS_41", "provider credentials", "terraform_plan", False, "", "aws.default", "")
    assert review([orphan], []).unreviewed == [orphan]
