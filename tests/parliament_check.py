"""Shared test helper: parliament's findings for a JSON policy document (the bar is zero findings)."""

from __future__ import annotations

from parliament import analyze_policy_string


def parliament_findings(policy: str) -> list[str]:
    """Every finding parliament reports for `policy` (a JSON string), as `ISSUE: detail @ location` lines."""
    analysed = analyze_policy_string(policy)
    return [f"{f.issue}: {f.detail} @ {f.location}" for f in analysed.findings]
