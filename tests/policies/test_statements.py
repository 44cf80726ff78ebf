"""The statement evaluator on its own: actions, principals, resources and conditions judged by effect."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from policies.statements import PolicyDocumentError, exposures, matches, parse_statements
from tests.policies.support import policy_resource

OWN_ACCOUNTS = {"123456789012"}


def allow_statement(**statement: Any) -> Any:
    """One parsed Allow statement made of `statement`'s keys."""
    return parse_statements(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}))[0]


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("sns:Pub*", "sns:Publish", True),
        ("SNS:publish", "sns:Publish", True),
        ("*:*", "kms:Decrypt", True),
        ("*", "iam:PassRole", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("iam:Pass*", "iam:PassRole", True),
    ],
)
def test_action_wildcards(pattern: str, action: str, expected: bool) -> None:
    assert matches(pattern, action) is expected
    assert allow_statement(Action=pattern, Resource="*").grants_action(action) is expected


def test_not_action_grants_everything_else() -> None:
    statement = allow_statement(NotAction=["s3:DeleteObject"], Resource="*")
    assert statement.grants_action("s3:GetObject")
    assert not statement.grants_action("s3:DeleteObject")
    assert statement.grants_all_actions()


@pytest.mark.parametrize(
    ("principal", "public"),
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["arn:aws:iam::*:root"]}, True),
        ({"AWS": "arn:aws:iam::123456789012:root"}, False),
        ({"Service": "sns.amazonaws.com"}, False),
    ],
)
def test_public_principals(principal: Any, public: bool) -> None:
    assert allow_statement(Principal=principal, Action="s3:GetObject", Resource="*").principal_is_public() is public


def test_not_principal_in_an_allow_is_public() -> None:
    assert allow_statement(
        NotPrincipal={"AWS": "arn:aws:iam::123456789012:root"}, Action="s3:*", Resource="*"
    ).principal_is_public()


def test_foreign_accounts() -> None:
    statement = allow_statement(
        Principal={"AWS": ["999999999999", "arn:aws:iam::123456789012:role/x"]}, Action="*", Resource="*"
    )
    assert statement.foreign_accounts(OWN_ACCOUNTS) == ["999999999999"]


@pytest.mark.parametrize(
    ("condition", "narrows"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"StringEquals": {"aws:SourceAccount": "999999999999"}}, False),
        ({"StringLike": {"aws:SourceAccount": "*"}}, False),
        ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}, False),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:*:alarm:*"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, False),
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, True),
        ({"StringEquals": {"kms:CallerAccount": "123456789012"}}, True),
        ({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, False),
    ],
)
def test_which_conditions_narrow_access(condition: dict[str, Any], narrows: bool) -> None:
    statement = allow_statement(Principal="*", Action="sns:Publish", Resource="*", Condition=condition)
    assert bool(statement.narrowing(OWN_ACCOUNTS, set())) is narrows
    assert bool(exposures([statement], ["sns:Publish"], OWN_ACCOUNTS)) is not narrows


def test_organisation_conditions_must_name_our_organisation_when_it_is_declared() -> None:
    statement = allow_statement(
        Principal="*",
        Action="s3:GetObject",
        Resource="*",
        Condition={"StringEquals": {"aws:PrincipalOrgID": "o-theirs"}},
    )
    assert statement.narrowing(OWN_ACCOUNTS, {"o-ours"}) == []
    assert statement.narrowing(OWN_ACCOUNTS, set())


def test_a_deny_for_everyone_outside_the_account_cancels_a_public_allow() -> None:
    statements = parse_statements(
        json.dumps(
            {
                "Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "*",
                        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}},
                    },
                ]
            }
        )
    )
    assert exposures(statements, ["s3:GetObject"], OWN_ACCOUNTS) == []
    # ...but a Deny with IfExists lets callers without the key through.
    statements[1].condition["StringNotEqualsIfExists"] = statements[1].condition.pop("StringNotEquals")  # type: ignore[attr-defined]
    assert exposures(statements, ["s3:GetObject"], OWN_ACCOUNTS)


def test_wildcard_resources() -> None:
    assert allow_statement(Action="iam:PassRole", Resource="*").wildcard_resources() == ["*"]
    assert allow_statement(Action="iam:PassRole", Resource="arn:aws:iam::123456789012:role/*").wildcard_resources()
    assert (
        allow_statement(Action="iam:PassRole", Resource="arn:aws:iam::123456789012:role/app").wildcard_resources() == []
    )
    assert allow_statement(Action="iam:PassRole", NotResource="arn:aws:iam::123456789012:role/app").wildcard_resources()
    assert allow_statement(Action="s3:PutObject", Resource="arn:aws:s3:::b/*").applies_to_every_resource() is False


def test_tls_deny() -> None:
    deny = parse_statements(
        json.dumps(
            {
                "Statement": {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": False}},
                }
            }
        )
    )[0]
    assert deny.denies_without_tls()


@pytest.mark.parametrize(
    "document", ["{not json", "[1]", json.dumps({"Statement": ["x"]}), json.dumps({"Statement": {"Action": 3}})]
)
def test_unreadable_documents_are_refused(document: str) -> None:
    with pytest.raises(PolicyDocumentError):
        parse_statements(document)


def test_our_accounts_are_those_our_own_arns_name() -> None:
    from policies.statements import stack_accounts

    def resource(props: dict[str, Any]) -> PolicyResource:
        return policy_resource("t", props, urn="urn:x")

    resources = [
        resource({"arn": "arn:aws:iam::111122223333:role/app"}),
        resource(
            {
                "rules": [
                    {"destination": {"account": "999999999999", "bucket": "arn:aws:kms:us-east-1:999999999999:key/k"}}
                ],
                "role": "arn:aws:iam::111122223333:role/replication",
            }
        ),
        resource({"policy": '{"Statement": [{"Principal": {"AWS": "arn:aws:iam::888888888888:root"}}]}'}),
        resource({"granteePrincipal": "arn:aws:iam::777777777777:root"}),
    ]
    assert stack_accounts(resources, {"accountIds": ["222233334444"]}) == {"111122223333", "222233334444"}


def test_naming_an_account_before_ours_is_known_is_deferred_not_called_foreign() -> None:
    from pulumi_policy.proxy import UnknownValueError

    statement = allow_statement(Principal={"AWS": "arn:aws:iam::123456789012:root"}, Action="kms:*", Resource="*")
    with pytest.raises(UnknownValueError, match="may or may not be ours"):
        exposures([statement], ["kms:Decrypt"], set())
    assert exposures([statement], ["kms:Decrypt"], OWN_ACCOUNTS) == []
