"""Which AWS account a stack deploys to, and the account-wide resources a stack may create there."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from .base import StrictSettings, must_match

ACCOUNT_ID_PATTERN = r"^[0-9]{12}$"
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def _quoted(value: Any) -> Any:
    # YAML reads an unquoted 012345678901 as a number and drops the leading zero: insist on a string.
    if not isinstance(value, str):
        raise ValueError("must be a quoted string of 12 digits (YAML reads a bare number as an integer)")
    return value


AwsAccountId = Annotated[
    str,
    BeforeValidator(_quoted),
    AfterValidator(must_match(_ACCOUNT_ID, "'{value}' is not an AWS account id (exactly 12 digits)")),
    Field(json_schema_extra={"pattern": ACCOUNT_ID_PATTERN}),
]


def account_of_arn(arn: str) -> str:
    """The account field of an ARN (empty for AWS-managed or account-less ARNs)."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else ""


class AccountSettings(StrictSettings):
    """The AWS account this stack deploys to. Every AWS provider of the program refuses any other account."""

    aws_account_id: AwsAccountId = Field(
        description="The 12-digit AWS account id, quoted. Credentials for another account stop the deploy"
        " before anything is touched (the provider's allowed_account_ids)."
    )
