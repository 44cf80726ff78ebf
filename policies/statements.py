"""An evaluator of IAM and resource-policy statements: who a statement lets do what, on what, under which
conditions, judged by effect rather than spelling.

- Actions: `Action` / `NotAction` with IAM wildcards (`*`, `?`, case-insensitive): `sns:Pub*` grants
  sns:Publish, `*:*` and `*` grant everything, `NotAction: [x]` grants everything but x.
- Principals: `"*"`, `{"AWS": "*"}`, account wildcards and `NotPrincipal` (in an Allow: everyone but the list)
  are public; AWS principals in an account outside `own_accounts` are foreign.
- Resources: `Resource` / `NotResource` with wildcards.
- Conditions: only operators and values that really narrow who can call count. A key compared with
  `...IfExists`, `ForAllValues:` (true for an empty set), a negated operator, `Null`, or a Like value that is
  all wildcards (`StringLike "*"`) narrows nothing. `aws:SourceAccount` / `aws:SourceOwner` /
  `aws:PrincipalAccount` / `aws:ResourceAccount` / `kms:CallerAccount` narrow to the accounts named;
  `aws:SourceArn` / `aws:PrincipalArn` to the ARNs named (a wildcard account narrows nothing);
  `aws:PrincipalOrgID` / `aws:SourceOrgID` / `aws:PrincipalOrgPaths` to an organisation; `aws:SourceIp`,
  `aws:SourceVpc(e)` to a network. `aws:SecureTransport` says how, not who: it never narrows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from .common import as_list, string_list_option

ACCOUNT_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}|\*)?:")
ACCOUNT_ID = re.compile(r"^\d{12}$")
ARN_ACCOUNT = re.compile(r"^arn:[^:]*:[^:]*:[^:]*:([^:]*):")
ACCOUNT_KEYS = {
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalaccount",
    "aws:resourceaccount",
    "kms:calleraccount",
}
ARN_KEYS = {"aws:sourcearn", "aws:principalarn"}
ORG_KEYS = {"aws:principalorgid", "aws:sourceorgid", "aws:principalorgpaths", "aws:resourceorgid"}
NETWORK_KEYS = {"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"}
POSITIVE_OPERATORS = re.compile(
    r"^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$", re.IGNORECASE
)
NEGATED_OPERATORS = re.compile(
    r"^(ForAnyValue:|ForAllValues:)?(StringNotEquals|StringNotLike|ArnNotEquals|ArnNotLike)$"
)


class OwnAccountUnknownError(UnknownValueError):
    """A statement names an account, and the stack's own accounts are not known yet: not judged (advisory)."""

    def __init__(self, accounts: list[str]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = (
            f"account(s) {', '.join(accounts)} may or may not be ours: no ARN of the stack is known yet "
            "(set accountIds in the policy config)"
        )

    def __str__(self) -> str:
        return self.message


class PolicyDocumentError(ValueError):
    """A policy document that is not JSON or not an IAM document: the engine would reject it or read it oddly."""


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.I)


def matches(pattern: str, value: str) -> bool:
    """IAM wildcard matching (case-insensitive, as IAM matches action names)."""
    return _glob(pattern).fullmatch(value) is not None


def is_wildcard_only(value: str) -> bool:
    """`*`, `?*`, `*:*`, `arn:*`...: a pattern with no literal part that names anything."""
    return re.sub(r"[*?:]|arn", "", value, flags=re.I) == ""


