"""Backups and disaster recovery (runbook IF-009, IF-010, IF-003): see `vault.BackupVault`."""

from .apps import BackupApp
from .vault import BackupVault, rpo_note

__all__ = ["BackupApp", "BackupVault", "rpo_note"]
