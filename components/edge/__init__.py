"""Edge protection (IF-013, the infrastructure README's CSP): Cloudflare WAF, rate limiting, headers, TLS.

Optionally, it also builds an AWS WAFv2 web ACL for AWS-hosted endpoints. `rules` holds the ruleset
contents as plain data, `cloudflare` the Cloudflare resources and `aws_waf` the WAFv2 option. The two
provider modules are imported only when they are needed, because both SDKs are slow to load.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.settings import LoadedConfig
from components.settings.base import Environment
from components.settings.edge import EdgeSettings
from components.shared.outputs import WHEN_PRESENT, OutputRecord, register


@dataclass(frozen=True)
class EdgeOutputs(OutputRecord):
    export_prefix = "edge"

    waf_mode: str
    ruleset_ids: dict[str, dict[str, pulumi.Output[str]]]  # per zone name, per phase: the entry-point ruleset id
    web_acl_arn: pulumi.Output[str] | None = field(metadata=WHEN_PRESENT)  # only with AWS resources to protect


class EdgeProtection(pulumi.ComponentResource):
    """Cloudflare zone rulesets and TLS settings per zone; an AWS WAFv2 web ACL when resources are listed."""

    outputs: EdgeOutputs

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
        ruleset_ids: dict[str, dict[str, pulumi.Output[str]]] = {}
        web_acl_arn = None
        if settings.zones:
            from .cloudflare import protect_zones  # lazy: pulumi_cloudflare loads eagerly (~1.8 s)

            ruleset_ids = protect_zones(name, settings, environment, api_token, parent=self)
        if settings.aws_waf.protected_resource_arns:
            from .aws_waf import build_web_acl

            web_acl_arn = build_web_acl(name, settings.aws_waf, settings.waf.mode, parent=self).arn
        self.outputs = register(
            self, EdgeOutputs(waf_mode=settings.waf.mode, ruleset_ids=ruleset_ids, web_acl_arn=web_acl_arn)
        )


def build_edge(name: str, config: LoadedConfig) -> EdgeProtection:
    """Cloudflare WAF, rate limit, security headers and TLS per zone; WAFv2 for AWS endpoints when listed."""
    settings = config.settings
    return EdgeProtection(name, settings.edge, settings.environment, api_token=config.secrets.cloudflare_api_token)
