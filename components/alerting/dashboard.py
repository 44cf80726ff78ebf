"""The operations dashboard (runbook IF-005 "dashboard creation", IF-011), drawn from the alarm definitions.

Each alarm's widget plots exactly the metric (or metric math) the alarm evaluates, with the alarm threshold
as a horizontal annotation, so the dashboard cannot drift from the alerting rules. Replication and cost
widgets are added when the caller has those components. The body is built as data and serialised with
`pulumi.Output.json_dumps`, because it embeds Outputs (bucket names, alarm ARNs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from components.backup.freshness import BACKUP_COMPLETED, DRILL_AGE, DRILL_DURATION
from components.settings import LoadedConfig
from components.settings.alerting import EXPRESSION_ID, AlarmDefinition, AlertingSettings
from components.settings.backup import RpoDesign
from components.settings.base import Environment
from components.settings.cost import BudgetSettings
from components.shared.outputs import OutputRecord, register

from .probes import PROBE_METRIC_REGION

if TYPE_CHECKING:  # the builder names the components it draws from for their types only
    from components.backup import BackupVault

    from . import Alerting

WIDTH = 12  # two widgets per row of the 24-column grid
HEIGHT = 6
BILLING_REGION = "us-east-1"  # AWS/Billing metrics exist only there
BILLING_PERIOD = 21600  # EstimatedCharges is published a few times a day


@dataclass(frozen=True)
class ReplicationMetrics:
    """What the replication widgets need from the backup component (S3 replication metrics are per rule)."""

    source_bucket: pulumi.Input[str]
    destination_bucket: pulumi.Input[str]
    rule_id: str
    region: str


@dataclass(frozen=True)
class BackupMetrics:
    """What the backup-age and drill widgets need: where the backup jobs publish, and the designed RPO/RTO."""

    namespace: str
    environment: str
    identities: Sequence[str]
    region: str
    rpo: RpoDesign
    rto_hours: int


# Minutes since the newest upload: FILL(REPEAT) carries the last upload's time forward, EPOCH is each point's time.
BACKUP_AGE_EXPRESSION = "(EPOCH(FILL(m1, REPEAT)) - FILL(m1, REPEAT)) / 60"


def backup_widgets(backups: BackupMetrics) -> list[dict[str, Any]]:
    """Per app: backup age against the RPO, and the last drill's duration against the RTO."""
    rpo = backups.rpo
    widgets: list[dict[str, Any]] = []
    for identity in backups.identities:
        dims = ["Environment", backups.environment, "Repository", identity]
        age_lines = [
            {"label": f"freshness alarm {rpo.freshness_window_minutes} min", "value": rpo.freshness_window_minutes},
            {"label": f"designed dump RPO {rpo.dump_rpo_minutes} min", "value": rpo.dump_rpo_minutes},
            {"label": f"RPO target {rpo.target_minutes} min", "value": rpo.target_minutes, "color": "#d13212"},
        ]
        widgets.append(
            {
                "type": "metric",
                "properties": {
                    "title": f"Backup age of {identity} (min) vs RPO",
                    "view": "timeSeries",
                    "region": backups.region,
                    "period": 300,
                    "metrics": [
                        [
                            {
                                "expression": BACKUP_AGE_EXPRESSION,
                                "label": "minutes since last verified upload",
                                "id": "age",
                            }
                        ],
                        [backups.namespace, BACKUP_COMPLETED, *dims, {"id": "m1", "stat": "Maximum", "visible": False}],
                    ],
                    "annotations": {"horizontal": age_lines},
                    "yAxis": {"left": {"label": "minutes", "showUnits": False, "min": 0}},
                },
            }
        )
        rto_seconds = backups.rto_hours * 3600
        widgets.append(
            {
                "type": "metric",
                "properties": {
                    "title": f"Restore drill of {identity}: duration (s) vs RTO",
                    "view": "timeSeries",
                    "region": backups.region,
                    "period": 86400,
                    "stat": "Maximum",
                    "metrics": [
                        [backups.namespace, DRILL_DURATION, *dims, {"label": "drill duration (s)"}],
                        [
                            backups.namespace,
                            DRILL_AGE,
                            *dims,
                            {"label": "days since a successful drill", "yAxis": "right"},
                        ],
                    ],
                    "annotations": {
                        "horizontal": [
                            {"label": f"RTO {backups.rto_hours} h", "value": rto_seconds, "color": "#d13212"}
                        ]
                    },
                },
            }
        )
    return widgets


