"""Cost-control settings: budgets and anomaly detection (runbook IF-012)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Email, FieldError, Model, Severity
from .tags import COST_TAG_KEYS

TimeUnit = Literal["DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"]
NotificationType = Literal["ACTUAL", "FORECASTED"]


class TagFilter(Model):
    """Restrict a budget to resources carrying one cost-allocation tag value."""

    key: str = Field(description=f"Cost-allocation tag key: one of {', '.join(COST_TAG_KEYS)}.")
    value: str = Field(description="Tag value, for example `functions`.")

    @model_validator(mode="after")
    def _known_key(self) -> TagFilter:
        if self.key not in COST_TAG_KEYS:
            raise FieldError("key", f"'{self.key}' is not a cost-allocation tag; use one of {', '.join(COST_TAG_KEYS)}")
        return self


class BudgetSettings(Model):
    """One AWS Budget with percentage notifications."""

    name: str = Field(description="Budget name suffix.")
    time_unit: TimeUnit = Field(description="DAILY, MONTHLY, QUARTERLY or ANNUALLY.")
    limit_usd: float = Field(gt=0, description="Budget limit in USD.")
    notification_type: NotificationType = Field(description="ACTUAL spend or FORECASTED spend.")
    thresholds_percent: list[float] = Field(
        default_factory=lambda: [80.0, 100.0], description="Percentages of the limit that notify."
    )
    severity: Severity = Field(default="high", description="Alert topic the notifications go to.")
    tag_filter: TagFilter | None = Field(
        default=None, description="Only count costs carrying this tag (feature budgets)."
    )

    @model_validator(mode="after")
    def _thresholds(self) -> BudgetSettings:
        if not self.thresholds_percent:
            raise FieldError("thresholds_percent", "needs at least one threshold")
        for value in self.thresholds_percent:
            if not 0 < value <= 100:
                raise FieldError("thresholds_percent", f"{value} is outside (0, 100]")
        return self


def _runbook_budgets() -> list[BudgetSettings]:
    """IF-012: daily spend alert 100 USD, monthly projection 2,000 USD."""
    return [
        BudgetSettings(name="daily-actual", time_unit="DAILY", limit_usd=100, notification_type="ACTUAL"),
        BudgetSettings(name="monthly-forecast", time_unit="MONTHLY", limit_usd=2000, notification_type="FORECASTED"),
        BudgetSettings(name="monthly-actual", time_unit="MONTHLY", limit_usd=2000, notification_type="ACTUAL"),
    ]


class AnomalySettings(Model):
    """Cost Anomaly Detection: a monitor by service and a subscription."""

    enabled: bool = Field(default=True, description="Create the anomaly monitor and subscription.")
    frequency: Literal["IMMEDIATE", "DAILY", "WEEKLY"] = Field(
        default="DAILY",
        description="IMMEDIATE goes to the SNS topic; DAILY/WEEKLY are email digests (AWS pairs them so).",
    )
    threshold_usd: float = Field(default=100, gt=0, description="Minimum absolute impact in USD.")
    threshold_percent: float = Field(default=20, gt=0, le=100, description="Minimum impact as % of expected spend.")
    severity: Severity = Field(default="high", description="Topic that receives IMMEDIATE notifications.")


class CostSettings(Model):
    """Budgets, feature budgets and anomaly detection."""

    budgets: list[BudgetSettings] = Field(default_factory=_runbook_budgets, description="Account budgets.")
    email_subscribers: list[Email] = Field(default_factory=list, description="Addresses that receive cost alerts.")
    anomaly: AnomalySettings = Field(default_factory=AnomalySettings)  # pyright: ignore[reportArgumentType]

    @model_validator(mode="after")
    def _cross_field(self) -> CostSettings:
        names = [b.name for b in self.budgets]
        if len(set(names)) != len(names):
            raise FieldError("budgets", "budget names must be unique")
        if self.anomaly.enabled and self.anomaly.frequency != "IMMEDIATE" and not self.email_subscribers:
            raise FieldError("email_subscribers", f"{self.anomaly.frequency} anomaly digests need an email subscriber")
        return self
