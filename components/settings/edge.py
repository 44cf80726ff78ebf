"""Edge-protection settings: Cloudflare WAF, rate limiting, headers; optional AWS WAFv2 (IF-013, CSP)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Arn, FieldError, StrictSettings, must_match

Plan = Literal["free", "pro", "business", "enterprise"]

# Rate-limit periods and mitigation timeouts Cloudflare accepts, and what each plan allows (seconds).
CLOUDFLARE_DURATIONS = (
    10,
    15,
    20,
    30,
    40,
    45,
    60,
    90,
    120,
    180,
    240,
    300,
    480,
    600,
    900,
    1200,
    1800,
    2400,
    3600,
    65535,
    86400,
)
PERIOD_MAX = {"free": 10, "pro": 60, "business": 600, "enterprise": 65535}
TIMEOUT_MAX = {"free": 10, "pro": 3600, "business": 86400, "enterprise": 86400}
CHALLENGE_ACTIONS = ("challenge", "js_challenge", "managed_challenge")
# The `log` action (rate limiting, custom rules, managed-rule overrides) is Enterprise-only.
LOG_PLANS = ("enterprise",)
# Custom rules (http_request_firewall_custom) each plan allows per zone.
CUSTOM_RULES_MAX = {"free": 5, "pro": 20, "business": 100, "enterprise": 1000}
# Retention values CloudWatch Logs accepts (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# hstspreload.org refuses a preload request with a shorter max-age.
HSTS_PRELOAD_MIN_AGE = 31536000

_ZONE_ID = re.compile(r"^[0-9a-f]{32}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def allowed_periods(plan: Plan) -> list[int]:
    return [d for d in CLOUDFLARE_DURATIONS if d <= PERIOD_MAX[plan]]


def allowed_timeouts(plan: Plan) -> list[int]:
    return [d for d in CLOUDFLARE_DURATIONS if d <= TIMEOUT_MAX[plan]]


class ZoneSettings(StrictSettings):
    """A Cloudflare zone the program protects."""

    name: str = Field(description="Zone apex domain, for example `example.com`.")
    zone_id: str = Field(description="Cloudflare zone id (32 hex characters).")
    plan: Plan = Field(description="Plan tier: free, pro, business or enterprise (limits rate-limit options).")

    _zone_id = field_validator("zone_id")(must_match(_ZONE_ID, "must be the 32-character hexadecimal zone id"))
    _name = field_validator("name")(must_match(_DOMAIN, "'{value}' is not a domain name"))


class ManagedWafSettings(StrictSettings):
    """Cloudflare Managed Ruleset and OWASP Core Ruleset."""

    mode: Literal["monitor", "block"] = Field(description="monitor (log only, IF-013 step 1) or block.")
    owasp_score_threshold: Literal[25, 40, 60] = Field(
        default=40, description="OWASP anomaly score that blocks: 25 high, 40 medium, 60 low sensitivity."
    )
    owasp_paranoia_level: int = Field(default=1, ge=1, le=4, description="OWASP paranoia level 1-4.")
    monitor_fallback: Literal["disabled", "managed_challenge"] = Field(
        default="disabled",
        description=(
            "Monitor mode on plans without the Enterprise-only log action: `disabled` deploys the managed "
            "rulesets with their execute rules switched off (nothing blocked, nothing logged); "
            "`managed_challenge` challenges matches instead (events recorded, but non-browser clients fail)."
        ),
    )


class RateLimitSettings(StrictSettings):
    """Per-client rate limit on API paths (IF-013: 100 requests per minute)."""

    expression: str = Field(
        default='(starts_with(http.request.uri.path, "/api/"))',
        description="Cloudflare expression of the limited paths.",
    )
    requests_per_period: int = Field(default=100, ge=1, description="Requests allowed per period and client.")
    period_seconds: int = Field(default=60, description="Counting period; allowed values depend on the plan.")
    mitigation_timeout_seconds: int = Field(default=60, description="How long a client stays blocked; plan-dependent.")
    action: Literal["block", "managed_challenge", "js_challenge", "challenge", "log"] = Field(
        default="block", description="Action for clients over the limit."
    )

    @model_validator(mode="after")
    def _values(self) -> RateLimitSettings:
        if self.period_seconds not in CLOUDFLARE_DURATIONS:
            raise FieldError("period_seconds", f"must be one of {list(CLOUDFLARE_DURATIONS)}")
        if self.action in CHALLENGE_ACTIONS and self.mitigation_timeout_seconds != 0:
            raise FieldError("mitigation_timeout_seconds", f"must be 0 with the {self.action} action")
        if self.action not in CHALLENGE_ACTIONS and self.mitigation_timeout_seconds not in CLOUDFLARE_DURATIONS:
            raise FieldError("mitigation_timeout_seconds", f"must be one of {list(CLOUDFLARE_DURATIONS)}")
        return self


def _readme_csp() -> dict[str, list[str]]:
    """The infrastructure README's strict CSP, without 'unsafe-inline' (opt in per setting)."""
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


