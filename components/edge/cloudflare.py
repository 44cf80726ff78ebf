"""Cloudflare resources of the edge component: one entry-point ruleset per zone and phase, and TLS settings.

Imported only when settings list zones: `pulumi_cloudflare` loads eagerly and takes about 1.8 s.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_cloudflare as cloudflare

from components.settings.base import Environment
from components.settings.edge import EdgeSettings, ZoneSettings

from . import rules as edge_rules

# Zone settings every zone gets: HTTPS only, TLS 1.2 minimum, TLS 1.3 on, full (strict) origin certificate checks.
ZONE_SETTINGS: dict[str, str] = {
    "always_use_https": "on",
    "min_tls_version": "1.2",
    "tls_1_3": "on",
    "ssl": "strict",
}


def zone_key(zone: ZoneSettings) -> str:
    """Resource-name part of a zone: its domain with dots as dashes."""
    return zone.name.replace(".", "-")


def protect_zones(
    name: str,
    settings: EdgeSettings,
    environment: Environment,
    api_token: pulumi.Output[str],
    *,
    parent: pulumi.Resource,
) -> dict[str, dict[str, pulumi.Output[str]]]:
    """The Cloudflare provider, then every zone's rulesets and settings under `parent`.

    Returns, per zone name and phase, the id of the zone's entry-point ruleset.
    """
    provider = cloudflare.Provider(
        f"{name}-cloudflare", api_token=api_token, opts=pulumi.ResourceOptions(parent=parent)
    )
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    return {
        zone.name: _protect_zone(f"{name}-{zone_key(zone)}", zone, settings, environment, opts)
        for zone in settings.zones
    }


def _protect_zone(
    name: str, zone: ZoneSettings, settings: EdgeSettings, environment: Environment, opts: pulumi.ResourceOptions
) -> dict[str, pulumi.Output[str]]:
    def ruleset(
        suffix: str, phase: str, title: str, rules: Sequence[cloudflare.RulesetRuleArgsDict]
    ) -> pulumi.Output[str]:
        return cloudflare.Ruleset(
            f"{name}-{suffix}",
            zone_id=zone.zone_id,
            kind="zone",  # a zone's phase entry point (account entry points are "root")
            phase=phase,
            name=f"{title} ({environment})",
            description=f"{title} for {zone.name}, managed by Pulumi",
            rules=list(rules),
            opts=opts,
        ).id

    ids = {
        edge_rules.PHASE_MANAGED: ruleset(
            "waf-managed",
            edge_rules.PHASE_MANAGED,
            "Managed WAF",
            edge_rules.managed_waf_rules(zone.plan, settings.waf),
        ),
        edge_rules.PHASE_RATELIMIT: ruleset(
            "rate-limit", edge_rules.PHASE_RATELIMIT, "API rate limit", edge_rules.rate_limit_rules(settings)
        ),
        edge_rules.PHASE_HEADERS: ruleset(
            "security-headers",
            edge_rules.PHASE_HEADERS,
            "Security response headers",
            edge_rules.header_rules(settings.headers),
        ),
    }
    if settings.custom_rules:
        ids[edge_rules.PHASE_CUSTOM] = ruleset(
            "waf-custom", edge_rules.PHASE_CUSTOM, "Custom firewall rules", edge_rules.custom_rules(settings)
        )
    for setting_id, value in ZONE_SETTINGS.items():
        cloudflare.ZoneSetting(
            f"{name}-{setting_id.replace('_', '-')}",
            zone_id=zone.zone_id,
            setting_id=setting_id,
            value=value,
            opts=opts,
        )
    return ids
