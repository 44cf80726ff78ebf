"""Bad cost settings are rejected before any resource exists, naming the stack file and the key path."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.settings.cost import BudgetSettings, CostSettings
from tests.support.programs import settings_refusal
from tests.support.stack_files import NAMESPACE

COST = f"{NAMESPACE}:cost"


def test_bad_budgets_are_rejected_with_their_key_paths(tmp_path):
    def edit(config: dict[str, Any]) -> None:
        budgets = config[COST]["budgets"]
        budgets[0]["limit_usd"] = -5
        budgets[1]["thresholds_percent"] = [80, 120]
        budgets[2]["time_unit"] = "HOURLY"
        budgets[3]["tag_filter"]["key"] = "team"
        budgets[0]["name"] = "bad:name"
        config[COST]["budgets"].append(
            {**budgets[2], "name": "daily-forecast", "time_unit": "DAILY", "notification_type": "FORECASTED"}
        )

    message = settings_refusal(tmp_path, "production", edit)
    prefix = f"Pulumi.production.yaml: {COST}.budgets"
    assert f"{prefix}[0].limit_usd: must be greater than 0" in message
    assert f"{prefix}[1].thresholds_percent: 120 is outside (0, 100]" in message
    assert f"{prefix}[0].name: " in message
    assert f"{prefix}[2].time_unit: must be one of" in message
    assert f"{prefix}[3].tag_filter.key: 'team' is not a cost-allocation tag" in message
    assert f"{prefix}[4].notification_type: AWS Budgets has no forecast for DAILY budgets" in message


def test_daily_anomaly_digest_needs_an_email_subscriber(tmp_path):
    def edit(config: dict[str, Any]) -> None:
        config[COST]["email_subscribers"] = []

    message = settings_refusal(tmp_path, "staging", edit)
    assert f"Pulumi.staging.yaml: {COST}.email_subscribers: DAILY anomaly digests are emailed" in message


def budget(**changes: Any) -> dict[str, Any]:
    return {"name": "b", "time_unit": "MONTHLY", "limit_usd": 1, "notification_type": "ACTUAL", **changes}


@pytest.mark.parametrize(
    "good",
    [
        budget(thresholds_percent=[100]),
        budget(limit_usd=0.01),
        budget(time_unit="DAILY"),
        budget(tag_filter={"key": "feature", "value": "functions"}),
        budget(tag_filter={"key": "cost-center", "value": "CC-4100-platform"}),
    ],
)
def test_boundary_budgets_are_accepted(good: dict[str, Any]):
    BudgetSettings.model_validate(good)


@pytest.mark.parametrize(
    "bad",
    [
        budget(limit_usd=0),
        budget(thresholds_percent=[]),
        budget(thresholds_percent=[0]),
        budget(thresholds_percent=[80, 80]),
        budget(thresholds_percent=[10.0 * i for i in range(1, 12)]),
        budget(tag_filter={"key": "feature", "value": "a$b"}),
    ],
)
def test_out_of_range_budgets_are_rejected(bad: dict[str, Any]):
    with pytest.raises(ValidationError):
        BudgetSettings.model_validate(bad)


def test_anomaly_pairing_rules():
    # IMMEDIATE goes to SNS: no email needed. Disabled detection needs nothing either.
    CostSettings.model_validate({"anomaly": {"frequency": "IMMEDIATE"}})
    CostSettings.model_validate({"anomaly": {"enabled": False}})
    for digest in ("DAILY", "WEEKLY"):
        with pytest.raises(ValidationError, match="need an email subscriber"):
            CostSettings.model_validate({"anomaly": {"frequency": digest}})
    with pytest.raises(ValidationError, match="must be unique"):
        CostSettings.model_validate({"email_subscribers": ["a@example.com", "A@example.com"]})
    with pytest.raises(ValidationError, match="budget names must be unique"):
        CostSettings.model_validate({"budgets": [budget(), budget()], "email_subscribers": ["a@example.com"]})
