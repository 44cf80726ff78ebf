"""The GitHub delivery component of a stack: one provider, and each managed repository's resources."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_github as github

from components import delivery_contract as contract
from components.settings.base import Environment
from components.settings.github import GitHubSettings, split_repository
from components.settings.loader import Secrets

from .access import BackupAccess
from .env_example import render_env_example
from .environments import environment_specs
from .repository import RepositoryDelivery, RepositoryInputs


def secret_values(secrets: Secrets) -> dict[str, pulumi.Output[str]]:
    """Secret name in GitHub -> the Pulumi secret that holds its value."""
    return {
        "FILTER_TO": secrets.filter_to,
        "FUNCTION_ID": secrets.function_id,
        "ORGANISATION_ID": secrets.organisation_id,
        "SUPABASE_ACCESS_TOKEN": secrets.supabase_access_token,
        "SUPABASE_DB_URL": secrets.supabase_db_url,
    }


class GitHubDelivery(pulumi.ComponentResource):
    """Secrets, flags, environments and OIDC deploy roles of this stack's environment in every managed
    repository; branch protection and committed files from the stack that owns them."""

    environment_names: list[str]
    deploy_role_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        settings: GitHubSettings,
        *,
        environment: Environment,
        secrets: Secrets,
        oidc_provider_arn: pulumi.Input[str],
        backup: BackupAccess | None = None,
        workflow_files: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:github:GitHubDelivery", name, None, opts)
        provider = github.Provider(
            f"{name}-provider",
            owner=settings.owner,
            token=secrets.github_token,
            opts=pulumi.ResourceOptions(parent=self),
        )
        files: dict[str, str] = {}
        if settings.workflows.manage_files:
            files = {contract.ENV_EXAMPLE_FILE: render_env_example(), **(workflow_files or {})}
        inputs = RepositoryInputs(
            settings=settings,
            environment=environment,
            secrets=secret_values(secrets),
            oidc_provider_arn=oidc_provider_arn,
            backup=backup,
            files=files,
        )
        self.environment_names = [spec.name for spec in environment_specs(settings, environment)]
        self.deploy_role_arns = {}
        for full_name in settings.repositories:
            repository = RepositoryDelivery(
                f"{name}-{split_repository(full_name)[1].lower()}",
                full_name,
                inputs,
                opts=pulumi.ResourceOptions(parent=self, providers={"github": provider}),
            )
            if repository.deploy_role_arn is not None:
                self.deploy_role_arns[full_name] = repository.deploy_role_arn

        self.register_outputs({"environments": self.environment_names, "deploy_role_arns": self.deploy_role_arns})
