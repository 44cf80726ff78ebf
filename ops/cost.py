"""`python -m ops cost`: what a stack costs each month at list prices, counted from its offline plan.

The fixed part multiplies the plan's resource counts (KMS keys and their rotations, alarm metrics, composite
alarms, dashboards, health checks, budgets, replication metrics, the Cloudflare plan of each zone) with the
prices in `ops/data/prices.yaml`. The usage part lists unit prices and works one example through the plan's
own lifecycle rules, replication rule and backup cadence for a stated dump size. It is an estimate at list
prices: no taxes, credits, discounts or negotiated rates, and the free allowances are per account.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .boundary import InputError
from .offline import Evaluation, RecordedResource
from .strict_yaml import read_yaml

PRICES = Path(__file__).resolve().parent / "data" / "prices.yaml"
DAYS_PER_YEAR = 365.0
STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "GLACIER_IR")
TIER_DUMPS_PER_DAY = {"daily/": 1.0, "weekly/": 1 / 7, "monthly/": 12 / DAYS_PER_YEAR}

KMS_KEY = "aws:kms/key:Key"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
BUDGET = "aws:budgets/budget:Budget"
ANOMALY_TYPES = (
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
    "aws:costexplorer/anomalySubscription:AnomalySubscription",
)
CHATBOT_PREFIX = "aws:chatbot/"
SNS_TYPES = ("aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription")
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET = "aws:s3/bucket:Bucket"


# ---------------------------------------------------------------------------------------------------
# The price file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    unit: str
    source: str = Field(pattern=r"^https://")
    read: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    confirmed: bool
    note: str | None = None


class FlatPrice(Source):
    usd: float = Field(ge=0)
    free_per_account: int = Field(default=0, ge=0)
    max_rotations_billed: int | None = Field(default=None, ge=0)
    metrics_per_replication_rule: int | None = Field(default=None, ge=0)


class DailyPrice(Source):
    usd_per_day: float = Field(ge=0)
    free_per_account: int = Field(default=0, ge=0)


class ZonePlanPrice(Source):
    free: float | None
    pro: float | None
    business: float | None
    enterprise: float | None


class Fixed(_Strict):
    kms_key: FlatPrice
    kms_rotation: FlatPrice
    alarm_metric: FlatPrice
    composite_alarm: FlatPrice
    dashboard: FlatPrice
    custom_metric: FlatPrice
    health_check: FlatPrice
    health_check_feature: FlatPrice
    budget: DailyPrice
    anomaly_detection: FlatPrice
    chatbot: FlatPrice
    sns_topic: FlatPrice
    cloudflare_plan: ZonePlanPrice


class RegionalStorage(Source):
    regions: dict[str, dict[str, float]]


class ClassPrice(Source):
    per_1000: dict[str, float]


class Usage(_Strict):
    s3_storage: RegionalStorage
    s3_put: ClassPrice
    s3_transition: ClassPrice
    inter_region_transfer: FlatPrice
    replication_time_control: FlatPrice
    kms_request: FlatPrice


class Prices(_Strict):
    currency: str
    hours_per_month: float = Field(gt=0)
    fixed: Fixed
    usage: Usage

    @property
    def days_per_month(self) -> float:
        return self.hours_per_month / 24


def load_prices(path: Path = PRICES) -> Prices:
    """The price file, validated; `InputError` names the file and the key path of a mistake."""
    data = read_yaml(path)
    try:
        return Prices.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path.name}: {where}: {first['msg']}") from None


# ---------------------------------------------------------------------------------------------------
# The estimate


@dataclass(frozen=True)
class Line:
    """One priced item: `monthly` is None when it has no list price (it is then left out of the totals)."""

    item: str
    quantity: float
    unit_price: str
    monthly: float | None
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Example:
    """The usage example: the stated sizes, what they add up to in the plan's buckets, and its price."""

    full_dump_gb: float
    incremental_dump_gb: float
    apps: int
    stored_gb: dict[str, dict[str, float]]  # bucket region -> storage class -> GB
    lines: list[Line]

    @property
    def total(self) -> float:
        return sum(line.monthly or 0.0 for line in self.lines)