class HeaderSettings(StrictSettings):
    """Security response headers set at the edge."""

    csp: dict[str, list[str]] = Field(default_factory=_readme_csp, description="CSP directive to source list.")
    allow_unsafe_inline: bool = Field(default=False, description="Permit `'unsafe-inline'` sources in the CSP.")
    allow_unsafe_eval: bool = Field(default=False, description="Permit `'unsafe-eval'` sources in the CSP.")
    allow_wildcard_sources: bool = Field(default=False, description="Permit `*` and scheme-only wildcard sources.")
    hsts_max_age_seconds: int = Field(default=31536000, ge=0, description="Strict-Transport-Security max-age.")
    hsts_include_subdomains: bool = Field(default=True, description="HSTS includeSubDomains.")
    hsts_preload: bool = Field(default=False, description="HSTS preload (only once every subdomain is HTTPS).")
    referrer_policy: str = Field(default="strict-origin-when-cross-origin", description="Referrer-Policy value.")
    permissions_policy: str = Field(
        default="camera=(), microphone=(), geolocation=(), payment=()", description="Permissions-Policy value."
    )
    frame_options: Literal["DENY", "SAMEORIGIN"] = Field(default="DENY", description="X-Frame-Options value.")

    @model_validator(mode="after")
    def _csp_sources(self) -> HeaderSettings:
        if not self.csp:
            raise FieldError("csp", "needs at least one directive")
        for directive, sources in self.csp.items():
            if not re.fullmatch(r"^[a-z-]+$", directive):
                raise FieldError(f"csp.{directive}", f"'{directive}' is not a CSP directive name")
            for source in sources:
                # A separator inside a source would smuggle extra directives into the header.
                if not source or re.search(r"[\s;,]", source):
                    raise FieldError(f"csp.{directive}", f"'{source}' is not a single CSP source")
                if source == "'unsafe-inline'" and not self.allow_unsafe_inline:
                    raise FieldError(f"csp.{directive}", "'unsafe-inline' needs allow_unsafe_inline: true")
                if source == "'unsafe-eval'" and not self.allow_unsafe_eval:
                    raise FieldError(f"csp.{directive}", "'unsafe-eval' needs allow_unsafe_eval: true")
                if (source == "*" or source.endswith("://*") or source in ("http:", "https:")) and not (
                    self.allow_wildcard_sources
                ):
                    raise FieldError(f"csp.{directive}", f"wildcard source {source} needs allow_wildcard_sources: true")
        if self.hsts_preload and not self.hsts_include_subdomains:
            raise FieldError("hsts_preload", "needs hsts_include_subdomains: true (HSTS preload list requirement)")
        if self.hsts_preload and self.hsts_max_age_seconds < HSTS_PRELOAD_MIN_AGE:
            raise FieldError(
                "hsts_preload", f"needs hsts_max_age_seconds of at least {HSTS_PRELOAD_MIN_AGE} (one year)"
            )
        return self


