"""Builds every component of a stack from its validated settings and returns the stack outputs.

Order matters only where one component consumes another's outputs: alert topics first (every alarm,
budget and anomaly notification targets them), then backups, cost, edge, and GitHub delivery, which
hands the backup roles and buckets to the workflows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from .github_oidc import (
    GitHubOidcProvider,
    backup_environment,
    environment_subject,
    restore_environment,
)
from .settings import LoadedConfig
from .settings.base import Severity
from .tags import register_cost_tags


def build_platform(config: LoadedConfig) -> dict[str, Any]:
    settings = config.settings
    register_cost_tags(settings.tags, settings.environment)
    prefix = f"platform-{settings.environment}"
    outputs: dict[str, Any] = {"environment": settings.environment}
    # Replaced by the alerting block once it lands; backup and cost take the topics from here.
    topic_arns: Mapping[Severity, pulumi.Output[str]] = {}  # noqa: F841

    # [alerting]

    # GitHub Actions reach AWS through OIDC; the backup jobs' roles trust exact environment subjects.
    oidc = GitHubOidcProvider(f"{prefix}-github-oidc", settings.github.oidc)
    repositories = settings.github.repositories
    # Used by the backup block for the writer/reader role trust.
    backup_subjects = [environment_subject(r, backup_environment(settings.environment)) for r in repositories]  # noqa: F841
    restore_subjects = [environment_subject(r, restore_environment(settings.environment)) for r in repositories]  # noqa: F841
    outputs["github_oidc_provider_arn"] = oidc.arn

    # [backup]

    # [cost]

    # [edge]

    # [github]

    # [dashboard]

    return outputs