def account_of(principal: str) -> str | None:
    """The account of an AWS principal: a bare id, an IAM/STS ARN (`*` for a wildcard account), else None."""
    if ACCOUNT_ID.match(principal):
        return principal
    found = ACCOUNT_ARN.match(principal)
    if found:
        return found.group(1) or "*"
    return None


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    principal: Any
    not_principal: Any
    actions: tuple[str, ...]
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...]
    not_resources: tuple[str, ...] | None
    condition: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else "a statement without Sid"

    # Actions ------------------------------------------------------------------------------------------

    def grants_action(self, action: str) -> bool:
        """Whether the statement's Action/NotAction covers the concrete `action`."""
        if self.not_actions is not None:
            return not any(matches(p, action) for p in self.not_actions)
        return any(matches(p, action) for p in self.actions)

    def granted(self, actions: Iterable[str]) -> list[str]:
        return sorted(a for a in actions if self.grants_action(a))

    def grants_all_actions(self) -> bool:
        """Every action of every service: `*`, `*:*`, or NotAction (everything but a list)."""
        if self.not_actions is not None:
            return True
        return any(is_wildcard_only(p) for p in self.actions)

    def service_wide(self) -> list[str]:
        """Patterns that cover a whole service (`s3:*`, `s3:*ject*` does not; `iam:*`, `*`, `*:*` do)."""
        if self.not_actions is not None:
            return [f"NotAction {list(self.not_actions)}"]
        return [p for p in self.actions if is_wildcard_only(p) or is_wildcard_only(p.split(":", 1)[-1])]

    # Resources ----------------------------------------------------------------------------------------

    def applies_to_every_resource(self) -> bool:
        if self.not_resources is not None:
            return True
        return any(is_wildcard_only(r) for r in self.resources)

    def wildcard_resources(self) -> list[str]:
        """Resources that name every resource of a kind: `*`, NotResource, `arn:...:role/*`, `...:secret:*`."""
        if self.not_resources is not None:
            return [f"NotResource {list(self.not_resources)}"]
        found = []
        for resource in self.resources:
            parts = resource.split(":", 5)
            part = parts[5] if len(parts) == 6 else resource
            rest = re.split(r"[/:]", part, maxsplit=1)[-1]
            if is_wildcard_only(resource) or is_wildcard_only(part) or is_wildcard_only(rest):
                found.append(resource)
        return found

    # Principals ---------------------------------------------------------------------------------------

    def aws_principals(self) -> list[str]:
        principal = self.principal
        if principal == "*":
            return ["*"]
        if isinstance(principal, Mapping):
            return [str(p) for p in as_list(principal.get("AWS"))] + [
                str(p) for p in as_list(principal.get("CanonicalUser"))
            ]
        return []

    def federated(self) -> list[str]:
        return [str(p) for p in as_list(self.principal.get("Federated"))] if isinstance(self.principal, Mapping) else []

    def services(self) -> list[str]:
        return [str(p) for p in as_list(self.principal.get("Service"))] if isinstance(self.principal, Mapping) else []

    def principal_is_public(self) -> bool:
        """Anyone: `*`, an AWS principal with a wildcard account, or an Allow with NotPrincipal."""
        if self.not_principal is not None:
            return self.allows
        for principal in self.aws_principals():
            account = account_of(principal)
            if principal == "*" or account == "*" or (account is None and "*" in principal):
                return True
        return any(p == "*" for p in self.federated())

    def foreign_accounts(self, own_accounts: set[str]) -> list[str]:
        """Accounts named as principals that are not ours (service principals are judged by their conditions).
        Without any known account of ours (a first preview, before ARNs exist) the question is deferred."""
        found = []
        for principal in self.aws_principals():
            account = account_of(principal)
            if account and account != "*" and account not in own_accounts:
                found.append(account)
        if found and not own_accounts:
            raise OwnAccountUnknownError(sorted(set(found)))
        return sorted(set(found))

    # Conditions ---------------------------------------------------------------------------------------

    def clauses(self) -> list[tuple[str, str, list[str]]]:
        """(operator, lower-case key, values) of every condition clause."""
        found = []
        for operator, block in self.condition.items():
            if isinstance(block, Mapping):
                for key, values in block.items():
                    found.append((str(operator), str(key).lower(), [_text(v) for v in as_list(values)]))
        return found

    def narrowing(self, own_accounts: set[str], own_orgs: set[str]) -> list[str]:
        """The conditions that restrict callers to us (our accounts, ARNs in them, our organisation, a
        network). Empty when the statement is effectively open to whoever its principal names."""
        found = []
        for operator, key, values in self.clauses():
            if not POSITIVE_OPERATORS.match(operator) or not values:
                continue
            if any(is_wildcard_only(v) for v in values):
                continue  # StringLike "*" and friends: every caller matches
            if key in ACCOUNT_KEYS:
                if all(v in own_accounts or (not own_accounts and ACCOUNT_ID.match(v)) for v in values):
                    found.append(f"{key} in {values}")
            elif key in ARN_KEYS:
                if all(_arn_is_ours(v, own_accounts) for v in values):
                    found.append(f"{key} in {values}")
            elif key in ORG_KEYS:
                if all(not own_orgs or v.split("/")[0] in own_orgs for v in values):
                    found.append(f"{key} in {values}")
            elif key in NETWORK_KEYS and not any(v in ("0.0.0.0/0", "::/0") for v in values):
                found.append(f"{key} in {values}")
        return found

    def excludes_outsiders(self, own_accounts: set[str], own_orgs: set[str]) -> bool:
        """A Deny for everyone whose account or organisation is not ours (the 'deny outside org' guard)."""
        if self.allows or not self.principal_is_public_for_deny():
            return False
        for operator, key, values in self.clauses():
            if not NEGATED_OPERATORS.match(operator) or "ifexists" in operator.lower():
                continue
            if key in ACCOUNT_KEYS and values and all(v in own_accounts for v in values):
                return True
            if key in ORG_KEYS and values and (not own_orgs or all(v in own_orgs for v in values)):
                return True
        return False

    def principal_is_public_for_deny(self) -> bool:
        return self.principal == "*" or "*" in self.aws_principals()

    def denies_without_tls(self) -> bool:
        """A Deny for everyone when the request is not over TLS (Bool / BoolIfExists aws:SecureTransport false)."""
        if self.allows or not self.principal_is_public_for_deny():
            return False
        return any(
            operator.lower() in ("bool", "boolifexists") and key == "aws:securetransport" and "false" in values
            for operator, key, values in self.clauses()
        )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _arn_is_ours(arn: str, own_accounts: set[str]) -> bool:
    """An ARN in one of our accounts, or (S3 ARNs carry no account) naming a bucket without wildcards."""
    found = ARN_ACCOUNT.match(arn)
    if not found:
        return False
    account = found.group(1)
    if account == "":
        return not is_wildcard_only(arn.split(":", 5)[-1].split("/", maxsplit=1)[0])
    return account in own_accounts or (not own_accounts and ACCOUNT_ID.match(account) is not None)


