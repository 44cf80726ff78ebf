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


def _statement(st: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if st.get("sid"):
        out["Sid"] = st["sid"]
    out["Effect"] = st.get("effect") or "Allow"
    for key, iam_key in STATEMENT_LISTS:
        if st.get(key):
            out[iam_key] = _one_or_many(st[key])
    for key, iam_key in PRINCIPAL_LISTS:
        if st.get(key):
            principals: dict[str, Any] = {}
            for p in st[key]:
                ids = p["identifiers"]
                if p["type"] == "*" and ids == ["*"]:
                    principals = "*"  # type: ignore[assignment]
                    break
                principals[p["type"]] = _one_or_many(ids)
            out[iam_key] = principals
    if st.get("conditions"):
        conditions: dict[str, dict[str, Any]] = {}
        for c in st["conditions"]:
            conditions.setdefault(c["test"], {})[c["variable"]] = _one_or_many(c["values"])
        out["Condition"] = conditions
    return out


def policy_document_json(args: dict[str, Any]) -> str:
    """What `aws.iam.get_policy_document` returns for camelCase invoke arguments."""
    statements = [_statement(st) for st in args.get("statements") or []]
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    return json.dumps(document, indent=2)
