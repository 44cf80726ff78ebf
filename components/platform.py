"""Builds every component of a stack from its validated settings and returns the stack outputs.

Each area has its builder next to its component; this module only orders them. The order is the order in
which resources register (the plan's order), and it matters where one area consumes another's outputs:
alert topics first (every alarm, budget and anomaly notification targets them), then the OIDC provider the
job roles trust, backups, cost, edge, GitHub delivery (handed the backup roles and buckets) and the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .account import account_provider
from .alerting import build_alerting
from .alerting.dashboard import build_dashboard
from .backup import build_backup
from .cost import build_cost
from .edge import build_edge
from .github.delivery import build_delivery
from .github.oidc import build_oidc_provider
from .settings import LoadedConfig
from .settings.base import Environment
from .shared.outputs import OutputRecord, stack_exports
from .tags import register_cost_tags


@dataclass(frozen=True)
class StackIdentity(OutputRecord):
    """The outputs that name the stack itself, not one of its components."""

    export_prefix = ""

    environment: Environment
    aws_account_id: str


def build_platform(config: LoadedConfig) -> dict[str, Any]:
    settings = config.settings
    # First: every AWS resource and invoke after this goes through the provider locked to the stack's account.
    account_provider(settings.account)
    register_cost_tags(settings.tags, settings.environment)
    name = f"platform-{settings.environment}"

    alerting = build_alerting(f"{name}-alerting", config)
    oidc = build_oidc_provider(f"{name}-github-oidc", config)
    backup = build_backup(f"{name}-backup", config, alerting=alerting, oidc=oidc)
    cost = build_cost(f"{name}-cost", config, alerting=alerting)
    edge = build_edge(f"{name}-edge", config)
    delivery = build_delivery(f"{name}-github", config, oidc=oidc, backup=backup)
    dashboard = build_dashboard(f"{name}-dashboard", config, alerting=alerting, backup=backup)

    return stack_exports(
        StackIdentity(environment=settings.environment, aws_account_id=settings.account.aws_account_id),
        alerting.outputs,
        oidc.outputs,
        backup.outputs,
        cost.outputs,
        edge.outputs,
        delivery.outputs,
        dashboard.outputs,
    )
