"""The reviewed-exceptions file: strict to read, narrow to match, and a bad file stops the scan (exit 2)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ops.__main__ import main
from ops.terraform import exceptions
from ops.terraform.checkov import Finding
from tests.support.repository import REPO

URN = "urn:pulumi:staging::functions-platform::platform:backup:BackupVault$aws:s3/bucket:Bucket::platform-staging-backup-primary-access-logs"
VALID = """
exceptions:
  - check: CKV_AWS_144
    resource: "urn:pulumi:*$aws:s3/bucket:Bucket::*-access-logs"
    reason: Access logs are diagnostic and stay in their region.
    reviewer: platform-team
    date: 2026-12-01
"""


def _finding(check_id: str = "CKV_AWS_144", urn: str = URN, target: str = "aws_s3_bucket.logs") -> Finding:
    return Finding(check_id, "a check", "terraform_plan", False, urn, target, "")


def _load(tmp_path: Path, text: str) -> list[exceptions.ReviewedException]:
    path = tmp_path / exceptions.FILE_NAME
    path.write_text(text)
    return exceptions.load(path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(exceptions.ExceptionsFileError) as caught:
        _load(tmp_path, text)
    return str(caught.value)


def test_the_committed_file_is_valid_and_every_entry_is_reviewed() -> None:
    entries = exceptions.load(REPO / exceptions.FILE_NAME)
    assert entries
    for entry in entries:
        assert entry.reviewer
        assert entry.date <= datetime.date.today()
        assert entry.resource.startswith("urn:pulumi:")  # patterns over URNs, not over everything


def test_an_entry_waives_only_its_check_on_matching_resources(tmp_path: Path) -> None:
    (entry,) = _load(tmp_path, VALID)
    assert entry.matches(_finding())
    assert not entry.matches(_finding(check_id="CKV_AWS_145"))
    assert not entry.matches(_finding(urn=URN.removesuffix("-access-logs")))  # the backup bucket itself
    outcome = exceptions.review([_finding(), _finding(check_id="CKV_AWS_145")], [entry])
    assert [f.check_id for f, _ in outcome.waived] == ["CKV_AWS_144"]
    assert [f.check_id for f in outcome.unreviewed] == ["CKV_AWS_145"]
    assert outcome.unused == []
    assert exceptions.review([], [entry]).unused == [entry]


def test_a_pattern_can_name_the_terraform_address(tmp_path: Path) -> None:
    (entry,) = _load(
        tmp_path, VALID.replace('"urn:pulumi:*$aws:s3/bucket:Bucket::*-access-logs"', "aws_s3_bucket.logs")
    )
    assert entry.matches(_finding(urn=""))
    assert not entry.matches(_finding(urn="", target="aws_s3_bucket.logs2"))


def test_passed_checks_are_never_waived(tmp_path: Path) -> None:
    (entry,) = _load(tmp_path, VALID)
    passed = Finding("CKV_AWS_144", "a check", "terraform_plan", True, URN, "aws_s3_bucket.logs", "")
    assert exceptions.review([passed], [entry]).waived == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda text: text.replace("CKV_AWS_144", "ckv_aws_144"), "exceptions[0].check"),
        (lambda text: text.replace("    reviewer: platform-team\n", ""), "exceptions[0].reviewer: Field required"),
        (lambda text: text.replace("date: 2026-12-01", 'date: "yesterday"'), "exceptions[0].date"),
        (
            lambda text: text.replace("Access logs are diagnostic and stay in their region.", "ok"),
            "exceptions[0].reason",
        ),
        (lambda text: text.replace("reviewer: platform-team", "reviewer: '  '"), "exceptions[0].reviewer"),
        (lambda text: text + "    approved: true\n", "exceptions[0].approved: Extra inputs are not permitted"),
        (
            lambda text: text.replace("    reviewer: platform-team\n", "    reviewer: a\n    reviewer: b\n"),
            "duplicate key",
        ),
        (lambda _text: "exceptions: {check: CKV_AWS_1}\n", "exceptions: Input should be a valid list"),
        (lambda _text: "[unclosed\n", "not valid YAML"),
        (lambda _text: "waivers: []\n", "waivers: Extra inputs are not permitted"),
    ],
)
def test_a_bad_file_names_the_key(tmp_path: Path, edit, expected: str) -> None:
    message = _error(tmp_path, edit(VALID))
    assert message.startswith(f"{exceptions.FILE_NAME}: ")
    assert expected in message


def test_no_file_means_no_exceptions(tmp_path: Path) -> None:
    assert exceptions.load(tmp_path / "absent.yaml") == []


@pytest.mark.parametrize("content", [None, b"\xff\xfe not text"])
def test_an_unreadable_file_is_an_error_not_a_traceback(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / exceptions.FILE_NAME
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(exceptions.ExceptionsFileError, match="cannot be read"):
        exceptions.load(path)


def test_a_bad_file_stops_the_scan_before_checkov(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "exceptions.yaml"
    bad.write_text("exceptions:\n  - check: nope\n")
    assert main(["scan", "--stack", "staging", "--exceptions", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "exceptions.yaml: exceptions[0].check" in err
    assert "Traceback" not in err


def test_an_unknown_stack_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--stack", "nope"]) == 2
    assert "Pulumi.nope.yaml" in capsys.readouterr().err
