"""The root settings model of a stack."""

from __future__ import annotations

from pydantic import Field, model_validator

from .account import AccountSettings, account_of_arn
from .alerting import AlertingSettings
from .backup import BackupSettings
from .base import Environment, FieldError, StrictSettings
from .cost import CostSettings
from .edge import EdgeSettings
from .github import PLATFORM_SECRET_KEYS, GitHubSettings
from .tags import TagSettings


class StackSettings(StrictSettings):
    """Every non-secret setting of one stack, one top-level config key per area."""

    environment: Environment = Field(description="Environment this stack deploys: staging or production.")
    account: AccountSettings = Field(description="The AWS account this stack deploys to.")
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
            self._production_gate()
        self._same_account()
        self._repository_secret_keys()
        expected_branch = "main" if self.environment == "production" else "develop"
        if self.github.deploy_branch != expected_branch:
            raise FieldError("github.deploy_branch", f"{self.environment} deploys from {expected_branch} (IF-007)")
        return self

    def _production_gate(self) -> None:
        """Production deployments need an approval GitHub really enforces (IF-007 manual approval)."""
        github = self.github
        if not github.repositories:
            return
        if not github.without_enforced_reviewers():
            if not github.reviewers.has_any:
                raise FieldError("github.reviewers", "production deployments need at least one reviewer (IF-007)")
            return
        # Required reviewers are not enforced here: the protected deploy branch is the gate, and the deploy
        # environment only accepts that branch (its deployment-branch policy).
        if not github.manage_repository_settings:
            raise FieldError(
                "github.manage_repository_settings",
                "must be true in production while GitHub does not enforce required reviewers on these repositories:"
                f" the protected {github.deploy_branch} branch with required reviews is then the deployment gate",
            )
        if github.deploy_branch not in github.branch_protection.branches:
            raise FieldError(
                "github.branch_protection.branches",
                f"must include {github.deploy_branch}: its required reviews are production's deployment gate",
            )

    def _same_account(self) -> None:
        """ARNs of this stack's account must name the account the stack deploys to."""
        account = self.account.aws_account_id
        oidc = self.github.oidc
        if oidc.provider_arn is not None and account_of_arn(oidc.provider_arn) != account:
            raise FieldError(
                "github.oidc.provider_arn",
                f"is in account {account_of_arn(oidc.provider_arn) or '(none)'}, not this stack's {account}",
            )
        for index, arn in enumerate(oidc.deploy_policy_arns):
            if account_of_arn(arn) not in (account, "aws"):
                raise FieldError(
                    f"github.oidc.deploy_policy_arns.{index}",
                    f"is a policy of account {account_of_arn(arn)}, not this stack's {account} (or AWS-managed)",
                )

    def _repository_secret_keys(self) -> None:
        """A repository's secret must not come from a settings key or one of the program's own secrets (the
        GitHub token, for example, would reach the app's environment)."""
        reserved = set(type(self).model_fields) | set(PLATFORM_SECRET_KEYS)
        for index, entry in enumerate(self.github.repositories):
            for secret_name, key in entry.secret_keys.items():
                if key in reserved:
                    raise FieldError(
                        f"github.repositories.{index}.secret_keys.{secret_name}",
                        f"'{key}' is a key of the program itself; name a key of this repository's own",
                    )
