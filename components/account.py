"""The one AWS provider of a stack, locked to the stack's account, and the transformation that hands it to
every resource.

`allowed_account_ids` makes the provider check the caller's account when it is configured, before any
resource is read or changed: credentials for another account stop the deploy. The program registers no
other AWS provider (regional resources take `region=`), so every AWS resource and every invoke made under
a component goes through this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from .settings.account import AccountSettings

PROVIDER_NAME = "aws-account"


def _with_provider(
    providers: Mapping[str, pulumi.ProviderResource] | Sequence[pulumi.ProviderResource] | None,
    provider: pulumi.ProviderResource,
) -> dict[str, pulumi.ProviderResource]:
    """The resource's provider map with the account's AWS provider, unless it names its own AWS provider."""
    if providers is None:
        current: dict[str, pulumi.ProviderResource] = {}
    elif isinstance(providers, Mapping):
        current = dict(providers)
    else:
        current = {p.package: p for p in providers}
    current.setdefault("aws", provider)
    return current


def account_provider(settings: AccountSettings) -> aws.Provider:
    """Create the account's AWS provider and make it the AWS provider of every resource created after it.

    Resources created at the top of the program get it in their provider map; everything under them
    inherits it from its parent (resources and invokes alike).
    """
    # An explicit provider reads no `aws:` config by itself: pass on the two keys a stack file sets.
    aws_config = pulumi.Config("aws")
    provider = aws.Provider(
        PROVIDER_NAME,
        region=aws_config.get("region"),
        profile=aws_config.get("profile"),
        allowed_account_ids=[settings.aws_account_id],
    )

    def lock_to_account(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.opts.parent is not None or args.resource is provider or args.type_.startswith("pulumi:providers:"):
            return None
        opts = pulumi.ResourceOptions.merge(
            args.opts, pulumi.ResourceOptions(providers=_with_provider(args.opts.providers, provider))
        )
        return pulumi.ResourceTransformationResult(args.props, opts)

    pulumi.runtime.register_stack_transformation(lock_to_account)
    return provider
