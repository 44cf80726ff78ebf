"""Workflow files committed into each managed app repository (IF-007, IF-008, IF-009, IF-010).

`render_workflows(settings, backup)` maps every path of `delivery_contract.WORKFLOW_FILES` to its YAML text.
Workflows are Python data serialised by `yaml_output.dump_workflow` (ruamel.yaml, YAML 1.2); see that module
for the quoting, the plain `on` key and the comments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components.settings.backup import BackupSettings
from components.settings.github import GitHubSettings
from components.shared.delivery_contract import WORKFLOW_FILES

from .backup import UPLOAD_ENCRYPTION_HEADERS, backup_workflow
from .common import workflow_path
from .deploy import deploy_workflow
from .performance import performance_workflow
from .restore_drill import restore_drill_workflow
from .yaml_output import dump_workflow

Builder = Callable[[GitHubSettings, BackupSettings], dict[str, Any]]
BUILDERS: dict[str, Builder] = {
    workflow_path("deploy-functions.yml"): lambda github, _backup: deploy_workflow(github),
    workflow_path("performance-tests.yml"): lambda github, _backup: performance_workflow(github),
    # The backup schedule comes from the RPO design of the backup settings.
    workflow_path("backup.yml"): backup_workflow,
    workflow_path("restore-drill.yml"): restore_drill_workflow,
}


def workflow_documents(settings: GitHubSettings, backup: BackupSettings) -> dict[str, dict[str, Any]]:
    """The workflows as data, by committed path (what `render_workflows` serialises)."""
    return {path: BUILDERS[path](settings, backup) for path in WORKFLOW_FILES}


def render_workflows(settings: GitHubSettings, backup: BackupSettings) -> dict[str, str]:
    """Every path of delivery_contract.WORKFLOW_FILES -> its YAML text, exactly as committed."""
    return {path: dump_workflow(document) for path, document in workflow_documents(settings, backup).items()}


__all__ = ["UPLOAD_ENCRYPTION_HEADERS", "render_workflows", "workflow_documents"]