def _dimensions(dimensions: Mapping[str, str]) -> list[str]:
    return [item for pair in sorted(dimensions.items()) for item in pair]


def alarm_metrics(alarm: AlarmDefinition, namespace: str) -> list[list[Any]]:
    """The widget's `metrics` array: the alarm's metric, or its expression plus the hidden inputs."""
    if alarm.metric is not None:
        return [[namespace, alarm.metric.metric_name, *_dimensions(alarm.metric.dimensions)]]
    if alarm.math is None:
        raise ValueError(f"alarm {alarm.name} has neither metric nor math")
    rows: list[list[Any]] = [
        [{"expression": alarm.math.expression, "label": alarm.math.label or alarm.name, "id": EXPRESSION_ID}]
    ]
    for metric_id, spec in alarm.math.metrics.items():
        options = {"id": metric_id, "stat": spec.statistic, "visible": False}
        rows.append([namespace, spec.metric_name, *_dimensions(spec.dimensions), options])
    return rows


def alarm_widget(alarm: AlarmDefinition, namespace: str, region: pulumi.Input[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": f"{alarm.name} ({alarm.severity})",
        "view": "timeSeries",
        "region": region,
        "period": alarm.period,
        "metrics": alarm_metrics(alarm, namespace),
        "annotations": {
            "horizontal": [{"label": f"{alarm.severity} threshold", "value": alarm.threshold, "color": "#d13212"}]
        },
    }
    if alarm.metric is not None:
        properties["stat"] = alarm.metric.statistic
    if alarm.unit:
        properties["yAxis"] = {"left": {"label": alarm.unit, "showUnits": False}}
    return {"type": "metric", "properties": properties}


def replication_widgets(replication: ReplicationMetrics) -> list[dict[str, Any]]:
    """S3 Replication Time Control metrics of the backup rule (latency against the 15-minute target)."""
    dimensions = [
        "SourceBucket",
        replication.source_bucket,
        "DestinationBucket",
        replication.destination_bucket,
        "RuleId",
        replication.rule_id,
    ]

    def widget(title: str, metrics: list[str], stat: str, annotations: dict[str, Any] | None = None) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "title": title,
            "view": "timeSeries",
            "region": replication.region,
            "period": 300,
            "stat": stat,
            "metrics": [["AWS/S3", metric, *dimensions] for metric in metrics],
        }
        if annotations:
            properties["annotations"] = annotations
        return {"type": "metric", "properties": properties}

    return [
        widget(
            "Backup replication latency (s)",
            ["ReplicationLatency"],
            "Maximum",
            {"horizontal": [{"label": "RTC 15 min", "value": 900}]},
        ),
        widget("Backup replication backlog", ["OperationsPendingReplication", "BytesPendingReplication"], "Maximum"),
        widget("Backup replication failures", ["OperationsFailedReplication"], "Sum"),
    ]


def probe_widget(health_check_ids: Mapping[str, pulumi.Input[str]]) -> dict[str, Any]:
    """The external probes' status (1 healthy, 0 unhealthy) per endpoint; Route 53 publishes it in us-east-1."""
    return {
        "type": "metric",
        "properties": {
            "title": "External probes: HealthCheckStatus (1 = healthy)",
            "view": "timeSeries",
            "region": PROBE_METRIC_REGION,
            "period": 60,
            "stat": "Minimum",
            "metrics": [
                ["AWS/Route53", "HealthCheckStatus", "HealthCheckId", check_id, {"label": host}]
                for host, check_id in sorted(health_check_ids.items())
            ],
            "yAxis": {"left": {"min": 0, "max": 1}},
        },
    }


def cost_widgets(budgets: Sequence[BudgetSettings]) -> list[dict[str, Any]]:
    """Month-to-date estimated charges against the monthly budgets, and a list of every budget."""
    monthly = [b for b in budgets if b.time_unit == "MONTHLY" and b.tag_filter is None]
    lines = [{"label": f"{b.name} {b.limit_usd:g} USD", "value": b.limit_usd} for b in monthly]
    chart: dict[str, Any] = {
        "type": "metric",
        "properties": {
            "title": "Estimated charges, month to date (USD)",
            "view": "timeSeries",
            "region": BILLING_REGION,
            "period": BILLING_PERIOD,
            "stat": "Maximum",
            "metrics": [["AWS/Billing", "EstimatedCharges", "Currency", "USD"]],
            "annotations": {"horizontal": lines},
        },
    }
    rows = "\n".join(
        f"| {b.name} | {b.time_unit} | {b.notification_type} | {b.limit_usd:g} | {b.severity} |" for b in budgets
    )
    table = "| Budget | Period | Type | Limit (USD) | Severity |\n|---|---|---|---|---|\n" + rows
    text = {"type": "text", "properties": {"markdown": f"### Budgets (IF-012)\n\n{table}"}}
    return [chart, text]


