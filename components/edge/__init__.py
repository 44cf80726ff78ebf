"""Edge protection (IF-013, the infrastructure README's CSP): Cloudflare WAF, rate limiting, headers, TLS.

Optionally, it also builds an AWS WAFv2 web ACL for AWS-hosted endpoints. `rules` holds the ruleset
contents as plain data, `cloudflare` the Cloudflare resources and `aws_waf` the WAFv2 option. The two
provider modules are imported only when they are needed, because both SDKs are slow to load.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.settings.base import Environment
from components.settings.edge import EdgeSettings


class EdgeProtection(pulumi.ComponentResource):
    """Cloudflare zone rulesets and TLS settings per zone; an AWS WAFv2 web ACL when resources are listed."""

    waf_mode: str
    ruleset_ids: dict[str, dict[str, pulumi.Output[str]]]
    """Per zone name, per phase: the id of the zone's entry-point ruleset."""
    web_acl_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        settings: EdgeSettings,
        environment: Environment,
        *,
        api_token: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:edge:EdgeProtection", name, None, opts)
        self.waf_mode = settings.waf.mode
        self.ruleset_ids = {}
        self.web_acl_arn = None
        if settings.zones:
            from .cloudflare import CloudflareZones  # lazy: pulumi_cloudflare loads eagerly (~1.8 s)

            self.ruleset_ids = CloudflareZones(name, settings, environment, api_token, parent=self).ruleset_ids
        if settings.aws_waf.protected_resource_arns:
            from .aws_waf import build_web_acl

            self.web_acl_arn = build_web_acl(name, settings.aws_waf, settings.waf.mode, parent=self).arn
        outputs: dict[str, Any] = {"waf_mode": self.waf_mode, "ruleset_ids": self.ruleset_ids}
        if self.web_acl_arn is not None:
            outputs["web_acl_arn"] = self.web_acl_arn
        self.register_outputs(outputs)
