"""What the backup and restore-drill jobs need to know about the backup buckets and roles.

A small typed input of this area, so the GitHub delivery component does not depend on the backup module:
its builder (`delivery.build_delivery`) fills it from the backup vault's outputs. Roles and identities are per
repository: each app's jobs reach only that app's backups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components.settings.base import Environment
from components.shared import delivery_contract as contract


@dataclass(frozen=True)
class BackupAccess:
    primary_bucket_name: pulumi.Input[str]
    replica_bucket_name: pulumi.Input[str]
    identities: Mapping[str, str]  # repository (owner/name) -> backup identity
    writer_role_arns: Mapping[str, pulumi.Input[str]]  # backup identity -> role ARN
    reader_role_arns: Mapping[str, pulumi.Input[str]]  # none: no restore drill
    primary_region: str
    dr_region: str
    rto_hours: int
    environment: Environment
    metric_namespace: str

    def _variables(
        self, repository: str, names: Sequence[str], **values: pulumi.Input[str]
    ) -> dict[str, pulumi.Input[str]]:
        """`values` and the metric variables of `repository`, in the contract's order (`names`)."""
        every = {
            **values,
            "BACKUP_APP": self.identities[repository],
            "BACKUP_ENVIRONMENT": self.environment,
            "BACKUP_METRIC_NAMESPACE": self.metric_namespace,
        }
        return {name: every[name] for name in names}

    def backup_variables(self, repository: str) -> dict[str, pulumi.Input[str]]:
        """Actions variables of `repository`'s `<env>-backup` environment; empty without its writer role."""
        role = self.writer_role_arns.get(self.identities.get(repository, ""))
        if role is None:
            return {}
        return self._variables(
            repository,
            contract.BACKUP_VARIABLES,
            BACKUP_BUCKET=self.primary_bucket_name,
            BACKUP_ROLE_ARN=role,
            BACKUP_REGION=self.primary_region,
        )

    def restore_variables(self, repository: str) -> dict[str, pulumi.Input[str]]:
        """Actions variables of `repository`'s `<env>-restore-drill` environment; empty without its reader role."""
        role = self.reader_role_arns.get(self.identities.get(repository, ""))
        if role is None:
            return {}
        return self._variables(
            repository,
            contract.RESTORE_VARIABLES,
            REPLICA_BUCKET=self.replica_bucket_name,
            RESTORE_ROLE_ARN=role,
            REPLICA_REGION=self.dr_region,
            RTO_HOURS=str(self.rto_hours),
            BACKUP_METRICS_REGION=self.primary_region,
        )
