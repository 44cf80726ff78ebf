"""Workflow files committed into each managed app repository (IF-007, IF-008, IF-009, IF-010).

`render_workflows(settings)` maps every path of `delivery_contract.WORKFLOW_FILES` to its YAML text.
Workflows are Python data serialised by `yaml_output.dump_workflow`; see that module for the two
deliberate deviations from plain `yaml.safe_dump` (the `on` key and comments).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components.delivery_contract import WORKFLOW_FILES
from components.settings.github import GitHubSettings

from .backup import UPLOAD_ENCRYPTION_HEADERS, backup_workflow
from .common import workflow_path
from .deploy import deploy_workflow
from .performance import performance_workflow
from .restore_drill import restore_drill_workflow
from .yaml_output import dump_workflow

BUILDERS: dict[str, Callable[[GitHubSettings], dict[str, Any]]] = {
    workflow_path("deploy-functions.yml"): deploy_workflow,
    workflow_path("performance-tests.yml"): performance_workflow,
    workflow_path("backup.yml"): backup_workflow,
    workflow_path("restore-drill.yml"): restore_drill_workflow,
}


def workflow_documents(settings: GitHubSettings) -> dict[str, dict[str, Any]]:
    """The workflows as data, by committed path (what `render_workflows` serialises)."""
    return {path: BUILDERS[path](settings) for path in WORKFLOW_FILES}


def render_workflows(settings: GitHubSettings) -> dict[str, str]:
    """Every path of delivery_contract.WORKFLOW_FILES -> its YAML text, exactly as committed."""
    return {path: dump_workflow(document) for path, document in workflow_documents(settings).items()}


__all__ = ["UPLOAD_ENCRYPTION_HEADERS", "render_workflows", "workflow_documents"]
