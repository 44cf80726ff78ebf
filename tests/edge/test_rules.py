"""Ruleset contents per plan tier and mode, and the header values, built from settings (no Pulumi run needed)."""

from __future__ import annotations

from typing import Any

import pytest

from components.edge import rules
from components.settings.edge import HeaderSettings, ManagedWafSettings, Plan


def _waf(**values: Any) -> ManagedWafSettings:
    return ManagedWafSettings.model_validate(values)


def _managed(plan: Plan, waf: ManagedWafSettings) -> list[dict[str, Any]]:
    return [dict(rule) for rule in rules.managed_waf_rules(plan, waf)]


def _ids(built: list[dict[str, Any]]) -> list[str]:
    return [rule["action_parameters"]["id"] for rule in built]


@pytest.mark.parametrize("plan", ["pro", "business", "enterprise"])
def test_paid_plans_execute_managed_and_owasp_rulesets_in_block_mode(plan: Plan) -> None:
    built = _managed(plan, _waf(mode="block", owasp_score_threshold=25, owasp_paranoia_level=1))
    assert _ids(built) == [rules.CLOUDFLARE_MANAGED_RULESET, rules.OWASP_CORE_RULESET]
    assert all(rule["action"] == "execute" and rule["enabled"] for rule in built)
    # Block mode keeps the Managed Ruleset's own per-rule actions.
    assert "overrides" not in built[0]["action_parameters"]
    owasp = built[1]["action_parameters"]["overrides"]
    assert owasp["rules"] == [
        {"id": rules.OWASP_ANOMALY_SCORE_RULE, "action": "block", "score_threshold": 25, "enabled": True}
    ]
    assert "action" not in owasp  # a ruleset-wide action would replace the scoring rules' own action


def test_enterprise_monitor_mode_logs() -> None:
    built = _managed("enterprise", _waf(mode="monitor"))
    assert all(rule["enabled"] for rule in built)
    assert built[0]["action_parameters"]["overrides"] == {"action": "log"}
    assert built[1]["action_parameters"]["overrides"]["rules"][0]["action"] == "log"


@pytest.mark.parametrize("plan", ["pro", "business"])
def test_monitor_mode_without_log_deploys_switched_off(plan: Plan) -> None:
    built = _managed(plan, _waf(mode="monitor"))
    assert _ids(built) == [rules.CLOUDFLARE_MANAGED_RULESET, rules.OWASP_CORE_RULESET]
    assert [rule["enabled"] for rule in built] == [False, False]
    assert "log" not in str(built)  # the Enterprise-only action never reaches a lower plan


def test_monitor_mode_fallback_can_challenge_instead() -> None:
    built = _managed("pro", _waf(mode="monitor", monitor_fallback="managed_challenge"))
    assert [rule["enabled"] for rule in built] == [True, True]
    assert built[0]["action_parameters"]["overrides"] == {"action": "managed_challenge"}
    assert built[1]["action_parameters"]["overrides"]["rules"][0]["action"] == "managed_challenge"


def test_free_plan_runs_the_free_managed_ruleset_only() -> None:
    block = _managed("free", _waf(mode="block"))
    assert _ids(block) == [rules.FREE_MANAGED_RULESET]
    assert block[0]["enabled"]
    monitor = _managed("free", _waf(mode="monitor"))
    assert _ids(monitor) == [rules.FREE_MANAGED_RULESET]
    assert not monitor[0]["enabled"]


@pytest.mark.parametrize(("level", "disabled"), [(1, [2, 3, 4]), (2, [3, 4]), (3, [4]), (4, [])])
def test_paranoia_levels_above_the_setting_are_disabled(level: int, disabled: list[int]) -> None:
    owasp = _managed("pro", _waf(mode="block", owasp_paranoia_level=level))[1]
    categories = owasp["action_parameters"]["overrides"].get("categories", [])
    assert categories == [{"category": f"paranoia-level-{n}", "enabled": False} for n in disabled]


def test_csp_keeps_directive_order_and_sources() -> None:
    headers = HeaderSettings(
        csp={
            "script-src": ["'self'", "https://cdn.example.com"],
            "default-src": ["'self'"],
            "upgrade-insecure-requests": [],
        }
    )
    assert rules.csp_value(headers) == (
        "script-src 'self' https://cdn.example.com; default-src 'self'; upgrade-insecure-requests"
    )


def test_readme_csp_default_value() -> None:
    assert rules.csp_value(HeaderSettings()) == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )


def test_hsts_value_follows_settings() -> None:
    assert rules.hsts_value(HeaderSettings()) == "max-age=31536000; includeSubDomains"
    assert rules.hsts_value(HeaderSettings(hsts_preload=True, hsts_max_age_seconds=63072000)) == (
        "max-age=63072000; includeSubDomains; preload"
    )
    assert rules.hsts_value(HeaderSettings(hsts_include_subdomains=False, hsts_max_age_seconds=300)) == "max-age=300"
