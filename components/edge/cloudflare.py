"""Cloudflare resources of the edge component: one entry-point ruleset per zone and phase, and TLS settings.

Imported only when settings list zones: `pulumi_cloudflare` loads eagerly and takes about 1.8 s.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_cloudflare as cloudflare

from components.settings.base import Environment
from components.settings.edge import EdgeSettings, ZoneSettings

from . import rules

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


class CloudflareZones:
    """Creates the provider and every zone's rulesets and settings under `parent`."""

    def __init__(
        self,
        name: str,
        settings: EdgeSettings,
        environment: Environment,
        api_token: pulumi.Output[str],
        parent: pulumi.Resource,
    ) -> None:
        self._name = name
        self._settings = settings
        self._environment = environment
        self._parent = parent
        self.provider = cloudflare.Provider(
            f"{name}-cloudflare", api_token=api_token, opts=pulumi.ResourceOptions(parent=parent)
        )
        self.ruleset_ids: dict[str, dict[str, pulumi.Output[str]]] = {
            zone.name: self._zone(zone) for zone in settings.zones
        }

    def _opts(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self._parent, provider=self.provider)

    def _ruleset(
        self,
        zone: ZoneSettings,
        suffix: str,
        phase: str,
        title: str,
        zone_rules: Sequence[cloudflare.RulesetRuleArgsDict],
    ) -> pulumi.Output[str]:
        ruleset = cloudflare.Ruleset(
            f"{self._name}-{zone_key(zone)}-{suffix}",
            zone_id=zone.zone_id,
            kind="zone",  # a zone's phase entry point (account entry points are "root")
            phase=phase,
            name=f"{title} ({self._environment})",
            description=f"{title} for {zone.name}, managed by Pulumi",
            rules=list(zone_rules),
            opts=self._opts(),
        )
        return ruleset.id

    def _zone(self, zone: ZoneSettings) -> dict[str, pulumi.Output[str]]:
        settings = self._settings
        ids = {
            rules.PHASE_MANAGED: self._ruleset(
                zone,
                "waf-managed",
                rules.PHASE_MANAGED,
                "Managed WAF",
                rules.managed_waf_rules(zone.plan, settings.waf),
            ),
            rules.PHASE_RATELIMIT: self._ruleset(
                zone, "rate-limit", rules.PHASE_RATELIMIT, "API rate limit", rules.rate_limit_rules(settings)
            ),
            rules.PHASE_HEADERS: self._ruleset(
                zone,
                "security-headers",
                rules.PHASE_HEADERS,
                "Security response headers",
                rules.header_rules(settings.headers),
            ),
        }
        if settings.custom_rules:
            ids[rules.PHASE_CUSTOM] = self._ruleset(
                zone, "waf-custom", rules.PHASE_CUSTOM, "Custom firewall rules", rules.custom_rules(settings)
            )
        for setting_id, value in ZONE_SETTINGS.items():
            cloudflare.ZoneSetting(
                f"{self._name}-{zone_key(zone)}-{setting_id.replace('_', '-')}",
                zone_id=zone.zone_id,
                setting_id=setting_id,
                value=value,
                opts=self._opts(),
            )
        return ids
