"""One evaluation of the program with custom alarm definitions and routes, shared by this package's tests."""

from __future__ import annotations

from typing import Any

import pytest

from ops.offline import Evaluation
from tests.support.programs import evaluate_with
from tests.support.stack_files import NAMESPACE

# Definitions that exercise what the runbook defaults do not: dimensions, a percentile inside metric math,
# a lower-bound comparison, no datapoints_to_alarm, and a custom composite membership. They are added to
# the runbook defaults (new names), one default is removed and one overridden.
CUSTOM_ALARMS: list[dict[str, Any]] = [
    {
        "name": "api-latency-p99",
        "description": "API p99.9 above 1.5 s.",
        "severity": "low",
        "metric": {"metric_name": "ApiLatency", "statistic": "p99.9", "dimensions": {"Route": "/api/events"}},
        "period": 300,
        "threshold": 1500,
        "evaluation_periods": 3,
        "unit": "Milliseconds",
    },
    {
        "name": "slow-share",
        "description": "Share of slow functions in percent.",
        "severity": "medium",
        "math": {
            "expression": "100 * slow / total",
            "metrics": {
                "slow": {"metric_name": "FunctionDuration", "statistic": "p90", "dimensions": {"Function": "checkout"}},
                "total": {"metric_name": "FunctionInvocations", "statistic": "SampleCount"},
            },
        },
        "threshold": 10,
    },
    {
        "name": "heartbeats-missing",
        "description": "No heartbeats: the scheduler is down.",
        "severity": "critical",
        "metric": {"metric_name": "Heartbeat", "statistic": "SampleCount"},
        "threshold": 1,
        "comparison": "LessThanThreshold",
        "evaluation_periods": 2,
        "treat_missing_data": "breaching",
    },
    {"name": "memory-utilization", "enabled": False},
    {"name": "cpu-utilization", "threshold": 95, "severity": "high"},
]


@pytest.fixture(scope="session")
def custom_alerting(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    def edit(config: dict[str, Any]) -> None:
        alerting = config[f"{NAMESPACE}:alerting"]
        alerting["alarms"] = CUSTOM_ALARMS
        alerting["service_unavailable_alarms"] = ["heartbeats-missing", "api-latency-p99"]
        alerting["slack"] = {
            "workspace_id": "T0CUSTOM01",
            "channels": [{"name": "quiet", "channel_id": "C0CUSTOM01", "severities": ["low"]}],
        }
        alerting["pagerduty_severities"] = ["critical"]
        alerting["probes"] = {"endpoints": ["staging.lodgetix.io", "api.staging.lodgetix.io"], "path": "/healthz"}
        alerting["emails"] = [
            {"address": "a@example.org", "severities": ["critical"]},
            {"address": "b@example.org", "severities": ["medium", "low"]},
        ]

    return evaluate_with(tmp_path_factory.mktemp("alerting-custom"), "staging", edit)
