"""Everything one stack manages in one app repository."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_github as github

from components.settings.base import Environment
from components.settings.github import DEFAULT_BRANCH, GitHubSettings, RepositoryEntry, enforces_reviewers
from components.shared import delivery_contract as contract
from components.shared.outputs import OutputRecord, register

from .access import BackupAccess
from .environments import EnvironmentSpec, create_environment, environment_specs
from .oidc import environment_subject, trust_policy
from .protection import protect_branches


@dataclass(frozen=True)
class RepositoryInputs:
    """What every repository of a stack shares."""

    settings: GitHubSettings
    environment: Environment
    oidc_provider_arn: pulumi.Input[str]
    backup: BackupAccess | None
    files: Mapping[str, str]  # path -> content; empty unless this stack owns the files


def flag_variables(settings: GitHubSettings) -> dict[str, str]:
    flags = settings.feature_flags
    values = {
        "NEXT_PUBLIC_USE_FUNCTIONS_ARCH": "true" if flags.use_functions_architecture else "false",
        "ENABLE_FUNCTION_MONITORING": "true" if flags.enable_function_monitoring else "false",
        "FUNCTIONS_ROLLOUT_PERCENTAGE": str(flags.rollout_percentage),
    }
    return {name: values[name] for name in contract.FLAG_VARIABLES}


@dataclass(frozen=True)
class RepositoryOutputs(OutputRecord):
    """Not exported by the stack itself: GitHubDelivery's record gathers the deploy roles."""

    deploy_role_arn: pulumi.Output[str] | None  # only when settings grant a deploy role


class RepositoryDelivery(pulumi.ComponentResource):
    """Environments, secrets, variables and the optional deploy role of one repository; protection and files
    when this stack owns the repository-wide settings."""

    outputs: RepositoryOutputs

    def __init__(
        self,
        name: str,
        entry: RepositoryEntry,
        inputs: RepositoryInputs,
        secret_values: Mapping[str, pulumi.Output[str]],  # GitHub secret name -> this repository's value
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:github:RepositoryDelivery", name, None, opts)
        settings = inputs.settings
        full_name = entry.name
        repository = entry.short_name
        protection_rules = enforces_reviewers(settings.plan, entry.visibility)
        child = pulumi.ResourceOptions(parent=self)

        deploy_role_arn = None
        deploy_variables: dict[str, pulumi.Input[str]] = {
            **flag_variables(settings),
            contract.APP_URL_VARIABLE: settings.workflows.production_url
            if inputs.environment == "production"
            else settings.workflows.staging_url,
        }
        specs = environment_specs(settings, inputs.environment)
        if settings.oidc.deploy_policy_arns:
            deploy_role_arn = self._deploy_role(name, full_name, specs[0], inputs)
            deploy_variables[contract.DEPLOY_ROLE_VARIABLE] = deploy_role_arn

        backup = inputs.backup
        secrets = {
            "deploy": [*contract.APP_SECRETS, *contract.DEPLOY_SECRETS],
            "backup": list(contract.BACKUP_SECRETS),
            "restore": [],
        }
        variables = {
            "deploy": deploy_variables,
            "backup": backup.backup_variables(full_name) if backup else {},
            "restore": backup.restore_variables(full_name) if backup else {},
        }
        for spec in specs:
            env = create_environment(f"{name}-{spec.role}", repository, spec, child, protection_rules=protection_rules)
            # Referencing env.environment orders each secret and variable after its environment.
            for secret_name in secrets[spec.role]:
                github.ActionsEnvironmentSecret(
                    f"{name}-{spec.role}-secret-{secret_name.lower()}",
                    repository=repository,
                    environment=env.environment,
                    secret_name=secret_name,
                    value=secret_values[secret_name],
                    opts=child,
                )
            for variable_name, value in variables[spec.role].items():
                github.ActionsEnvironmentVariable(
                    f"{name}-{spec.role}-var-{variable_name.lower()}",
                    repository=repository,
                    environment=env.environment,
                    variable_name=variable_name,
                    value=value,
                    opts=child,
                )

        if settings.manage_repository_settings:
            protect_branches(name, repository, settings.branch_protection, child)
        for path, content in inputs.files.items():
            github.RepositoryFile(
                f"{name}-file-{path.strip('.').replace('/', '-')}",
                repository=repository,
                file=path,
                content=content,
                branch=DEFAULT_BRANCH,
                commit_message=f"chore: update {path} (managed by the platform stack)",
                overwrite_on_create=True,
                opts=child,
            )

        self.outputs = register(self, RepositoryOutputs(deploy_role_arn=deploy_role_arn))

    def _deploy_role(
        self, name: str, full_name: str, spec: EnvironmentSpec, inputs: RepositoryInputs
    ) -> pulumi.Output[str]:
        """A role only jobs of this repository's deploy environment can assume, with the configured policies."""
        aws_opts = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-deploy-role",
            description=f"GitHub Actions deploys of {full_name} to {spec.name}",
            assume_role_policy=trust_policy(inputs.oidc_provider_arn, [environment_subject(full_name, spec.name)]),
            max_session_duration=3600,
            opts=aws_opts,
        )
        for index, policy_arn in enumerate(inputs.settings.oidc.deploy_policy_arns):
            aws.iam.RolePolicyAttachment(
                f"{name}-deploy-policy-{index}", role=role.name, policy_arn=policy_arn, opts=aws_opts
            )
        return role.arn
