"""GitHub delivery (IF-001, IF-002, IF-007): secrets, flags, environments, branch protection, OIDC roles, files."""

from .access import BackupAccess
from .delivery import GitHubDelivery

__all__ = ["BackupAccess", "GitHubDelivery"]
