"""Backups and disaster recovery (runbook IF-009, IF-010, IF-003): see `vault.BackupVault`."""

from .apps import BackupApp
from .vault import BackupOutputs, BackupVault, build_backup, rpo_note

__all__ = ["BackupApp", "BackupOutputs", "BackupVault", "build_backup", "rpo_note"]
