"""Each stack names its AWS account; one provider locked to it (allowed_account_ids) carries every AWS resource
and invoke; the account is exported; ARNs of another account are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from components.settings.account import AccountSettings
from ops import offline
from ops.offline import Evaluation, evaluate
from tests.support.repository import REPO
from tests.support.settings import problems_with_edit
from tests.support.stack_files import NAMESPACE, load_stack


def _account(stack: str) -> str:
    return load_stack(stack)["config"][f"{NAMESPACE}:account"]["aws_account_id"]


def test_the_committed_stacks_name_two_accounts() -> None:
    assert _account("staging") != _account("production")
    for stack in ("staging", "production"):
        assert isinstance(_account(stack), str)
        assert len(_account(stack)) == 12


def test_one_aws_provider_locked_to_the_stack_account_carries_every_aws_resource(stack: Evaluation) -> None:
    [provider] = stack.of_type("pulumi:providers:aws")
    account = _account(stack.stack)
    assert provider.plain_inputs["allowedAccountIds"] in ([account], f'["{account}"]')
    assert provider.plain_inputs["region"] == stack.config["aws:region"]
    aws_resources = [r for r in stack.resources if r.type.startswith("aws:") and r.custom]
    assert len(aws_resources) > 50
    assert {r.provider.rsplit("::", 1)[0] for r in aws_resources} == {provider.urn}


def test_the_account_is_exported(stack: Evaluation) -> None:
    assert stack.outputs["aws_account_id"] == _account(stack.stack)


@pytest.mark.parametrize("stack_name", ["staging", "production"])
def test_every_aws_invoke_goes_through_the_locked_provider(monkeypatch: pytest.MonkeyPatch, stack_name: str) -> None:
    calls: list[tuple[str, str]] = []
    original = offline.OfflineMocks.call

    def recording(self: offline.OfflineMocks, args: Any) -> dict[str, Any]:
        calls.append((args.token, args.provider))
        return original(self, args)

    monkeypatch.setattr(offline.OfflineMocks, "call", recording)
    evaluation = evaluate(REPO, stack_name)
    [provider] = evaluation.of_type("pulumi:providers:aws")
    aws_calls = [(token, ref) for token, ref in calls if token.startswith("aws:")]
    assert {token for token, _ in aws_calls} >= {"aws:index/getCallerIdentity:getCallerIdentity"}
    assert [(t, ref) for t, ref in aws_calls if not ref.startswith(provider.urn + "::")] == []


def test_the_account_is_required() -> None:
    assert problems_with_edit("staging", lambda raw: raw.pop("account")) == [
        f"{NAMESPACE}:account: is required but not set"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (123456789012, "must be a quoted string of 12 digits (YAML reads a bare number as an integer)"),
        ("12345678901", "'12345678901' is not an AWS account id (exactly 12 digits)"),
        ("1234567890123", "'1234567890123' is not an AWS account id (exactly 12 digits)"),
        ("12345678901x", "'12345678901x' is not an AWS account id (exactly 12 digits)"),
        ("123456789012\n", "'123456789012\\n' is not an AWS account id (exactly 12 digits)"),
        ("١٢٣٤٥٦٧٨٩٠١٢", "'١٢٣٤٥٦٧٨٩٠١٢' is not an AWS account id (exactly 12 digits)"),  # Unicode digits
    ],
)
def test_an_account_id_must_be_a_string_of_exactly_12_digits(value: Any, message: str) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["account"]["aws_account_id"] = value

    assert problems_with_edit("staging", edit) == [f"{NAMESPACE}:account.aws_account_id: {message}"]


def test_an_existing_oidc_provider_of_another_account_is_refused() -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["github"]["oidc"] = {
            "create_provider": False,
            "provider_arn": "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
        }

    assert problems_with_edit("staging", edit) == [
        f"{NAMESPACE}:github.oidc.provider_arn: is in account 999999999999, not this stack's {_account('staging')}"
    ]


def test_deploy_policies_of_another_account_are_refused_and_aws_managed_ones_accepted() -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["github"]["oidc"]["deploy_policy_arns"] = [
            "arn:aws:iam::aws:policy/AWSLambda_FullAccess",
            f"arn:aws:iam::{_account('staging')}:policy/deploy",
            "arn:aws:iam::999999999999:policy/deploy",
        ]

    assert problems_with_edit("staging", edit) == [
        f"{NAMESPACE}:github.oidc.deploy_policy_arns[2]: is a policy of account 999999999999, not this stack's"
        f" {_account('staging')} (or AWS-managed)"
    ]


def test_a_wrong_account_in_a_program_run_registers_nothing(tmp_path: Path) -> None:
    from tests.support.programs import evaluate_with

    def edit(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:account"]["aws_account_id"] = 12

    with pytest.raises(offline.ProgramError) as caught:
        evaluate_with(tmp_path, "staging", edit)
    assert caught.value.settings
    assert f"Pulumi.staging.yaml: {NAMESPACE}:account.aws_account_id: must be a quoted string" in caught.value.message


@given(st.text(max_size=20))
def test_only_strings_of_exactly_12_ascii_digits_are_account_ids(value: str) -> None:
    valid = len(value) == 12 and all("0" <= c <= "9" for c in value)
    try:
        AccountSettings(aws_account_id=value)
    except ValidationError:
        assert not valid
    else:
        assert valid


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_every_12_digit_string_is_an_account_id(value: str) -> None:
    assert AccountSettings(aws_account_id=value).aws_account_id == value