@dataclass
class Estimate:
    stack: str
    currency: str
    counts: Counter[str]
    fixed: list[Line]
    rotations_per_key_max: int
    rotating_keys: int
    rotation_price: float
    unpriced: list[str]
    example: Example
    usage: list[Line] = field(default_factory=list[Line])

    @property
    def fixed_total(self) -> float:
        return sum(line.monthly or 0.0 for line in self.fixed)

    @property
    def fixed_total_after_rotations(self) -> float:
        """The fixed total once every rotating key has had the rotations that are billed."""
        return self.fixed_total + self.rotating_keys * self.rotations_per_key_max * self.rotation_price


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _unit(value: float) -> str:
    return f"{value:g}"


def alarm_metrics(alarm: RecordedResource) -> int:
    """Alarm metrics AWS bills for one metric alarm: one, or each metric a metric-math alarm reads."""
    queries = alarm.plain_inputs.get("metricQueries") or []
    return sum(1 for q in queries if isinstance(q, dict) and "metric" in q) or 1


def health_check_features(check: RecordedResource) -> int:
    """Optional features Route 53 bills on one health check: HTTPS, string matching, fast interval, latency."""
    inputs = check.plain_inputs
    kind = str(inputs.get("type") or "")
    return (
        kind.startswith("HTTPS")
        + kind.endswith("_STR_MATCH")
        + (float(inputs.get("requestInterval") or 30) == 10)
        + bool(inputs.get("measureLatency"))
    )


def _zones(evaluation: Evaluation) -> list[tuple[str, str]]:
    raw = evaluation.config.get(f"{evaluation.project}:edge")
    if not raw:
        return []
    zones = json.loads(raw).get("zones") or []
    return [(str(z["name"]), str(z["plan"])) for z in zones]


def _fixed_lines(evaluation: Evaluation, prices: Prices, unpriced: list[str]) -> list[Line]:
    fixed = prices.fixed
    counts = Counter(r.type for r in evaluation.resources)
    lines: list[Line] = []

    def flat(item: str, quantity: float, price: FlatPrice, free: int = 0) -> None:
        billable = max(0.0, quantity - free)
        suffix = f", first {free} free per account" if free else ""
        lines.append(
            Line(item, quantity, f"{_unit(price.usd)}{suffix}", billable * price.usd, price.source, price.confirmed)
        )

    flat("KMS customer managed keys", counts[KMS_KEY], fixed.kms_key)
    flat(
        "CloudWatch alarm metrics (standard resolution)",
        sum(alarm_metrics(a) for a in evaluation.of_type(METRIC_ALARM)),
        fixed.alarm_metric,
        fixed.alarm_metric.free_per_account,
    )
    flat("CloudWatch composite alarms", counts[COMPOSITE_ALARM], fixed.composite_alarm)
    flat("CloudWatch dashboards", counts[DASHBOARD], fixed.dashboard, fixed.dashboard.free_per_account)
    rules = [
        rule
        for config in evaluation.of_type(REPLICATION)
        for rule in config.plain_inputs.get("rules") or []
        if (rule.get("destination") or {}).get("metrics", {}).get("status") == "Enabled"
    ]
    per_rule = fixed.custom_metric.metrics_per_replication_rule or 0
    flat("S3 replication metrics (CloudWatch custom metrics)", len(rules) * per_rule, fixed.custom_metric)
    checks = evaluation.of_type(HEALTH_CHECK)
    flat("Route 53 health checks", len(checks), fixed.health_check)
    flat("Route 53 health check features", sum(health_check_features(c) for c in checks), fixed.health_check_feature)
    budget = fixed.budget
    budgets = counts[BUDGET]
    billable = max(0, budgets - budget.free_per_account)
    lines.append(
        Line(
            "AWS Budgets",
            budgets,
            f"{_unit(budget.usd_per_day)} a day, first {budget.free_per_account} free per payer account",
            billable * budget.usd_per_day * prices.days_per_month,
            budget.source,
            budget.confirmed,
        )
    )
    flat(
        "Cost Anomaly Detection monitors and subscriptions",
        sum(counts[t] for t in ANOMALY_TYPES),
        fixed.anomaly_detection,
    )
    flat(
        "AWS Chatbot channel configurations",
        sum(n for t, n in counts.items() if t.startswith(CHATBOT_PREFIX)),
        fixed.chatbot,
    )
    flat("SNS topics and subscriptions", sum(counts[t] for t in SNS_TYPES), fixed.sns_topic)
    plans = fixed.cloudflare_plan
    for zone, plan in _zones(evaluation):
        price = getattr(plans, plan, None)
        if price is None:
            unpriced.append(f"Cloudflare {plan} plan of {zone} (contract price, not listed)")
        lines.append(
            Line(
                f"Cloudflare {plan} plan, zone {zone}",
                1,
                "contract" if price is None else _unit(price),
                price,
                plans.source,
                plans.confirmed,
            )
        )
    return lines


