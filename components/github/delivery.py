"""The GitHub delivery component of a stack: one provider, and each managed repository's resources."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_github as github

from components.settings.base import Environment
from components.settings.github import DEFAULT_SECRET_KEYS, GitHubSettings, RepositoryEntry
from components.settings.loader import SECRET_KEYS, Secrets
from components.shared import delivery_contract as contract

from .access import BackupAccess
from .env_example import render_env_example
from .environments import deploy_gate, environment_specs
from .repository import RepositoryDelivery, RepositoryInputs


def secret_values(
    entry: RepositoryEntry, secrets: Secrets, extra_secrets: Mapping[str, pulumi.Output[str]]
) -> dict[str, pulumi.Output[str]]:
    """Secret name in GitHub -> the Pulumi secret that holds this repository's value."""
    values: dict[str, pulumi.Output[str]] = {}
    for secret_name in DEFAULT_SECRET_KEYS:
        key = entry.secret_key(secret_name)
        values[secret_name] = getattr(secrets, key) if key in SECRET_KEYS else extra_secrets[key]
    return values


class GitHubDelivery(pulumi.ComponentResource):
    """Secrets, flags, environments and OIDC deploy roles of this stack's environment in every managed
    repository; branch protection and committed files from the stack that owns them."""

    environment_names: list[str]
    deploy_role_arns: dict[str, pulumi.Output[str]]
    deploy_gates: dict[str, str]  # repository -> what a deployment waits for

    def __init__(
        self,
        name: str,
        settings: GitHubSettings,
        *,
        environment: Environment,
        secrets: Secrets,
        extra_secrets: Mapping[str, pulumi.Output[str]] | None = None,
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
            oidc_provider_arn=oidc_provider_arn,
            backup=backup,
            files=files,
        )
        self.environment_names = [spec.name for spec in environment_specs(settings, environment)]
        self.deploy_role_arns = {}
        self.deploy_gates = {entry.name: deploy_gate(settings, entry) for entry in settings.repositories}
        for entry in settings.repositories:
            repository = RepositoryDelivery(
                f"{name}-{entry.short_name.lower()}",
                entry,
                inputs,
                secret_values(entry, secrets, extra_secrets or {}),
                opts=pulumi.ResourceOptions(parent=self, providers={"github": provider}),
            )
            if repository.deploy_role_arn is not None:
                self.deploy_role_arns[entry.name] = repository.deploy_role_arn

        self.register_outputs({"environments": self.environment_names, "deploy_role_arns": self.deploy_role_arns})
