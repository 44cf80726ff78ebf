"""The IAM policy document `aws.iam.get_policy_document` returns, rendered offline from its invoke arguments."""

from __future__ import annotations

import json
from typing import Any

STATEMENT_LISTS = (
    ("actions", "Action"),
    ("notActions", "NotAction"),
    ("resources", "Resource"),
    ("notResources", "NotResource"),
)
PRINCIPAL_LISTS = (("principals", "Principal"), ("notPrincipals", "NotPrincipal"))


def _one_or_many(values: list[Any]) -> Any:
    """A single value stands alone, as the provider renders it."""
    return values[0] if len(values) == 1 else values


def _statement(statement: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if statement.get("sid"):
        out["Sid"] = statement["sid"]
    out["Effect"] = statement.get("effect") or "Allow"
    for key, iam_key in STATEMENT_LISTS:
        if statement.get(key):
            out[iam_key] = _one_or_many(statement[key])
    for key, iam_key in PRINCIPAL_LISTS:
        if statement.get(key):
            principals: dict[str, Any] = {}
            for principal in statement[key]:
                ids = principal["identifiers"]
                if principal["type"] == "*" and ids == ["*"]:
                    principals = "*"  # type: ignore[assignment]
                    break
                principals[principal["type"]] = _one_or_many(ids)
            out[iam_key] = principals
    if statement.get("conditions"):
        conditions: dict[str, dict[str, Any]] = {}
        for condition in statement["conditions"]:
            conditions.setdefault(condition["test"], {})[condition["variable"]] = _one_or_many(condition["values"])
        out["Condition"] = conditions
    return out


def policy_document_json(args: dict[str, Any]) -> str:
    """What `aws.iam.get_policy_document` returns for camelCase invoke arguments."""
    statements = [_statement(statement) for statement in args.get("statements") or []]
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    return json.dumps(document, indent=2)
