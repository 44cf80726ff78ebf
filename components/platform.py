"""Builds every component of a stack from its validated settings and returns the stack outputs.

Order matters only where one component consumes another's outputs: alert topics first (every alarm,
budget and anomaly notification targets them), then backups, cost, edge, and GitHub delivery, which
hands the backup roles and buckets to the workflows.
"""

from __future__ import annotations

from typing import Any

from .account import account_provider
from .alerting import Alerting
from .alerting.dashboard import BackupMetrics, OperationsDashboard, ReplicationMetrics
from .backup import BackupApp, BackupVault, rpo_note
from .cost import CostControls
from .edge import EdgeProtection
from .github import BackupAccess, GitHubDelivery
from .github.oidc import (
    GitHubOidcProvider,
    backup_environment,
    environment_subject,
    restore_environment,
)
from .settings import LoadedConfig
from .tags import register_cost_tags
from .workflows import render_workflows


def build_platform(config: LoadedConfig) -> dict[str, Any]:
    settings = config.settings
    # First: every AWS resource and invoke after this goes through the provider locked to the stack's account.
    account_provider(settings.account)
    register_cost_tags(settings.tags, settings.environment)
    prefix = f"platform-{settings.environment}"
    outputs: dict[str, Any] = {"environment": settings.environment, "aws_account_id": settings.account.aws_account_id}

    # [alerting]
    # Alert topics first: alarms, backups (replication alarms) and cost notifications all target them.
    alerting = Alerting(
        f"{prefix}-alerting",
        settings.alerting,
        settings.environment,
        pagerduty_webhook_url=config.secrets.pagerduty_webhook_url,
    )
    topic_arns = alerting.topic_arns
    outputs["alert_topic_arns"] = topic_arns

    # GitHub Actions reach AWS through OIDC; the backup jobs' roles trust exact environment subjects.
    oidc = GitHubOidcProvider(f"{prefix}-github-oidc", settings.github.oidc)
    # One backup per app: its own prefixes, roles (trusting only its own jobs' subjects) and alarms.
    backup_apps = [
        BackupApp(
            repository=entry.name,
            identity=entry.backup_id.lower(),
            writer_subject=environment_subject(entry.name, backup_environment(settings.environment)),
            reader_subject=environment_subject(entry.name, restore_environment(settings.environment)),
        )
        for entry in settings.github.repositories
    ]
    outputs["github_oidc_provider_arn"] = oidc.arn

    # [backup]
    # Primary + DR backup buckets, replication (RTC 15 min), alarms, and the backup jobs' writer/reader roles.
    backup = BackupVault(
        f"{prefix}-backup",
        settings.backup,
        settings.environment,
        alarm_topic_arns=topic_arns,
        oidc_provider_arn=oidc.arn,
        apps=backup_apps,
    )
    outputs["backup_primary_bucket_name"] = backup.primary_bucket_name
    outputs["backup_primary_bucket_arn"] = backup.primary_bucket_arn
    outputs["backup_replica_bucket_name"] = backup.replica_bucket_name
    outputs["backup_replica_bucket_arn"] = backup.replica_bucket_arn
    outputs["backup_primary_key_arn"] = backup.primary_key_arn
    outputs["backup_replica_key_arn"] = backup.replica_key_arn
    outputs["backup_replication_role_arn"] = backup.replication_role_arn
    if backup.writer_role_arns:
        outputs["backup_writer_role_arns"] = backup.writer_role_arns
        outputs["backup_reader_role_arns"] = backup.reader_role_arns
    outputs["backup_regions"] = {"primary": backup.primary_region, "dr": backup.dr_region}
    outputs["backup_rpo_minutes"] = backup.rpo_minutes
    # Computed from the settings' terms, never asserted.
    outputs["backup_rpo_design"] = backup.rpo_design.summary()
    outputs["backup_rto_hours"] = backup.rto_hours
    outputs["backup_rpo_note"] = rpo_note(backup.rpo_design)

    # [cost]
    # Depending on the alerting component waits for its topic policies (Budgets and Cost Anomaly Detection
    # may publish only once they exist).
    cost = CostControls(
        f"{prefix}-cost",
        settings.cost,
        settings.environment,
        topic_arns=topic_arns,
        topic_dependencies=[alerting],
    )
    outputs["cost_budget_names"] = [budget.name for budget in cost.budgets.values()]

    # [edge]
    # Cloudflare WAF, rate limit, security headers and TLS per zone; WAFv2 for AWS endpoints when listed.
    edge = EdgeProtection(
        f"{prefix}-edge",
        settings.edge,
        settings.environment,
        api_token=config.secrets.cloudflare_api_token,
    )
    outputs["edge_waf_mode"] = edge.waf_mode
    outputs["edge_ruleset_ids"] = edge.ruleset_ids
    if edge.web_acl_arn is not None:
        outputs["edge_web_acl_arn"] = edge.web_acl_arn

    # [github]
    # The backup and restore-drill jobs find their buckets, roles and regions in environment variables.
    backup_access = (
        BackupAccess(
            primary_bucket_name=backup.primary_bucket_name,
            replica_bucket_name=backup.replica_bucket_name,
            identities={app.repository: app.identity for app in backup_apps},
            writer_role_arns=backup.writer_role_arns,
            reader_role_arns=backup.reader_role_arns,
            primary_region=backup.primary_region,
            dr_region=backup.dr_region,
            rto_hours=backup.rto_hours,
            environment=settings.environment,
            metric_namespace=backup.metric_namespace,
        )
        if backup_apps
        else None
    )
    # Committed (with .env.example) only by the stack whose github.workflows.manage_files is true.
    workflow_files = (
        render_workflows(settings.github, settings.backup) if settings.github.workflows.manage_files else {}
    )
    delivery = GitHubDelivery(
        f"{prefix}-github",
        settings.github,
        environment=settings.environment,
        secrets=config.secrets,
        extra_secrets=config.extra_secrets,
        oidc_provider_arn=oidc.arn,
        backup=backup_access,
        workflow_files=workflow_files,
    )
    outputs["github_environments"] = delivery.environment_names
    outputs["github_deploy_gates"] = delivery.deploy_gates
    if delivery.deploy_role_arns:
        outputs["github_deploy_role_arns"] = delivery.deploy_role_arns

    # [dashboard]
    # Drawn from the same alarm definitions, plus the backup replication and the budgets of the cost block.
    dashboard = OperationsDashboard(
        f"{prefix}-dashboard",
        settings.alerting,
        settings.environment,
        alarm_arns=[
            *alerting.alarm_arns.values(),
            alerting.composite_alarm_arn,
            *(alarm.arn for alarm in backup.alarms),
        ],
        replication=ReplicationMetrics(
            source_bucket=backup.primary_bucket_name,
            destination_bucket=backup.replica_bucket_name,
            rule_id=backup.replication_rule_id,
            region=backup.primary_region,
        ),
        backups=BackupMetrics(
            namespace=backup.metric_namespace,
            environment=settings.environment,
            identities=[app.identity for app in backup_apps],
            region=backup.primary_region,
            rpo=backup.rpo_design,
            rto_hours=backup.rto_hours,
        ),
        budgets=settings.cost.budgets,
        health_check_ids=alerting.health_check_ids,
    )
    outputs["dashboard_name"] = dashboard.dashboard_name

    return outputs
