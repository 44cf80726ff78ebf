"""`python -m ops cost`: counted from the offline plan, priced from ops/data/prices.yaml, honest about gaps."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from ops import cost
from ops.boundary import InputError
from ops.offline import Evaluation, RecordedResource
from tests.support.ops_cli import run_ops


@pytest.fixture(scope="module")
def prices() -> cost.Prices:
    return cost.load_prices()


def _line(estimate: cost.Estimate, item: str) -> cost.Line:
    return next(line for line in estimate.fixed if line.item.startswith(item))


def _with_resources(
    evaluation: Evaluation, *extra: RecordedResource, config: dict[str, str] | None = None
) -> Evaluation:
    return dataclasses.replace(
        evaluation, resources=[*evaluation.resources, *extra], config=config or dict(evaluation.config)
    )


def _resource(type_: str, name: str, inputs: dict[str, object] | None = None) -> RecordedResource:
    return RecordedResource(
        f"urn:pulumi:x::p::{type_}::{name}", type_, name, True, "", "", False, False, [], inputs or {}
    )


def test_every_price_names_its_https_source_and_the_date_it_was_read(prices: cost.Prices) -> None:
    entries = [*prices.fixed.model_dump().values(), *prices.usage.model_dump().values()]
    assert len(entries) == 19
    for entry in entries:
        assert entry["source"].startswith("https://")
        assert len(entry["read"]) == 10
        assert isinstance(entry["confirmed"], bool)


def test_fixed_lines_count_what_the_plan_registers(production: Evaluation, prices: cost.Prices) -> None:
    estimate = cost.estimate(production, prices)
    assert _line(estimate, "KMS customer managed keys").quantity == len(production.of_type(cost.KMS_KEY)) == 3
    metric_alarms = production.of_type(cost.METRIC_ALARM)
    math_alarm = next(a for a in metric_alarms if a.plain_inputs.get("metricQueries"))
    assert cost.alarm_metrics(math_alarm) == 2  # errors and invocations, not the expression
    assert _line(estimate, "CloudWatch alarm metrics").quantity == len(metric_alarms) + 1
    assert _line(estimate, "CloudWatch composite alarms").monthly == pytest.approx(0.50)
    assert _line(estimate, "AWS Budgets").quantity == len(production.of_type(cost.BUDGET)) == 4
    assert _line(estimate, "Cloudflare business plan, zone lodgetix.io").monthly == 200
    assert estimate.fixed_total == pytest.approx(sum(line.monthly or 0 for line in estimate.fixed))


def test_free_allowances_and_daily_budget_price(staging: Evaluation, prices: cost.Prices) -> None:
    estimate = cost.estimate(staging, prices)
    budgets = _line(estimate, "AWS Budgets")
    assert budgets.quantity == 3
    assert budgets.monthly == pytest.approx(1 * 0.02 * 730 / 24)  # the third budget only
    assert _line(estimate, "CloudWatch dashboards").monthly == 0  # the first three of an account are free
    alarms = _line(estimate, "CloudWatch alarm metrics")
    assert alarms.monthly == pytest.approx((alarms.quantity - 10) * 0.10)


def test_one_more_key_costs_one_dollar_and_two_rotations(staging: Evaluation, prices: cost.Prices) -> None:
    before = cost.estimate(staging, prices)
    key = _resource(cost.KMS_KEY, "extra-key", {"enableKeyRotation": True})
    after = cost.estimate(_with_resources(staging, key), prices)
    assert after.fixed_total - before.fixed_total == pytest.approx(1.0)
    assert after.fixed_total_after_rotations - before.fixed_total_after_rotations == pytest.approx(3.0)


def test_health_checks_their_features_and_chatbot_are_counted(staging: Evaluation, prices: cost.Prices) -> None:
    before = cost.estimate(staging, prices)
    checks, chats = len(staging.of_type(cost.HEALTH_CHECK)), _line(before, "AWS Chatbot").quantity
    extra = (
        _resource(cost.HEALTH_CHECK, "hc-1", {"type": "HTTP"}),
        _resource(
            cost.HEALTH_CHECK, "hc-2", {"type": "HTTPS_STR_MATCH", "requestInterval": 10, "measureLatency": True}
        ),
        _resource("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration", "chat"),
    )
    after = cost.estimate(_with_resources(staging, *extra), prices)
    assert _line(after, "Route 53 health checks").quantity == checks + 2
    assert (
        _line(after, "Route 53 health check features").quantity
        - _line(before, "Route 53 health check features").quantity
        == 4
    )
    assert after.fixed_total - before.fixed_total == pytest.approx(2 * 0.75 + 4 * 2.00)
    assert _line(after, "AWS Chatbot").quantity == chats + 1
    assert _line(after, "AWS Chatbot").monthly == 0


def test_an_enterprise_zone_has_no_list_price_and_is_left_out_loudly(staging: Evaluation, prices: cost.Prices) -> None:
    edge = json.loads(staging.config["functions-platform:edge"])
    edge["zones"] = [{**edge["zones"][0], "plan": "enterprise"}]
    config = {**staging.config, "functions-platform:edge": json.dumps(edge)}
    estimate = cost.estimate(_with_resources(staging, config=config), prices)
    zone = _line(estimate, "Cloudflare enterprise plan")
    assert zone.monthly is None
    assert estimate.unpriced == ["Cloudflare enterprise plan of staging.lodgetix.io (contract price, not listed)"]
    assert "not listed" in cost.render(estimate)
    assert "Left out of the totals: Cloudflare enterprise plan" in cost.render(estimate)


def test_days_in_each_class_follow_transitions_and_noncurrent_days() -> None:
    rule = {
        "expiration": {"days": 365},
        "noncurrentVersionExpiration": {"noncurrentDays": 7},
        "transitions": [{"storageClass": "GLACIER_IR", "days": 90}, {"storageClass": "STANDARD_IA", "days": 30}],
    }
    assert cost._days_by_class(rule) == {"STANDARD": 30, "STANDARD_IA": 60, "GLACIER_IR": 282}
    assert cost._days_by_class({"expiration": {"days": 7}}) == {"STANDARD": 7}


def test_the_example_follows_the_plans_lifecycle_and_scales_with_the_dump_size(
    production: Evaluation, prices: cost.Prices
) -> None:
    one = cost.estimate(production, prices, full_dump_gb=1, incremental_dump_gb=0).example
    two = cost.estimate(production, prices, full_dump_gb=2, incremental_dump_gb=0).example
    # Primary, full dumps only: daily 7 + 7 noncurrent days, weekly (28 + 7) / 7, monthly 12 a year for 372 days.
    primary = one.stored_gb["us-east-1"]
    assert sum(primary.values()) == pytest.approx(14 + 35 / 7 + 12 / 365 * 372)
    assert primary["GLACIER_IR"] == pytest.approx(12 / 365 * (372 - 90))
    assert set(one.stored_gb) == {"us-east-1", "us-west-2"}
    assert sum(one.stored_gb["us-west-2"].values()) > sum(primary.values())  # the replica keeps longer
    storage = [line for line in one.lines if line.item.startswith("S3 ") and "storage" in line.item]
    assert sum(line.monthly or 0 for line in two.lines if line in storage or "storage" in line.item) == pytest.approx(
        2 * sum(line.monthly or 0 for line in storage)
    )
    rtc = next(line for line in one.lines if line.item.startswith("Replication Time Control"))
    assert rtc.quantity == pytest.approx((1 + 1 / 7 + 12 / 365) * 730 / 24)


def test_the_incremental_cadence_comes_from_the_rpo_design(production: Evaluation, prices: cost.Prices) -> None:
    example = cost.estimate(production, prices, full_dump_gb=0, incremental_dump_gb=1).example
    interval = production.outputs["backup_rpo_design"]["terms_minutes"]["interval"]
    transfer = next(line for line in example.lines if line.item.startswith("Replication transfer"))
    assert transfer.quantity == pytest.approx(24 * 60 / interval * 730 / 24)


def test_negative_sizes_are_refused(staging: Evaluation, prices: cost.Prices) -> None:
    with pytest.raises(InputError, match="0 GB or more"):
        cost.estimate(staging, prices, full_dump_gb=-1)


@pytest.mark.parametrize(
    ("regions", "fragment"),
    [
        ({"us-east-1": {"STANDARD": 0.023, "STANDARD_IA": 0.0125, "GLACIER_IR": 0.004}}, "no prices for us-west-2"),
        ({"us-east-1": {"STANDARD": 0.023}, "us-west-2": {}}, "regions.us-east-1: no price for STANDARD_IA"),
    ],
)
def test_a_region_or_class_without_prices_is_named(
    production: Evaluation, prices: cost.Prices, regions: dict[str, dict[str, float]], fragment: str
) -> None:
    storage = prices.usage.s3_storage.model_copy(update={"regions": regions})
    usage = prices.usage.model_copy(update={"s3_storage": storage})
    with pytest.raises(InputError, match=fragment):
        cost.estimate(production, prices.model_copy(update={"usage": usage}))


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda prices: prices["fixed"]["kms_key"].pop("source"), "prices.yaml: fixed.kms_key.source: Field required"),
        (
            lambda prices: prices["fixed"]["kms_key"].update(source="http://x"),
            "fixed.kms_key.source: String should match",
        ),
        (lambda prices: prices["fixed"]["dashboard"].update(usd=-3), "fixed.dashboard.usd: Input should be greater"),
        (lambda prices: prices["usage"]["s3_put"].update(read="last week"), "usage.s3_put.read: String should match"),
        (lambda prices: prices["fixed"].update(extra={}), "fixed.extra: Extra inputs are not permitted"),
    ],
)
def test_a_bad_price_file_is_refused_naming_the_key(tmp_path: Path, edit: object, fragment: str) -> None:
    data = yaml.safe_load(cost.PRICES.read_text())
    edit(data)  # pyright: ignore[reportCallIssue]
    path = tmp_path / "prices.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as caught:
        cost.load_prices(path)
    assert fragment in caught.value.message


def test_the_rendered_estimate_says_it_is_an_estimate_and_marks_unconfirmed_prices(
    staging: Evaluation, prices: cost.Prices
) -> None:
    text = cost.render(cost.estimate(staging, prices))
    assert "estimate at list prices" in text
    assert "| AWS Budgets |" in text  # confirmed on the provider's page: no mark
    assert "| CloudWatch composite alarms * |" in text
    assert "Fixed plus this example" in text


def test_cli_prints_the_estimate_and_refuses_a_missing_stack_with_exit_2() -> None:
    ok = run_ops("cost", "--stack", "staging", "--full-dump-gb", "2")
    assert ok.returncode == 0, ok.stderr
    assert "## Monthly cost of `staging`" in ok.stdout
    assert "full dump of 2 GB" in ok.stdout
    missing = run_ops("cost", "--stack", "nope")
    assert missing.returncode == 2
    assert "Pulumi.nope.yaml" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_program_without_backups_is_priced_without_the_example(tmp_path: Path, prices: cost.Prices) -> None:
    from ops.offline import evaluate
    from tests.support.programs import write_program

    program = write_program(
        tmp_path,
        """
        import pulumi_aws as aws
        aws.kms.Key("key", enable_key_rotation=True)
        aws.cloudwatch.Dashboard("board", dashboard_name="d", dashboard_body="{}")
        """,
        config={"aws:region": "us-east-1"},
    )
    estimate = cost.estimate(evaluate(program, "test"), prices)
    assert _line(estimate, "KMS customer managed keys").quantity == 1
    assert estimate.example.lines == []
    assert estimate.fixed_total == pytest.approx(1.0)
    assert "no backups example" in cost.render(estimate)
