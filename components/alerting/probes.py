"""External probes: Route 53 health checks request the app's health endpoint from several regions.

The app's own metrics go silent when the app is down, so only a request from outside can tell that users
are not being served. Route 53 publishes `HealthCheckStatus` (1 healthy, 0 unhealthy) in us-east-1 only,
so each probe's alarm is created there (`region=`); Route 53 itself is global and takes no region.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.settings.alerting import ProbeSettings, probe_alarm_suffix
from components.settings.base import Environment

PROBE_METRIC_REGION = "us-east-1"
HTTPS_PORT = 443


def health_checks(
    name: str,
    settings: ProbeSettings,
    environment: Environment,
    *,
    critical_topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
) -> tuple[dict[str, aws.route53.HealthCheck], dict[str, aws.cloudwatch.MetricAlarm]]:
    """One HTTPS string-match health check per endpoint (keyed by host) and its critical alarm (by alarm suffix)."""
    child = pulumi.ResourceOptions(parent=parent)
    checks: dict[str, aws.route53.HealthCheck] = {}
    alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
    for host in settings.endpoints:
        suffix = probe_alarm_suffix(host)
        check = aws.route53.HealthCheck(
            f"{name}-{suffix}",
            type="HTTPS_STR_MATCH",
            fqdn=host,
            port=HTTPS_PORT,
            enable_sni=True,
            resource_path=settings.path,
            search_string=settings.expected_string,
            request_interval=settings.request_interval,
            failure_threshold=settings.failure_threshold,
            regions=list(settings.regions),
            tags={"Name": f"{environment}-{host}"},
            opts=child,
        )
        checks[host] = check
        alarms[suffix] = aws.cloudwatch.MetricAlarm(
            f"{name}-{suffix}",
            name=f"{environment}-{suffix}",
            region=PROBE_METRIC_REGION,
            alarm_description=(
                f"[critical] https://{host}{settings.path} fails from outside AWS (Route 53 health check "
                f"from {', '.join(settings.regions)}): users cannot reach the app."
            ),
            namespace="AWS/Route53",
            metric_name="HealthCheckStatus",
            dimensions={"HealthCheckId": check.id},
            statistic="Minimum",
            period=60,
            evaluation_periods=settings.alarm_evaluation_periods,
            threshold=1,
            comparison_operator="LessThanThreshold",
            # No status at all means Route 53 stopped reporting: treat it as down, never as fine.
            treat_missing_data="breaching",
            actions_enabled=True,
            alarm_actions=[critical_topic_arn],
            ok_actions=[critical_topic_arn],
            opts=child,
        )
    return checks, alarms
