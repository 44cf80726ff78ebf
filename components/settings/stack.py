"""The root settings model of a stack."""

from __future__ import annotations

from pydantic import Field, model_validator

from .alerting import AlertingSettings
from .backup import BackupSettings
from .base import Environment, FieldError, Model
from .cost import CostSettings
from .edge import EdgeSettings
from .github import GitHubSettings
from .tags import TagSettings


class StackSettings(Model):
    """Every non-secret setting of one stack, one top-level config key per area."""

    environment: Environment = Field(description="Environment this stack deploys: staging or production.")
    tags: TagSettings = Field(description="Cost-allocation tag values.")
    backup: BackupSettings = Field(description="Backup buckets, replication and retention.")
    alerting: AlertingSettings = Field(default_factory=AlertingSettings)  # pyright: ignore[reportArgumentType]
    cost: CostSettings = Field(default_factory=CostSettings)  # pyright: ignore[reportArgumentType]
    edge: EdgeSettings = Field(description="Cloudflare and AWS WAF protection.")
    github: GitHubSettings = Field(description="GitHub repositories, environments and workflows.")

    @model_validator(mode="after")
    def _environment_rules(self) -> StackSettings:
        if self.environment == "production":
            if not self.backup.protect:
                raise FieldError("backup.protect", "must be true in production: backups may never be destroyed")
            if self.backup.force_destroy:
                raise FieldError("backup.force_destroy", "must be false in production")
            if self.edge.zones and self.edge.waf.mode != "block":
                raise FieldError("edge.waf.mode", "must be block in production (IF-013: monitor first, on staging)")
            if self.github.repositories and not (self.github.reviewers.users or self.github.reviewers.teams):
                raise FieldError("github.reviewers", "production deployments need at least one reviewer (IF-007)")
        expected_branch = "main" if self.environment == "production" else "develop"
        if self.github.deploy_branch != expected_branch:
            raise FieldError("github.deploy_branch", f"{self.environment} deploys from {expected_branch} (IF-007)")
        return self