ARN_IN_STACK = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")
# Props that may name other people's accounts: grants, trust and resource policies, replication targets.
FOREIGN_CAPABLE = {
    "policy",
    "assumeRolePolicy",
    "accessPolicy",
    "inlinePolicies",
    "granteePrincipal",
    "retiringPrincipal",
    "destination",
    "endpoint",
}


def _arn_accounts(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        found.update(ARN_IN_STACK.findall(value))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key not in FOREIGN_CAPABLE:
                _arn_accounts(item, found)
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        for item in value:
            _arn_accounts(item, found)


def stack_accounts(resources: Iterable[Any], config: Mapping[str, Any]) -> set[str]:
    """Our accounts: `accountIds` from the config plus every account in the ARNs the stack's resources carry,
    except where an ARN may name someone else's account (policies, grants, replication destinations)."""
    found = {str(a) for a in as_list(config.get("accountIds", []))}
    for resource in resources:
        for key in list(resource.props):
            if key in FOREIGN_CAPABLE:
                continue
            try:
                _arn_accounts(resource.props.get(key), found)
            except UnknownValueError:
                continue
    return found


class Accounts(NamedTuple):
    """Whose access a policy may grant: the stack's own accounts, our organisations, reviewed other accounts."""

    own: set[str]
    orgs: set[str]
    trusted: set[str]


def accounts_from(resources: Iterable[Any], config: Mapping[str, Any]) -> Accounts:
    """The stack's own accounts (`stack_accounts`) and the organisations and trusted accounts of ACCOUNTS_SCHEMA."""
    return Accounts(
        own=stack_accounts(resources, config),
        orgs={str(o) for o in as_list(config.get("organizationIds", []))},
        trusted={str(a) for a in as_list(config.get("trustedAccounts", []))},
    )


ACCOUNTS_SCHEMA: dict[str, dict[str, Any]] = {
    "accountIds": string_list_option([], "Our AWS account ids (added to those in the ARNs of the stack's resources)."),
    "trustedAccounts": string_list_option(
        [], "Other AWS accounts that may be granted access (reviewed cross-account access)."
    ),
    "organizationIds": string_list_option(
        [], "Our AWS Organizations ids; empty accepts any organisation condition without wildcards."
    ),
}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = as_list(value)
    if not all(isinstance(i, str) for i in items):
        raise PolicyDocumentError(f"{where} must be a string or a list of strings")
    return tuple(items)


def parse_statements(value: Any) -> list[Statement]:
    """The statements of a policy document given as JSON text or an object; [] when there is none."""
    if value is None or value == "":
        return []
    doc = value
    if isinstance(value, str):
        try:
            doc = json.loads(value)
        except ValueError:
            raise PolicyDocumentError("the policy document is not valid JSON") from None
    if not isinstance(doc, Mapping):
        raise PolicyDocumentError("the policy document is not a JSON object")
    out = []
    for raw in as_list(doc.get("Statement")):
        if not isinstance(raw, Mapping):
            raise PolicyDocumentError("a Statement entry is not an object")
        condition = raw.get("Condition") or {}
        if not isinstance(condition, Mapping):
            raise PolicyDocumentError("a Condition is not an object")
        out.append(
            Statement(
                sid=str(raw.get("Sid") or ""),
                effect=str(raw.get("Effect") or ""),
                principal=raw.get("Principal"),
                not_principal=raw.get("NotPrincipal"),
                actions=_strings(raw.get("Action"), "Action"),
                not_actions=_strings(raw.get("NotAction"), "NotAction") if "NotAction" in raw else None,
                resources=_strings(raw.get("Resource"), "Resource"),
                not_resources=_strings(raw.get("NotResource"), "NotResource") if "NotResource" in raw else None,
                condition=condition,
            )
        )
    return out


@dataclass(frozen=True)
class Exposure:
    """An Allow that reaches callers outside our accounts: to whom and which of the actions asked about."""

    statement: Statement
    who: str
    actions: list[str]

    def describe(self) -> str:
        return f"{self.statement.label} lets {self.who} {', '.join(self.actions)}"


def exposures(
    statements: list[Statement],
    actions: Iterable[str],
    own_accounts: frozenset[str] | set[str],
    own_orgs: frozenset[str] | set[str] = frozenset(),
    trusted_accounts: frozenset[str] | set[str] = frozenset(),
) -> list[Exposure]:
    """Allows of `actions` to the public or to foreign accounts, after conditions that narrow them and Deny
    statements that exclude every outsider."""
    wanted = list(actions)
    guarded = [s for s in statements if s.excludes_outsiders(set(own_accounts), set(own_orgs))]
    found = []
    for statement in statements:
        if not statement.allows:
            continue
        granted = [a for a in statement.granted(wanted) if not any(g.grants_action(a) for g in guarded)]
        if not granted:
            continue
        if statement.narrowing(set(own_accounts), set(own_orgs)):
            continue
        if statement.principal_is_public():
            found.append(Exposure(statement, "any principal", granted))
            continue
        foreign = statement.foreign_accounts(set(own_accounts) | set(trusted_accounts))
        if foreign:
            found.append(Exposure(statement, f"account(s) {', '.join(foreign)}", granted))
    return found


def report_exposures(
    report: Callable[[str, str], None],
    urn: str,
    document: Any,
    actions: Iterable[str],
    *,
    label: str,
    accounts: Accounts,
) -> None:
    """Judge one resource-policy document (`label`, e.g. "key policy"): an unreadable document and each
    exposure of `actions` to the public or a foreign account are reported on `urn`."""
    try:
        statements = parse_statements(document)
    except PolicyDocumentError as exc:
        report(f"{label} cannot be judged: {exc}", urn)
        return
    for exposure in exposures(statements, actions, *accounts):
        report(f"{label} {exposure.describe()}", urn)
