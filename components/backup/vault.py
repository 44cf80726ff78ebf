"""BackupVault: KMS-encrypted, versioned backup buckets in the primary and DR regions with replication.

Runbook IF-009 (retention tiers, cross-region copies), IF-010 (RPO 1 h / RTO 4 h, us-east-1 primary,
us-west-2 DR) and IF-003 (a `pre-migration/` tier for the dump taken before each database migration).

Object Lock: `object_lock_enabled` is a create-time property of a bucket. Turning
`backup.object_lock.enabled` on for buckets that already exist does not lock them in place: the provider
replaces the bucket (a new, empty bucket), which `protect` refuses in production. Locking existing
backups needs a new bucket and a copy (or AWS's procedure for enabling Object Lock on an existing
bucket, outside this program), then an import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from components.github.oidc import GitHubOidcProvider, trust_policy
from components.settings import LoadedConfig
from components.settings.backup import BackupSettings, RpoDesign, access_log_bucket_name, backup_bucket_name
from components.settings.base import Environment, Severity
from components.shared.json_document import json_document
from components.shared.outputs import WHEN_PRESENT, OutputRecord, register

from . import documents
from .alarms import metric_alarms, replication_alarm_specs
from .apps import BackupApp, app_prefixes, backup_apps, role_name
from .buckets import (
    SecureBucket,
    apply_lifecycle,
    apply_policy,
    encrypt_with_kms,
    encrypt_with_s3_managed_keys,
    log_to,
    secure_bucket,
)
from .freshness import app_alarm_specs
from .lifecycle import access_log_rules, tier_rules

if TYPE_CHECKING:  # the builder names the alerting component for its type only
    from components.alerting import Alerting

REPLICATION_RULE_ID = "backups-to-dr"
RTC_MINUTES = 15  # the only value S3 Replication Time Control accepts


def rpo_note(design: RpoDesign) -> str:
    """The designed RPO in words, computed from its terms (stack output and dashboard)."""
    dumps = (
        f"scheduled dumps every {design.interval_minutes} min + up to {design.schedule_delay_minutes} min schedule"
        f" delay + {design.duration_allowance_minutes} min dump duration + {design.replication_lag_minutes} min"
        f" replication (S3 RTC) = {design.dump_rpo_minutes} min in the DR region"
    )
    pitr = design.point_in_time_recovery
    if pitr is None:
        return f"Designed RPO {design.designed_rpo_minutes} min (target {design.target_minutes}): {dumps}."
    return (
        f"Designed RPO {design.designed_rpo_minutes} min (target {design.target_minutes}) through {pitr.mechanism},"
        f" declared in the settings, restorable {pitr.retention_days} days back; the cross-region copy is the"
        f" {dumps}."
    )


@dataclass(frozen=True)
class BackupOutputs(OutputRecord):
    export_prefix = "backup"

    primary_bucket_name: pulumi.Output[str]
    primary_bucket_arn: pulumi.Output[str]
    replica_bucket_name: pulumi.Output[str]
    replica_bucket_arn: pulumi.Output[str]
    primary_key_arn: pulumi.Output[str]
    replica_key_arn: pulumi.Output[str]
    replication_role_arn: pulumi.Output[str]
    # Backup identity -> role ARN; none (and not exported) when no repository is backed up.
    writer_role_arns: dict[str, pulumi.Output[str]] = field(metadata=WHEN_PRESENT)
    reader_role_arns: dict[str, pulumi.Output[str]] = field(metadata=WHEN_PRESENT)
    regions: dict[str, str]  # "primary" and "dr"
    rpo_minutes: int
    rpo_design: dict[str, Any]  # RpoDesign.summary(): computed from the settings' terms, never asserted
    rto_hours: int
    rpo_note: str


@dataclass(frozen=True)
class JobRole:
    """One of the GitHub Actions jobs every app runs against its backups, and the bucket its role reaches."""

    kind: str  # a key of BackupApp.subjects
    description: str  # of its role; {} stands for the repository
    tier: str  # "primary" or "replica"
    policy: Callable[..., documents.Document]


JOB_ROLES = (
    JobRole("writer", "Backup job of {}: writes its dumps to the primary", "primary", documents.writer_policy),
    JobRole("reader", "Restore drill of {}: reads its dumps in the DR replica", "replica", documents.reader_policy),
)


class BackupVault(pulumi.ComponentResource):
    """Primary and DR backup buckets, their keys, replication, alarms, and the backup jobs' roles."""

    outputs: BackupOutputs
    # What the dashboard and the GitHub jobs are wired to, beside the outputs:
    apps: tuple[BackupApp, ...]
    alarms: list[aws.cloudwatch.MetricAlarm]
    replication_rule_id = REPLICATION_RULE_ID

    def __init__(
        self,
        name: str,
        settings: BackupSettings,
        environment: Environment,
        *,
        alarm_topic_arns: Mapping[Severity, pulumi.Input[str]],
        oidc_provider_arn: pulumi.Input[str],
        apps: Sequence[BackupApp],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:backup:BackupVault", name, None, opts)
        self._name = name
        self._settings = settings
        self._environment: Environment = environment
        self._topics = alarm_topic_arns
        self.apps = tuple(apps)
        # Invoked under this component, so they go through its (account-locked) AWS provider.
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        prefix = settings.bucket_prefix
        primary_region, dr_region = settings.primary_region, settings.dr_region
        primary = self._bucket("primary", backup_bucket_name(prefix, environment, primary_region), primary_region)
        replica = self._bucket("replica", backup_bucket_name(prefix, environment, dr_region), dr_region)

        replication_role = aws.iam.Role(
            f"{name}-replication",
            description="S3 replication of the backup bucket to the DR region",
            assume_role_policy=json_document(
                documents.replication_trust_policy, account_id=account_id, source_bucket_arn=primary.arn
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        keys = {
            # Replication reads (decrypts) from the primary and writes (encrypts) into the replica.
            "primary": self._key(primary, partition, account_id, replication_role, actions=["kms:Decrypt"]),
            "replica": self._key(
                replica, partition, account_id, replication_role, actions=["kms:Encrypt", "kms:GenerateDataKey"]
            ),
        }
        for suffix, target, extra_days in (("primary", primary, 0), ("replica", replica, settings.replica_extra_days)):
            # The DR copy keeps every tier at least as long as the primary (`replica_extra_days` >= 0).
            self._configure_backup_bucket(suffix, target, keys[suffix], extra_days=extra_days)
            logs = self._bucket(
                f"{suffix}-access-logs",
                access_log_bucket_name(prefix, environment, target.region),
                target.region,
                logs=True,
            )
            self._configure_access_logs(suffix, target, logs, account_id)

        self._replicate(primary, replica, keys["primary"], keys["replica"], replication_role)
        self.alarms = metric_alarms(
            name,
            replication_alarm_specs(
                source_bucket=primary.name,
                destination_bucket=replica.name,
                rule_id=REPLICATION_RULE_ID,
                lag_minutes=settings.rpo.replication_lag_minutes,
                severity=settings.replication_alarm_severity,
            ),
            region=primary_region,
            topic_arns=alarm_topic_arns,
            parent=self,
        )
        buckets = {"primary": primary, "replica": replica}
        role_arns: dict[str, dict[str, pulumi.Output[str]]] = {job.kind: {} for job in JOB_ROLES}
        for app in apps:
            for kind, role in self._job_roles(app, buckets, keys, oidc_provider_arn).items():
                role_arns[kind][app.identity] = role.arn
            self.alarms.extend(self._app_alarms(app))

        record = BackupOutputs(
            primary_bucket_name=primary.name,
            primary_bucket_arn=primary.arn,
            replica_bucket_name=replica.name,
            replica_bucket_arn=replica.arn,
            primary_key_arn=keys["primary"].arn,
            replica_key_arn=keys["replica"].arn,
            replication_role_arn=replication_role.arn,
            writer_role_arns=role_arns["writer"],
            reader_role_arns=role_arns["reader"],
            regions={"primary": primary_region, "dr": dr_region},
            rpo_minutes=settings.rpo_minutes,
            rpo_design=settings.rpo.summary(),
            rto_hours=settings.rto_hours,
            rpo_note=rpo_note(settings.rpo),
        )
        self.outputs = register(self, record)

    def _bucket(self, suffix: str, bucket_name: str, region: str, *, logs: bool = False) -> SecureBucket:
        settings = self._settings
        return secure_bucket(
            f"{self._name}-{suffix}",
            bucket_name,
            region,
            parent=self,
            protect=settings.protect,
            force_destroy=settings.force_destroy,
            # Both backup buckets: the DR copy of locked objects must be lockable too. Never the log buckets,
            # whose own lifecycle must be able to expire them.
            object_lock=settings.object_lock.enabled and not logs,
            purpose="s3-access-logs" if logs else "backups",
        )

    def _configure_backup_bucket(self, suffix: str, target: SecureBucket, key: aws.kms.Key, *, extra_days: int) -> None:
        """Encryption with its own key, tiered retention, the bucket policy and (production) Object Lock."""
        name = f"{self._name}-{suffix}"
        settings = self._settings
        encrypt_with_kms(name, target, key.arn, parent=self)
        apply_lifecycle(
            name, target, tier_rules(settings.retention, settings.transitions, extra_days=extra_days), parent=self
        )
        policy = json_document(documents.backup_bucket_policy, bucket_arn=target.arn, key_arn=key.arn)
        apply_policy(name, target, policy, parent=self)
        if settings.object_lock.enabled:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=target.bucket.id,
                region=target.region,
                object_lock_enabled="Enabled",
                rule={
                    "default_retention": {
                        "mode": settings.object_lock.mode,
                        "days": settings.object_lock.retention_days,
                    }
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[target.versioning]),
            )

    def _configure_access_logs(
        self, suffix: str, source: SecureBucket, logs: SecureBucket, account_id: pulumi.Output[str]
    ) -> None:
        """The log bucket (same region as its source, as S3 requires) and the source's access logging."""
        name = f"{self._name}-{suffix}"
        retention = self._settings.retention
        encrypt_with_s3_managed_keys(f"{name}-access-logs", logs, parent=self)
        rules = access_log_rules(
            self._settings.access_log_days, retention.noncurrent_days, retention.abort_multipart_days
        )
        apply_lifecycle(f"{name}-access-logs", logs, rules, parent=self)
        policy = json_document(
            documents.access_log_bucket_policy,
            log_bucket_arn=logs.arn,
            source_bucket_arns=[source.arn],
            account_id=account_id,
        )
        log_policy = apply_policy(f"{name}-access-logs", logs, policy, parent=self)
        log_to(name, source, logs, log_policy, parent=self)

    def _replicate(
        self,
        primary: SecureBucket,
        replica: SecureBucket,
        primary_key: aws.kms.Key,
        replica_key: aws.kms.Key,
        role: aws.iam.Role,
    ) -> None:
        name = f"{self._name}-replication"
        settings = self._settings
        role_policy = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=json_document(
                documents.replication_role_policy,
                source_bucket_arn=primary.arn,
                destination_bucket_arn=replica.arn,
                source_key_arn=primary_key.arn,
                destination_key_arn=replica_key.arn,
                source_region=primary.region,
                destination_region=replica.region,
                object_lock=settings.object_lock.enabled,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.s3.BucketReplicationConfig(
            name,
            bucket=primary.bucket.id,
            region=primary.region,
            role=role.arn,
            rules=[
                {
                    "id": REPLICATION_RULE_ID,
                    "priority": 1,
                    "status": "Enabled",
                    # A filter makes this a V2 rule (needed for delete-marker replication); "" = every object.
                    "filter": {"prefix": ""},
                    # Off by default: a delete on the primary must not hide the DR copy.
                    "delete_marker_replication": {
                        "status": "Enabled" if settings.replicate_delete_markers else "Disabled"
                    },
                    "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                    "destination": {
                        "bucket": replica.arn,
                        "storage_class": "STANDARD",
                        "encryption_configuration": {"replica_kms_key_id": replica_key.arn},
                        "replication_time": {"status": "Enabled", "time": {"minutes": RTC_MINUTES}},
                        # RTC requires replication metrics; they also feed the alarms.
                        "metrics": {"status": "Enabled", "event_threshold": {"minutes": RTC_MINUTES}},
                    },
                }
            ],
            # S3 refuses a replication configuration until both buckets are versioned.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[primary.versioning, replica.versioning, role_policy]),
        )

    def _job_roles(
        self,
        app: BackupApp,
        buckets: Mapping[str, SecureBucket],
        keys: Mapping[str, aws.kms.Key],
        provider_arn: pulumi.Input[str],
    ) -> dict[str, aws.iam.Role]:
        """One role per job of `app`, trusting exactly that job's subject and limited to the app's own prefixes
        and metrics. Both roles are registered before their policies (the plan's order)."""
        child = pulumi.ResourceOptions(parent=self)
        roles = {
            job.kind: aws.iam.Role(
                f"{self._name}-{app.identity}-{job.kind}",
                name=role_name(self._environment, app.identity, job.kind),
                description=job.description.format(app.repository),
                assume_role_policy=trust_policy(provider_arn, [app.subjects[job.kind]]),
                opts=child,
            )
            for job in JOB_ROLES
        }
        prefixes = app_prefixes(list(self._settings.retention.tiers()), app.identity)
        for job in JOB_ROLES:
            aws.iam.RolePolicy(
                f"{self._name}-{app.identity}-{job.kind}",
                role=roles[job.kind].id,
                policy=json_document(
                    job.policy,
                    bucket_arn=buckets[job.tier].arn,
                    key_arn=keys[job.tier].arn,
                    region=buckets[job.tier].region,
                    metric_namespace=self._settings.metric_namespace,
                    prefixes=prefixes,
                ),
                opts=child,
            )
        return roles

    def _app_alarms(self, app: BackupApp) -> list[aws.cloudwatch.MetricAlarm]:
        """Freshness and drill alarms of one app, each to its severity's topic (none without that topic)."""
        return metric_alarms(
            f"{self._name}-{app.identity}",
            app_alarm_specs(self._settings, self._environment, app.identity),
            # Both jobs publish to the primary region (BACKUP_METRICS_REGION), where the alert topics are.
            region=self._settings.primary_region,
            topic_arns=self._topics,
            parent=self,
        )

    def _key(
        self,
        target: SecureBucket,
        partition: pulumi.Output[str],
        account_id: pulumi.Output[str],
        replication_role: aws.iam.Role,
        *,
        actions: list[str],
    ) -> aws.kms.Key:
        """The bucket's customer-managed key, in the bucket's region."""
        settings = self._settings
        region = target.region
        suffix = "primary" if region == settings.primary_region else "replica"
        return aws.kms.Key(
            f"{self._name}-{suffix}-key",
            region=region,
            description=f"SSE-KMS key of the {suffix} backup bucket ({region})",
            enable_key_rotation=True,
            # A deleted key makes every backup it encrypted unreadable: keep the longest window in production.
            deletion_window_in_days=30 if settings.protect else 7,
            policy=json_document(
                documents.key_policy,
                partition=partition,
                account_id=account_id,
                region=region,
                admin_arns=settings.kms_admin_arns,
                replication_role_arn=replication_role.arn,
                replication_actions=actions,
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect, retain_on_delete=settings.protect),
        )


def build_backup(name: str, config: LoadedConfig, *, alerting: Alerting, oidc: GitHubOidcProvider) -> BackupVault:
    """One backup per managed repository; its replication and job alarms go to the alert topics."""
    settings = config.settings
    return BackupVault(
        name,
        settings.backup,
        settings.environment,
        alarm_topic_arns=alerting.outputs.topic_arns,
        oidc_provider_arn=oidc.outputs.arn,
        apps=backup_apps(settings),
    )