@dataclass(frozen=True)
class DashboardSources:
    """What the dashboard draws beside the alarm definitions, from the other areas; each section only when given."""

    alarm_arns: Sequence[pulumi.Input[str]] = ()  # the alarm status widget
    replication: ReplicationMetrics | None = None
    backups: BackupMetrics | None = None
    budgets: Sequence[BudgetSettings] = ()
    health_check_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # probed host -> check id


def dashboard_body(
    settings: AlertingSettings, region: pulumi.Input[str], sources: DashboardSources | None = None
) -> dict[str, Any]:
    sources = sources or DashboardSources()
    widgets: list[dict[str, Any]] = []
    if sources.alarm_arns:
        widgets.append({"type": "alarm", "properties": {"title": "Alarm status", "alarms": list(sources.alarm_arns)}})
    if sources.health_check_ids:
        widgets.append(probe_widget(sources.health_check_ids))
    widgets.extend(alarm_widget(a, settings.metric_namespace, region) for a in settings.active_alarms)
    if sources.replication is not None:
        widgets.extend(replication_widgets(sources.replication))
    if sources.backups is not None:
        widgets.extend(backup_widgets(sources.backups))
    if sources.budgets:
        widgets.extend(cost_widgets(sources.budgets))
    _lay_out(widgets)
    return {"widgets": widgets}


def _lay_out(widgets: list[dict[str, Any]]) -> None:
    """Alarm status across the top, then two charts per row (explicit positions keep the layout stable)."""
    y, column = 0, 0
    for widget in widgets:
        if widget["type"] == "alarm":
            if column:
                y, column = y + HEIGHT, 0
            widget.update(x=0, y=y, width=2 * WIDTH, height=3)
            y += 3
            continue
        widget.update(x=column * WIDTH, y=y, width=WIDTH, height=HEIGHT)
        column += 1
        if column == 2:
            y, column = y + HEIGHT, 0


@dataclass(frozen=True)
class DashboardOutputs(OutputRecord):
    export_prefix = "dashboard"

    name: pulumi.Output[str]


class OperationsDashboard(pulumi.ComponentResource):
    """One CloudWatch dashboard per stack, generated from the same alarm definitions as the alarms."""

    outputs: DashboardOutputs

    def __init__(
        self,
        name: str,
        settings: AlertingSettings,
        environment: Environment,
        sources: DashboardSources,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:alerting:OperationsDashboard", name, None, opts)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        body = dashboard_body(settings, region, sources)
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=f"{settings.dashboard_name}-{environment}",
            dashboard_body=pulumi.Output.json_dumps(body),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.outputs = register(self, DashboardOutputs(name=dashboard.dashboard_name))


def build_dashboard(name: str, config: LoadedConfig, *, alerting: Alerting, backup: BackupVault) -> OperationsDashboard:
    """Drawn from the alarm definitions, plus the backup replication and jobs and the budgets of the cost block."""
    settings = config.settings
    backup_settings = settings.backup
    region = backup_settings.primary_region
    sources = DashboardSources(
        alarm_arns=[
            *alerting.alarm_arns.values(),
            alerting.composite_alarm_arn,
            *(alarm.arn for alarm in backup.alarms),
        ],
        replication=ReplicationMetrics(
            source_bucket=backup.outputs.primary_bucket_name,
            destination_bucket=backup.outputs.replica_bucket_name,
            rule_id=backup.replication_rule_id,
            region=region,
        ),
        backups=BackupMetrics(
            namespace=backup_settings.metric_namespace,
            environment=settings.environment,
            identities=[app.identity for app in backup.apps],
            region=region,
            rpo=backup_settings.rpo,
            rto_hours=backup_settings.rto_hours,
        ),
        budgets=settings.cost.budgets,
        health_check_ids=alerting.health_check_ids,
    )
    return OperationsDashboard(name, settings.alerting, settings.environment, sources)
