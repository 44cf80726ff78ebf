"""Branch protection of the repository-wide branches (owned by the one stack with manage_repository_settings)."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from components.settings.github import BranchProtectionSettings


def protect_branches(
    name: str, repository: str, settings: BranchProtectionSettings, opts: pulumi.ResourceOptions
) -> list[github.BranchProtection]:
    return [
        github.BranchProtection(
            f"{name}-protect-{branch}",
            repository_id=repository,
            pattern=branch,
            required_status_checks=[{"strict": True, "contexts": list(settings.required_checks)}],
            required_pull_request_reviews=[
                {
                    "required_approving_review_count": settings.required_approvals,
                    "dismiss_stale_reviews": True,
                    "require_last_push_approval": True,
                }
            ],
            require_conversation_resolution=settings.conversation_resolution,
            enforce_admins=settings.enforce_admins,
            allows_force_pushes=False,
            allows_deletions=False,
            opts=opts,
        )
        for branch in settings.branches
    ]