def _lifecycle(evaluation: Evaluation, bucket: str) -> list[dict[str, Any]]:
    for config in evaluation.of_type(LIFECYCLE):
        inputs = config.plain_inputs
        if inputs.get("bucket") == bucket:
            return [r for r in inputs.get("rules") or [] if r.get("status") == "Enabled"]
    return []


def _days_by_class(rule: dict[str, Any]) -> dict[str, float]:
    """How many days one object written under `rule` spends in each storage class before it is gone.

    The buckets are versioned: expiration makes the object a noncurrent version, which stays (in the class it
    was in) until `noncurrentVersionExpiration`.
    """
    expire = float((rule.get("expiration") or {}).get("days") or 0)
    noncurrent = float((rule.get("noncurrentVersionExpiration") or {}).get("noncurrentDays") or 0)
    lifetime = expire + noncurrent
    steps = sorted((float(t["days"]), str(t["storageClass"])) for t in rule.get("transitions") or [])
    days: dict[str, float] = {}
    start, current = 0.0, "STANDARD"
    for step_day, storage_class in [*steps, (lifetime, "")]:
        end = min(step_day, lifetime)
        days[current] = days.get(current, 0.0) + max(0.0, end - start)
        start, current = end, storage_class
    return days


def _backup_buckets(evaluation: Evaluation) -> tuple[str, str, str, str] | None:
    """Primary and replica bucket names and regions, from the plan's replication rule (None without one)."""
    for config in evaluation.of_type(REPLICATION):
        inputs = config.plain_inputs
        rule = (inputs.get("rules") or [{}])[0]
        replica = str(rule.get("destination", {}).get("bucket", "")).removeprefix("arn:aws:s3:::")
        regions = {
            str(b.plain_inputs.get("bucket")): str(b.plain_inputs.get("region")) for b in evaluation.of_type(BUCKET)
        }
        primary = str(inputs.get("bucket"))
        return primary, regions.get(primary, ""), replica, regions.get(replica, "")
    return None


def _priced(rates: dict[str, float], storage_class: str, where: str, stack: str) -> float:
    if storage_class not in rates:
        raise InputError(f"{PRICES.name}: {where}: no price for {storage_class}, a storage class of stack {stack}")
    return rates[storage_class]


