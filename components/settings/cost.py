"""Cost-control settings: budgets and anomaly detection (runbook IF-012)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Email, FieldError, Severity, StrictSettings
from .tags import COST_TAG_KEYS, TAG_VALUE, TAG_VALUE_RULE

TimeUnit = Literal["DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"]
NotificationType = Literal["ACTUAL", "FORECASTED"]
AnomalyFrequency = Literal["IMMEDIATE", "DAILY", "WEEKLY"]

# AWS Budgets quotas: 10 notifications per budget, 10 email subscribers per notification.
MAX_NOTIFICATIONS = 10
MAX_EMAIL_SUBSCRIBERS = 10


class TagFilter(StrictSettings):
    """Restrict a budget to costs carrying one cost-allocation tag value."""

    key: str = Field(description=f"Cost-allocation tag key: one of {', '.join(COST_TAG_KEYS)}.")
    value: str = Field(description="Tag value, for example `functions` (with key `feature`).")

    @model_validator(mode="after")
    def _known_key(self) -> TagFilter:
        if self.key not in COST_TAG_KEYS:
            raise FieldError("key", f"'{self.key}' is not a cost-allocation tag; use one of {', '.join(COST_TAG_KEYS)}")
        if not TAG_VALUE.fullmatch(self.value):
            raise FieldError("value", TAG_VALUE_RULE)
        return self

    @property
    def budget_filter_value(self) -> str:
        """Budgets' TagKeyValue format for user-defined tags."""
        return f"user:{self.key}${self.value}"


class BudgetSettings(StrictSettings):
    """One AWS Budget with percentage notifications."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9_.-]{1,40}$",
        description="Budget name suffix (`<stack prefix>-cost-<name>`); letters, digits, _ . -",
    )
    time_unit: TimeUnit = Field(description="DAILY, MONTHLY, QUARTERLY or ANNUALLY.")
    limit_usd: float = Field(gt=0, description="Budget limit in USD.")
    notification_type: NotificationType = Field(description="ACTUAL spend or FORECASTED spend.")
    thresholds_percent: list[float] = Field(
        default_factory=lambda: [80.0, 100.0],
        max_length=MAX_NOTIFICATIONS,
        description="Percentages of the limit that notify (AWS allows 10 per budget).",
    )
    severity: Severity = Field(default="high", description="Alert topic the notifications go to.")
    tag_filter: TagFilter | None = Field(
        default=None, description="Only count costs carrying this tag (feature budgets)."
    )

    @model_validator(mode="after")
    def _thresholds(self) -> BudgetSettings:
        if self.time_unit == "DAILY" and self.notification_type == "FORECASTED":
            raise FieldError("notification_type", "AWS Budgets has no forecast for DAILY budgets; use ACTUAL")
        if not self.thresholds_percent:
            raise FieldError("thresholds_percent", "needs at least one threshold")
        for value in self.thresholds_percent:
            if not 0 < value <= 100:
                raise FieldError("thresholds_percent", f"{value:g} is outside (0, 100]")
        if len(set(self.thresholds_percent)) != len(self.thresholds_percent):
            raise FieldError("thresholds_percent", "thresholds must be unique")
        return self

    @property
    def limit_amount(self) -> str:
        """Budgets take the limit as a decimal string."""
        return f"{self.limit_usd:.2f}".rstrip("0").rstrip(".")


def _runbook_budgets() -> list[BudgetSettings]:
    """IF-012: daily spend alert 100 USD, monthly projection 2,000 USD."""
    return [
        BudgetSettings(name="daily-actual", time_unit="DAILY", limit_usd=100, notification_type="ACTUAL"),
        BudgetSettings(name="monthly-forecast", time_unit="MONTHLY", limit_usd=2000, notification_type="FORECASTED"),
        BudgetSettings(name="monthly-actual", time_unit="MONTHLY", limit_usd=2000, notification_type="ACTUAL"),
    ]


class AnomalySettings(StrictSettings):
    """Cost Anomaly Detection: a monitor by service and a subscription."""

    enabled: bool = Field(
        default=True,
        description="Create the monitor and subscription (AWS allows one service monitor per account).",
    )
    # IMMEDIATE by default: it needs only the alert topic, so the default settings are valid on their own.
    frequency: AnomalyFrequency = Field(
        default="IMMEDIATE",
        description="IMMEDIATE goes to the SNS topic; DAILY/WEEKLY are email digests (AWS pairs them so).",
    )
    threshold_usd: float = Field(default=100, gt=0, description="Minimum absolute impact in USD.")
    threshold_percent: float = Field(default=20, gt=0, le=100, description="Minimum impact as % of expected spend.")
    severity: Severity = Field(default="high", description="Topic that receives IMMEDIATE notifications.")


class CostSettings(StrictSettings):
    """Budgets, feature budgets and anomaly detection."""

    budgets: list[BudgetSettings] = Field(default_factory=_runbook_budgets, description="Account budgets.")
    email_subscribers: list[Email] = Field(
        default_factory=list,
        max_length=MAX_EMAIL_SUBSCRIBERS,
        description="Addresses that receive budget alerts and anomaly digests (AWS allows 10).",
    )
    anomaly: AnomalySettings = Field(default_factory=AnomalySettings)  # pyright: ignore[reportArgumentType]
    activate_tag_keys: bool = Field(
        default=False,
        description=(
            "Activate the cost tag keys for cost allocation (account-wide; let one stack own it). AWS accepts a "
            "key only after it appears in billing data, up to 24 h after the first tagged resource."
        ),
    )

    @field_validator("email_subscribers")
    @classmethod
    def _unique_emails(cls, value: list[str]) -> list[str]:
        if len({v.lower() for v in value}) != len(value):
            raise ValueError("email addresses must be unique")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> CostSettings:
        names = [b.name for b in self.budgets]
        if len(set(names)) != len(names):
            raise FieldError("budgets", "budget names must be unique")
        if self.anomaly.enabled and self.anomaly.frequency != "IMMEDIATE" and not self.email_subscribers:
            raise FieldError(
                "email_subscribers",
                f"{self.anomaly.frequency} anomaly digests are emailed and need an email subscriber",
            )
        return self