class CustomRule(StrictSettings):
    """An extra rule in the zone's custom firewall phase."""

    description: str = Field(description="What the rule does.")
    expression: str = Field(description="Cloudflare rules-language expression.")
    action: Literal["block", "managed_challenge", "js_challenge", "challenge", "log"] = Field(
        description="Action when it matches."
    )


class AwsWafSettings(StrictSettings):
    """Optional AWS WAFv2 web ACL for AWS-hosted endpoints (off unless resources are listed)."""

    protected_resource_arns: list[Arn] = Field(
        default_factory=list, description="Regional resources (ALB, API Gateway stage, AppSync) to protect."
    )
    rate_limit_per_5_minutes: int = Field(
        default=500, ge=10, description="Requests per IP per 5 minutes (rate-based rule)."
    )
    log_retention_days: int = Field(default=90, ge=1, description="Days the `aws-waf-logs-` log group keeps WAF logs.")
    log_kms_key_arn: Arn | None = Field(
        default=None,
        description=(
            "Customer KMS key for the WAF log group (its key policy must let `logs.<region>.amazonaws.com` use it); "
            "unset: CloudWatch Logs' own encryption at rest."
        ),
    )

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"must be one of the CloudWatch Logs retention values {list(LOG_RETENTION_DAYS)}")
        return value


class EdgeSettings(StrictSettings):
    """Zones and the protections applied to each."""

    zones: list[ZoneSettings] = Field(default_factory=list, description="Cloudflare zones.")
    waf: ManagedWafSettings = Field(description="Managed WAF rulesets.")
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)  # pyright: ignore[reportArgumentType]
    headers: HeaderSettings = Field(default_factory=HeaderSettings)  # pyright: ignore[reportArgumentType]
    custom_rules: list[CustomRule] = Field(default_factory=list, description="Extra custom firewall rules.")
    aws_waf: AwsWafSettings = Field(default_factory=AwsWafSettings)  # pyright: ignore[reportArgumentType]

    @model_validator(mode="after")
    def _plan_limits(self) -> EdgeSettings:
        for zone in self.zones:
            if self.rate_limit.action == "log" and zone.plan not in LOG_PLANS:
                raise FieldError(
                    "rate_limit.action",
                    f"log is available only on the enterprise plan; {zone.name} is on the {zone.plan} plan "
                    "(use block or a challenge action)",
                )
            for index, rule in enumerate(self.custom_rules):
                if rule.action == "log" and zone.plan not in LOG_PLANS:
                    raise FieldError(
                        f"custom_rules.{index}.action",
                        f"log is available only on the enterprise plan; {zone.name} is on the {zone.plan} plan",
                    )
            if len(self.custom_rules) > CUSTOM_RULES_MAX[zone.plan]:
                raise FieldError(
                    "custom_rules",
                    f"the {zone.plan} plan of {zone.name} allows at most {CUSTOM_RULES_MAX[zone.plan]} custom rules",
                )
            periods = allowed_periods(zone.plan)
            if self.rate_limit.period_seconds not in periods:
                raise FieldError(
                    "rate_limit.period_seconds",
                    f"{self.rate_limit.period_seconds} is not available on the {zone.plan} plan "
                    f"of {zone.name}; allowed: {periods}",
                )
            timeouts = [0, *allowed_timeouts(zone.plan)]
            if self.rate_limit.mitigation_timeout_seconds not in timeouts:
                raise FieldError(
                    "rate_limit.mitigation_timeout_seconds",
                    f"{self.rate_limit.mitigation_timeout_seconds} is not available on "
                    f"the {zone.plan} plan of {zone.name}; allowed: {timeouts}",
                )
        names = [z.name for z in self.zones]
        if len(set(names)) != len(names):
            raise FieldError("zones", "a zone is listed twice")
        return self
