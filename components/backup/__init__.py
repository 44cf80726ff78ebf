"""Backups and disaster recovery (runbook IF-009, IF-010, IF-003): see `vault.BackupVault`."""

from .vault import RPO_NOTE, BackupVault

__all__ = ["RPO_NOTE", "BackupVault"]
