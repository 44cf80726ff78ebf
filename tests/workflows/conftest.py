"""Settings of both real stacks and their rendered workflow files, written once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.settings.backup import BackupSettings
from components.settings.github import GitHubSettings
from components.workflows import render_workflows, workflow_documents
from tests.support.settings import stack_settings

STACKS = ("staging", "production")


@pytest.fixture(scope="session")
def github_settings() -> dict[str, GitHubSettings]:
    return {stack: stack_settings(stack).github for stack in STACKS}


@pytest.fixture(scope="session")
def backup_settings() -> dict[str, BackupSettings]:
    return {stack: stack_settings(stack).backup for stack in STACKS}


@pytest.fixture(scope="session")
def rendered(
    github_settings: dict[str, GitHubSettings], backup_settings: dict[str, BackupSettings]
) -> dict[str, dict[str, str]]:
    """stack -> committed path -> YAML text."""
    return {stack: render_workflows(settings, backup_settings[stack]) for stack, settings in github_settings.items()}


@pytest.fixture(scope="session")
def documents(
    github_settings: dict[str, GitHubSettings], backup_settings: dict[str, BackupSettings]
) -> dict[str, dict[str, dict[str, Any]]]:
    """stack -> committed path -> workflow data."""
    return {stack: workflow_documents(settings, backup_settings[stack]) for stack, settings in github_settings.items()}


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory, rendered: dict[str, dict[str, str]]) -> dict[str, list[Path]]:
    """The rendered files on disk, per stack, exactly as the program commits them."""
    result: dict[str, list[Path]] = {}
    for stack, files in rendered.items():
        root = tmp_path_factory.mktemp(f"repo-{stack}")
        result[stack] = []
        for path, text in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            result[stack].append(target)
    return result
