"""The GitHub delivery component of a stack: one provider, and each managed repository's resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_github as github

from components.settings import LoadedConfig
from components.settings.base import Environment
from components.settings.github import DEFAULT_SECRET_KEYS, GitHubSettings, RepositoryEntry
from components.settings.loader import Secrets, secret_value
from components.shared import delivery_contract as contract
from components.shared.outputs import WHEN_PRESENT, OutputRecord, register
from components.workflows import render_workflows

from .access import BackupAccess
from .env_example import render_env_example
from .environments import deploy_gate, environment_specs
from .repository import RepositoryDelivery, RepositoryInputs

if TYPE_CHECKING:  # the builder names the components it is wired to for their types only
    from components.backup import BackupVault

    from .oidc import GitHubOidcProvider


def secret_values(
    entry: RepositoryEntry, secrets: Secrets, extra_secrets: Mapping[str, pulumi.Output[str]]
) -> dict[str, pulumi.Output[str]]:
    """Secret name in GitHub -> the Pulumi secret that holds this repository's value."""
    values: dict[str, pulumi.Output[str]] = {}
    for secret_name in DEFAULT_SECRET_KEYS:
        key = entry.secret_key(secret_name)
        values[secret_name] = secret_value(secrets, extra_secrets, key)
    return values


@dataclass(frozen=True)
class DeliveryOutputs(OutputRecord):
    export_prefix = "github"

    environments: list[str]
    deploy_gates: dict[str, str]  # repository -> what a deployment waits for
    # Repository -> deploy role ARN; only when settings grant deploy roles.
    deploy_role_arns: dict[str, pulumi.Output[str]] = field(metadata=WHEN_PRESENT)


class GitHubDelivery(pulumi.ComponentResource):
    """Secrets, flags, environments and OIDC deploy roles of this stack's environment in every managed
    repository; branch protection and committed files from the stack that owns them."""

    outputs: DeliveryOutputs

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
        deploy_role_arns: dict[str, pulumi.Output[str]] = {}
        for entry in settings.repositories:
            repository = RepositoryDelivery(
                f"{name}-{entry.short_name.lower()}",
                entry,
                inputs,
                secret_values(entry, secrets, extra_secrets or {}),
                opts=pulumi.ResourceOptions(parent=self, providers={"github": provider}),
            )
            if repository.outputs.deploy_role_arn is not None:
                deploy_role_arns[entry.name] = repository.outputs.deploy_role_arn

        record = DeliveryOutputs(
            environments=[spec.name for spec in environment_specs(settings, environment)],
            deploy_gates={entry.name: deploy_gate(settings, entry) for entry in settings.repositories},
            deploy_role_arns=deploy_role_arns,
        )
        self.outputs = register(self, record)


def build_delivery(name: str, config: LoadedConfig, *, oidc: GitHubOidcProvider, backup: BackupVault) -> GitHubDelivery:
    """Delivery into every managed repository; the backup and restore-drill jobs find the vault's buckets,
    roles and regions in their environments' variables."""
    settings = config.settings
    backup_settings = settings.backup
    access = (
        BackupAccess(
            primary_bucket_name=backup.outputs.primary_bucket_name,
            replica_bucket_name=backup.outputs.replica_bucket_name,
            identities={app.repository: app.identity for app in backup.apps},
            writer_role_arns=backup.outputs.writer_role_arns,
            reader_role_arns=backup.outputs.reader_role_arns,
            primary_region=backup_settings.primary_region,
            dr_region=backup_settings.dr_region,
            rto_hours=backup_settings.rto_hours,
            environment=settings.environment,
            metric_namespace=backup_settings.metric_namespace,
        )
        if backup.apps
        else None
    )
    # Committed (with .env.example) only by the stack whose github.workflows.manage_files is true.
    workflow_files = (
        render_workflows(settings.github, settings.backup) if settings.github.workflows.manage_files else {}
    )
    return GitHubDelivery(
        name,
        settings.github,
        environment=settings.environment,
        secrets=config.secrets,
        extra_secrets=config.extra_secrets,
        oidc_provider_arn=oidc.outputs.arn,
        backup=access,
        workflow_files=workflow_files,
    )
