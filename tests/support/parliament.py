"""parliament's findings for policy documents (the bar is zero findings).

parliament reads every document as an identity policy. Two kinds of document here are not, and each is
shown to it with the one element it expects made explicit, with the same meaning:
- a KMS key policy says `Resource: "*"`, which means "this key": parliament gets the key's ARN;
- a role trust policy may not have a Resource (IAM refuses one): parliament gets the role's own ARN, the
  resource that `sts:AssumeRole*` acts on.
For the GitHub OIDC trust (components/github/oidc.py), parliament also does not know an IAM OIDC provider
as a federated principal, nor the provider's `<host>:aud` / `<host>:sub` condition keys: exactly those
findings are expected; anything else counts, including an unknown action or a malformed condition.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from parliament import analyze_policy_string

from ops.offline import RecordedResource
from tests.support.policy_documents import policy_document

_GITHUB_OIDC = "token.actions.githubusercontent.com"
GITHUB_OIDC_FALSE_POSITIVES = (
    f"UNKNOWN_FEDERATION_SOURCE: arn:aws:iam::123456789012:oidc-provider/{_GITHUB_OIDC} @",
    f"UNKNOWN_CONDITION_FOR_ACTION: Unknown condition {_GITHUB_OIDC}:aud for action sts:AssumeRoleWithWebIdentity @",
    f"UNKNOWN_CONDITION_FOR_ACTION: Unknown condition {_GITHUB_OIDC}:sub for action sts:AssumeRoleWithWebIdentity @",
)
ROLE_UNDER_TEST = "arn:aws:iam::123456789012:role/role-under-test"


def parliament_findings(policy: str | dict[str, Any]) -> list[str]:
    """Every finding parliament reports for `policy` (JSON text or a document), as `ISSUE: detail @ location` lines."""
    analysed = analyze_policy_string(policy if isinstance(policy, str) else json.dumps(policy))
    return [f"{f.issue}: {f.detail} @ {f.location}" for f in analysed.findings]


def _document(policy: str | dict[str, Any]) -> dict[str, Any]:
    return json.loads(policy) if isinstance(policy, str) else copy.deepcopy(policy)


def with_resource(policy: str | dict[str, Any], resource: str) -> str:
    """The document with `resource` in place of a missing or `*` Resource."""
    shown = _document(policy)
    statements = shown["Statement"] if isinstance(shown["Statement"], list) else [shown["Statement"]]
    for st in statements:
        if st.get("Resource") in (None, "*"):
            st["Resource"] = resource
    shown["Statement"] = statements
    return json.dumps(shown)


def key_policy_findings(policy: str | dict[str, Any], key_arn: str) -> list[str]:
    return parliament_findings(with_resource(policy, key_arn))


def trust_policy_findings(policy: str | dict[str, Any], role_arn: str = ROLE_UNDER_TEST) -> list[str]:
    document = _document(policy)
    statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
    assert all("Resource" not in st and "NotResource" not in st for st in statements), "IAM forbids it in a trust"
    found = parliament_findings(with_resource(document, role_arn))
    return [f for f in found if not f.startswith(GITHUB_OIDC_FALSE_POSITIVES)]


def key_findings(key: RecordedResource) -> list[str]:
    """Findings for a recorded KMS key's policy, shown to parliament with the key's own ARN."""
    return key_policy_findings(policy_document(key), key.plain_outputs["arn"])


def role_trust_findings(role: RecordedResource) -> list[str]:
    """Findings for a recorded role's trust policy, shown to parliament with the role's own ARN."""
    return trust_policy_findings(policy_document(role, "assumeRolePolicy"), role.plain_outputs["arn"])
