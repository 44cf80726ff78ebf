"""GitHub Actions -> AWS through OIDC: the account's identity provider and exact-subject trust policies.

No long-lived AWS keys live in GitHub. A workflow job running in a GitHub deployment environment gets a
token whose `sub` is `repo:OWNER/NAME:environment:ENV`; a role trusts only the exact subjects listed
(no wildcards) and only the `sts.amazonaws.com` audience.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.settings import LoadedConfig
from components.settings.base import Environment
from components.settings.github import OidcSettings
from components.shared.outputs import OutputRecord, register

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"


def deploy_environment(environment: Environment) -> str:
    """GitHub environment that deploys the app (production requires approval)."""
    return environment


def backup_environment(environment: Environment) -> str:
    """GitHub environment of the scheduled backup job: no reviewers (a schedule cannot wait), `main` only."""
    return f"{environment}-backup"


def restore_environment(environment: Environment) -> str:
    """GitHub environment of the monthly restore drill: reads the DR replica only."""
    return f"{environment}-restore-drill"


def environment_subject(repository: str, github_environment: str) -> str:
    return f"repo:{repository}:environment:{github_environment}"


def trust_policy(provider_arn: pulumi.Input[str], subjects: Sequence[str]) -> pulumi.Output[str]:
    """Trust for `sts:AssumeRoleWithWebIdentity` from exactly these subjects."""
    if not subjects or any("*" in s or "?" in s for s in subjects):
        raise ValueError("an OIDC trust needs at least one exact subject and no wildcards")
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "GitHubActionsOidc",
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{GITHUB_OIDC_HOST}:aud": AUDIENCE,
                            f"{GITHUB_OIDC_HOST}:sub": list(subjects) if len(subjects) > 1 else subjects[0],
                        }
                    },
                }
            ],
        }
    )


@dataclass(frozen=True)
class OidcProviderOutputs(OutputRecord):
    export_prefix = "github_oidc_provider"

    arn: pulumi.Output[str]  # what the job roles' trust policies name as the federated principal


class GitHubOidcProvider(pulumi.ComponentResource):
    """The account's OIDC identity provider for GitHub Actions, created or referenced (one per account)."""

    outputs: OidcProviderOutputs

    def __init__(self, name: str, settings: OidcSettings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:github:GitHubOidcProvider", name, None, opts)
        if settings.create_provider:
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-provider",
                url=f"https://{GITHUB_OIDC_HOST}",
                client_id_lists=[AUDIENCE],
                opts=pulumi.ResourceOptions(parent=self),
            )
            arn = provider.arn
        elif settings.provider_arn is not None:
            arn = pulumi.Output.from_input(settings.provider_arn)
        else:  # OidcSettings validation rules this out
            raise ValueError("github.oidc.provider_arn is required when create_provider is false")
        self.outputs = register(self, OidcProviderOutputs(arn=arn))


def build_oidc_provider(name: str, config: LoadedConfig) -> GitHubOidcProvider:
    """GitHub Actions reach AWS through this provider: the deploy and backup job roles trust its subjects."""
    return GitHubOidcProvider(name, config.settings.github.oidc)
