"""What the backup and restore-drill jobs need to know about the backup buckets and roles.

A small typed input of this area, so GitHub delivery does not depend on the backup module: the wiring in
`components/platform.py` fills it from the backup component's outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import delivery_contract as contract


@dataclass(frozen=True)
class BackupAccess:
    primary_bucket_name: pulumi.Input[str]
    replica_bucket_name: pulumi.Input[str]
    writer_role_arn: pulumi.Input[str]
    reader_role_arn: pulumi.Input[str] | None  # no restore drill without a reader role
    primary_region: str
    dr_region: str
    rto_hours: int

    def backup_variables(self) -> dict[str, pulumi.Input[str]]:
        """Actions variables of the `<env>-backup` environment."""
        values: dict[str, pulumi.Input[str]] = {
            "BACKUP_BUCKET": self.primary_bucket_name,
            "BACKUP_ROLE_ARN": self.writer_role_arn,
            "BACKUP_REGION": self.primary_region,
        }
        return {name: values[name] for name in contract.BACKUP_VARIABLES}

    def restore_variables(self) -> dict[str, pulumi.Input[str]]:
        """Actions variables of the `<env>-restore-drill` environment; empty when there is no reader role."""
        if self.reader_role_arn is None:
            return {}
        values: dict[str, pulumi.Input[str]] = {
            "REPLICA_BUCKET": self.replica_bucket_name,
            "RESTORE_ROLE_ARN": self.reader_role_arn,
            "REPLICA_REGION": self.dr_region,
            "RTO_HOURS": str(self.rto_hours),
        }
        return {name: values[name] for name in contract.RESTORE_VARIABLES}
