"""One backup per app: each managed repository's dumps live under its own prefix in every tier.

Key layout: `<tier>/<identity>/<timestamp>-<kind>.tar.gz` (and its `.sha256`). The lifecycle rules filter on
the tier prefix alone, so every app's dumps follow the same retention; the roles of an app name only the
prefixes ending in `<identity>/`, so `app` can never reach `app-admin/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components.github.oidc import backup_environment, environment_subject, restore_environment
from components.settings import StackSettings
from components.settings.base import Environment

_MAX_ROLE_NAME = 64  # IAM role-name limit


@dataclass(frozen=True)
class BackupApp:
    """A managed repository as the backup vault sees it."""

    repository: str  # owner/name
    identity: str  # components.settings.backup.backup_identity(repository)
    subjects: Mapping[str, str]  # "writer" (its backup job), "reader" (its restore drill) -> the job's OIDC subject


def backup_apps(settings: StackSettings) -> list[BackupApp]:
    """Every managed repository, its roles trusting only its own backup and restore-drill jobs."""
    return [
        BackupApp(
            repository=entry.name,
            identity=entry.backup_id.lower(),
            subjects={
                "writer": environment_subject(entry.name, backup_environment(settings.environment)),
                "reader": environment_subject(entry.name, restore_environment(settings.environment)),
            },
        )
        for entry in settings.github.repositories
    ]


def app_prefixes(tiers: Sequence[str], identity: str) -> list[str]:
    """The key prefixes of one app: `<tier><identity>/` for every tier (tiers end with `/`)."""
    return [f"{tier}{identity}/" for tier in tiers]


def role_name(environment: Environment, identity: str, kind: str) -> str:
    """`backup-<kind>-<env>-<identity>`, shortened with a stable hash when it would pass IAM's 64 characters."""
    name = f"backup-{kind}-{environment}-{identity}"
    if len(name) <= _MAX_ROLE_NAME:
        return name
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return f"{name[: _MAX_ROLE_NAME - 9]}-{digest}"