def _example(evaluation: Evaluation, prices: Prices, full_gb: float, incremental_gb: float) -> Example:
    usage = prices.usage
    design = evaluation.outputs.get("backup_rpo_design") or {}
    interval = float((design.get("terms_minutes") or {}).get("interval") or 0)
    dumps_per_day = dict(TIER_DUMPS_PER_DAY)
    if interval > 0:
        dumps_per_day["incremental/"] = 24 * 60 / interval
    apps = len(evaluation.outputs.get("backup_writer_role_arns") or {})
    buckets = _backup_buckets(evaluation)
    if buckets is None:
        return Example(full_gb, incremental_gb, apps, {}, [])
    primary, primary_region, replica, replica_region = buckets
    stored: dict[str, dict[str, float]] = {}
    transitions: dict[str, float] = defaultdict(float)
    written_gb = 0.0
    writes = 0.0
    for bucket, region in ((primary, primary_region), (replica, replica_region)):
        by_class = stored.setdefault(region, dict.fromkeys(STORAGE_CLASSES, 0.0))
        for rule in _lifecycle(evaluation, bucket):
            prefix = str((rule.get("filter") or {}).get("prefix") or "")
            per_day = dumps_per_day.get(prefix, 0.0) * apps
            size = incremental_gb if prefix == "incremental/" else full_gb
            for storage_class, days in _days_by_class(rule).items():
                by_class[storage_class] = by_class.get(storage_class, 0.0) + per_day * size * days
            for step in rule.get("transitions") or []:
                transitions[str(step["storageClass"])] += per_day * prices.days_per_month
            if bucket == primary:
                written_gb += per_day * size * prices.days_per_month
                writes += per_day * prices.days_per_month
    lines: list[Line] = []
    for region, by_class in stored.items():
        rates = usage.s3_storage.regions.get(region)
        if rates is None:
            raise InputError(
                f"{PRICES.name}: usage.s3_storage.regions: no prices for {region}, a region of stack {evaluation.stack}"
            )
        for storage_class, gb in by_class.items():
            if gb > 0:
                rate = _priced(rates, storage_class, f"usage.s3_storage.regions.{region}", evaluation.stack)
                lines.append(
                    Line(
                        f"S3 {storage_class} storage, {region} (GB-month)",
                        gb,
                        _unit(rate),
                        gb * rate,
                        usage.s3_storage.source,
                        usage.s3_storage.confirmed,
                    )
                )
    put = usage.s3_put.per_1000["STANDARD"]
    lines.append(
        Line(
            "S3 PUT requests, primary and replica (dumps a month, each bucket)",
            2 * writes,
            f"{_unit(put)} per 1,000",
            2 * writes * put / 1000,
            usage.s3_put.source,
            usage.s3_put.confirmed,
        )
    )
    for storage_class, count in sorted(transitions.items()):
        rate = _priced(usage.s3_transition.per_1000, storage_class, "usage.s3_transition.per_1000", evaluation.stack)
        lines.append(
            Line(
                f"S3 lifecycle transitions to {storage_class}",
                count,
                f"{_unit(rate)} per 1,000",
                count * rate / 1000,
                usage.s3_transition.source,
                usage.s3_transition.confirmed,
            )
        )
    transfer, rtc = usage.inter_region_transfer, usage.replication_time_control
    lines.append(
        Line(
            f"Replication transfer {primary_region} to {replica_region} (GB a month)",
            written_gb,
            _unit(transfer.usd),
            written_gb * transfer.usd,
            transfer.source,
            transfer.confirmed,
        )
    )
    lines.append(
        Line(
            "Replication Time Control (GB a month)",
            written_gb,
            _unit(rtc.usd),
            written_gb * rtc.usd,
            rtc.source,
            rtc.confirmed,
        )
    )
    return Example(full_gb, incremental_gb, apps, stored, lines)


def estimate(
    evaluation: Evaluation, prices: Prices, *, full_dump_gb: float = 1.0, incremental_dump_gb: float = 0.1
) -> Estimate:
    """The monthly estimate of a stack from its offline plan."""
    if full_dump_gb < 0 or incremental_dump_gb < 0:
        raise InputError("ops cost: dump sizes must be 0 GB or more")
    unpriced: list[str] = []
    fixed = _fixed_lines(evaluation, prices, unpriced)
    keys = evaluation.of_type(KMS_KEY)
    rotating = sum(1 for k in keys if k.plain_inputs.get("enableKeyRotation"))
    usage = prices.usage
    unit_prices = [
        Line(
            f"S3 storage {region} {c} (GB-month)",
            1,
            _unit(p),
            None,
            usage.s3_storage.source,
            usage.s3_storage.confirmed,
        )
        for region, rates in usage.s3_storage.regions.items()
        for c, p in rates.items()
    ]
    unit_prices += [
        Line(
            f"S3 PUT/COPY/POST/LIST into {c} (per 1,000)",
            1,
            _unit(p),
            None,
            usage.s3_put.source,
            usage.s3_put.confirmed,
        )
        for c, p in usage.s3_put.per_1000.items()
    ]
    unit_prices += [
        Line(
            f"S3 lifecycle transition into {c} (per 1,000)",
            1,
            _unit(p),
            None,
            usage.s3_transition.source,
            usage.s3_transition.confirmed,
        )
        for c, p in usage.s3_transition.per_1000.items()
    ]
    for name, price in (
        ("Inter-region transfer (per GB)", usage.inter_region_transfer),
        ("Replication Time Control (per GB)", usage.replication_time_control),
        ("KMS requests (per 10,000, after 20,000 free)", usage.kms_request),
    ):
        unit_prices.append(Line(name, 1, _unit(price.usd), None, price.source, price.confirmed))
    return Estimate(
        stack=evaluation.stack,
        currency=prices.currency,
        counts=Counter(r.type for r in evaluation.resources),
        fixed=fixed,
        rotations_per_key_max=prices.fixed.kms_rotation.max_rotations_billed or 0,
        rotating_keys=rotating,
        rotation_price=prices.fixed.kms_rotation.usd,
        unpriced=unpriced,
        example=_example(evaluation, prices, full_dump_gb, incremental_dump_gb),
        usage=unit_prices,
    )


