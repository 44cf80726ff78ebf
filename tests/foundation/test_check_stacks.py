"""`python -m ops check-stacks`: stacks that would collide in one AWS account or one repository are refused,
naming both files and the setting that resolves it; unreadable or invalid stack files exit 2."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.__main__ import main
from tests.support.repository import REPO
from tests.support.stack_files import NAMESPACE, load_stack

Edit = Callable[[dict[str, Any]], None]
OTHER_ACCOUNT = "210987654321"


def _program(tmp_path: Path, staging: Edit | None = None, production: Edit | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    for stack, edit in (("staging", staging), ("production", production)):
        document = copy.deepcopy(load_stack(stack))
        if edit is not None:
            edit(document["config"])
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return tmp_path


def _check_stacks(program: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["check-stacks", "--program", str(program)])
    captured = capsys.readouterr()
    return status, [line for line in (captured.err + captured.out).splitlines() if line]


def _account(account: str) -> Edit:
    def edit(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:account"]["aws_account_id"] = account

    return edit


def test_the_committed_stacks_fit_together(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = _check_stacks(REPO, capsys)
    assert (status, lines) == (
        0,
        ["check-stacks: 2 stack file(s) fit together: Pulumi.production.yaml, Pulumi.staging.yaml"],
    )


def test_both_stacks_in_one_account_are_refused_naming_files_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staging_account = load_stack("staging")["config"][f"{NAMESPACE}:account"]["aws_account_id"]
    status, lines = _check_stacks(_program(tmp_path, production=_account(staging_account)), capsys)
    assert status == 1
    where = "Pulumi.production.yaml and Pulumi.staging.yaml both create"
    assert lines == [
        f"check-stacks: {where} the GitHub OIDC provider (token.actions.githubusercontent.com) in AWS account"
        f" {staging_account}; set github.oidc.create_provider: false with github.oidc.provider_arn set to the"
        " other stack's provider in one of them",
        f"check-stacks: {where} the dimensional SERVICE cost anomaly monitor in AWS account {staging_account};"
        " set cost.anomaly.enabled: false (the other stack's monitor covers the whole account) in one of them",
    ]


def test_one_account_is_accepted_once_the_named_settings_are_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account = load_stack("staging")["config"][f"{NAMESPACE}:account"]["aws_account_id"]

    def resolved(config: dict[str, Any]) -> None:
        _account(account)(config)
        config[f"{NAMESPACE}:github"]["oidc"] = {
            "create_provider": False,
            "provider_arn": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
        }
        config[f"{NAMESPACE}:cost"]["anomaly"]["enabled"] = False

    assert _check_stacks(_program(tmp_path, production=resolved), capsys)[0] == 0


def test_tag_activation_in_two_stacks_of_one_account_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def activating(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:cost"]["activate_tag_keys"] = True

    separate = _program(tmp_path / "separate", staging=activating, production=activating)
    assert _check_stacks(separate, capsys)[0] == 0  # two accounts: each activates its own

    def shared(config: dict[str, Any]) -> None:
        activating(config)
        _account(OTHER_ACCOUNT)(config)

    status, lines = _check_stacks(_program(tmp_path / "shared", staging=shared, production=shared), capsys)
    assert status == 1
    assert any(
        "the activation of the cost-allocation tag keys" in line and "cost.activate_tag_keys: false" in line
        for line in lines
    )


def test_two_stacks_of_one_environment_in_one_account_collide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = _program(tmp_path)
    shutil.copy(program / "Pulumi.staging.yaml", program / "Pulumi.staging2.yaml")
    status, lines = _check_stacks(program, capsys)
    assert status == 1
    assert lines[0].startswith(
        "check-stacks: Pulumi.staging.yaml and Pulumi.staging2.yaml both deploy environment staging to AWS account"
    )


def test_two_owners_of_a_repository_s_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def owns_files(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:github"]["workflows"]["manage_files"] = True

    status, lines = _check_stacks(_program(tmp_path, staging=owns_files), capsys)
    assert status == 1
    assert lines == [
        "check-stacks: Pulumi.production.yaml and Pulumi.staging.yaml both create the committed workflow files and"
        " .env.example in the repository lodgetix/lodgetix-app; set github.workflows.manage_files: false in one of them"
    ]


def test_an_unquoted_account_id_exits_2_naming_file_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def unquoted(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:account"]["aws_account_id"] = 12345678901  # YAML int: the leading zero is gone

    status, lines = _check_stacks(_program(tmp_path, staging=unquoted), capsys)
    assert status == 2
    assert lines == [
        "check-stacks: invalid stack files:",
        f"Pulumi.staging.yaml: {NAMESPACE}:account.aws_account_id: must be a quoted string of 12 digits"
        " (YAML reads a bare number as an integer)",
    ]


@pytest.mark.parametrize("account", ["12345678901", "1234567890123", "12345678901a", "123456789012\n", " 123456789012"])
def test_an_account_id_that_is_not_exactly_12_digits_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], account: str
) -> None:
    status, lines = _check_stacks(_program(tmp_path, production=_account(account)), capsys)
    assert status == 2
    assert lines[1].startswith(f"Pulumi.production.yaml: {NAMESPACE}:account.aws_account_id: '")
    assert lines[-1].endswith("is not an AWS account id (exactly 12 digits)")


def test_a_stack_file_that_is_not_yaml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = _program(tmp_path)
    (program / "Pulumi.staging.yaml").write_text("config: [unclosed\n")
    status, lines = _check_stacks(program, capsys)
    assert status == 2
    assert lines[1].startswith("Pulumi.staging.yaml, line 2, column 1: not valid YAML")
    assert not any("Traceback" in line for line in lines)


@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        (b"\xff\xfe\n", "not UTF-8 text (byte 0xff)"),
        (b"  functions-platform:environment: production\n", "functions-platform:environment"),
        (b"secretsprovider: [1]\n", "`secretsprovider` must be a string"),
    ],
    ids=["not-utf-8", "duplicate-key", "bad-top-level-value"],
)
def test_a_stack_file_is_read_as_strictly_as_by_ops_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tail: bytes, problem: str
) -> None:
    """The same reader as `ops plan` (ops/stack_files.py): refused with exit 2 naming the file, never a traceback."""
    program = _program(tmp_path)
    with (program / "Pulumi.staging.yaml").open("ab") as stack_file:
        stack_file.write(tail)
    status, lines = _check_stacks(program, capsys)
    assert status == 2
    assert lines[1].startswith("Pulumi.staging.yaml"), lines
    assert problem in lines[1], lines
    assert not any("Traceback" in line or "internal error" in line for line in lines)


def test_a_program_without_stack_files_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    status, lines = _check_stacks(tmp_path, capsys)
    assert (status, lines[-1]) == (2, f"{tmp_path}: no Pulumi.<stack>.yaml to check")
