"""Builds every component of a stack from its validated settings and returns the stack outputs.

Order matters only where one component consumes another's outputs: alert topics first (every alarm,
budget and anomaly notification targets them), then backups, cost, edge, and GitHub delivery, which
hands the backup roles and buckets to the workflows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from .settings import LoadedConfig
from .settings.base import Severity
from .tags import register_cost_tags


def build_platform(config: LoadedConfig) -> dict[str, Any]:
    settings = config.settings
    register_cost_tags(settings.tags, settings.environment)
    outputs: dict[str, Any] = {"environment": settings.environment}
    # Replaced by the alerting block once it lands; backup and cost take the topics from here.
    topic_arns: Mapping[Severity, pulumi.Output[str]] = {}  # noqa: F841

    # [alerting]

    # [backup]

    # [cost]

    # [edge]

    # [github]

    # [dashboard]

    return outputs