# ---------------------------------------------------------------------------------------------------
# Rendering (Markdown: the terminal, the job summary and docs/cost.md show the same text)

DISCLAIMER = (
    "This is an estimate at list prices from `ops/data/prices.yaml` (each price with its source and the date it "
    "was read; `confirmed: false` marks a price not read on the provider's own page). It leaves out taxes, "
    "credits, discounts, negotiated rates and support plans; free allowances are per account (budgets: per payer "
    "account), so two stacks in one account share them."
)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _mark(line: Line) -> str:
    return "" if line.confirmed else " *"


def render_counts(estimate: Estimate) -> str:
    rows = [_row("Kind", "Count"), _row("---", "---:")]
    rows += [_row(f"`{t}`", str(n)) for t, n in sorted(estimate.counts.items())]
    rows.append(_row("**all resources**", f"**{sum(estimate.counts.values())}**"))
    return "\n".join(rows)


def render(estimate: Estimate) -> str:
    cur = estimate.currency
    ex = estimate.example
    out = [
        f"## Monthly cost of `{estimate.stack}`",
        "",
        DISCLAIMER,
        "",
        "### Fixed monthly cost",
        "",
        _row("Item", "Quantity", f"Unit price ({cur} a month)", f"{cur} a month"),
        _row("---", "---:", "---", "---:"),
    ]
    for line in estimate.fixed:
        money = "not listed" if line.monthly is None else _money(line.monthly)
        out.append(_row(line.item + _mark(line), _unit(line.quantity), line.unit_price, money))
    out.append(_row("**Fixed total**", "", "", f"**{_money(estimate.fixed_total)}**"))
    out += [
        "",
        f"Key rotation: {estimate.rotating_keys} of the keys rotate once a year, and each rotation adds "
        f"{_money(estimate.rotation_price)} {cur} a month per key for at most {estimate.rotations_per_key_max} "
        f"rotations: from the third year the fixed total is {_money(estimate.fixed_total_after_rotations)} {cur} a month.",
    ]
    if estimate.unpriced:
        out.append("Left out of the totals: " + "; ".join(estimate.unpriced) + ".")
    out += [
        "",
        "### Usage-based unit prices",
        "",
        _row("Item", f"Unit price ({cur})"),
        _row("---", "---:"),
        *(_row(line.item + _mark(line), line.unit_price) for line in estimate.usage),
        "",
        "### Worked example: backups",
        "",
    ]
    if not ex.lines:
        out += ["The plan has no backup replication rule, so there is no backups example.", ""]
    else:
        out += _example_lines(estimate, cur)
    out += [
        "KMS requests, SNS deliveries and the app's own custom metrics depend on traffic and are not in the example.",
        "",
        "`*` a price not read on the provider's own page (`confirmed: false` in the price file).",
    ]
    return "\n".join(out)


def _example_lines(estimate: Estimate, cur: str) -> list[str]:
    ex = estimate.example
    return [
        f"Assumed: each of the {ex.apps} managed app(s) writes a full dump of {_unit(ex.full_dump_gb)} GB daily "
        f"(also kept as the weekly and monthly dump) and an incremental dump of {_unit(ex.incremental_dump_gb)} GB "
        "at the RPO design's interval; no pre-migration dumps. Each dump is one object (one PUT); retention, "
        "transitions, noncurrent-version days and the replica's longer retention come from the plan's lifecycle rules.",
        "",
        _row("Item", "Quantity", f"Unit price ({cur})", f"{cur} a month"),
        _row("---", "---:", "---", "---:"),
        *(
            _row(line.item + _mark(line), f"{line.quantity:,.1f}", line.unit_price, _money(line.monthly or 0.0))
            for line in ex.lines
        ),
        _row("**Example usage total**", "", "", f"**{_money(ex.total)}**"),
        "",
        f"Fixed plus this example: **{_money(estimate.fixed_total + ex.total)} {cur} a month**.",
    ]


def run_cost(stack: str, program: Path, full_dump_gb: float, incremental_dump_gb: float) -> int:
    from .offline import evaluate

    prices = load_prices()
    print(
        render(
            estimate(
                evaluate(program, stack), prices, full_dump_gb=full_dump_gb, incremental_dump_gb=incremental_dump_gb
            )
        )
    )
    return 0
