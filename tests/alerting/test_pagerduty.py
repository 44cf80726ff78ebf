"""The PagerDuty secret: the Amazon CloudWatch integration URL, required only when paging, never printed."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from components.settings import SECRET_KEYS
from components.settings.alerting import AlertingSettings, check_pagerduty_url
from components.settings.loader import ROUTE_SECRET_KEYS
from ops.delivery import delivery_matrix
from ops.offline import ProgramError, is_secret
from ops.plan import plan_document
from tests.alerting.support import alerting_subscriptions
from tests.support.programs import evaluate_with
from tests.support.repository import REPO
from tests.support.stack_files import NAMESPACE

INTEGRATION_KEY = "0123456789abcdef0123456789ABCDEF"
US_URL = f"https://events.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue"
EU_URL = f"https://events.eu.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue"
SECRET_KEY = f"{NAMESPACE}:pagerduty_webhook_url"


@pytest.mark.parametrize("url", [US_URL, EU_URL])
def test_cloudwatch_integration_urls_of_both_service_regions_pass(url):
    assert check_pagerduty_url(url) is None


WRONG_URLS = [
    "https://events.pagerduty.com/v2/enqueue",  # Events API v2: never confirms the SNS subscription
    f"http://events.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue",
    f"https://events.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue\n",
    f"https://events.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue/",
    f"https://events.pagerduty.com.attacker.example/integration/{INTEGRATION_KEY}/enqueue",
    f"https://attacker.example/?events.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue",
    f"https://events.pagerduty.com/integration/{INTEGRATION_KEY[:-1]}/enqueue",
    f"https://events.pagerduty.com/integration/{INTEGRATION_KEY}x/enqueue",
    f"https://events.us.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue",
    f"https://user@events.pagerduty.com/integration/{INTEGRATION_KEY}/enqueue",
    f" {US_URL}",
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "",
]


@pytest.mark.parametrize("url", WRONG_URLS)
def test_other_shapes_fail_with_a_message_that_never_quotes_the_value(url):
    problem = check_pagerduty_url(url)
    assert problem is not None
    assert INTEGRATION_KEY not in problem
    assert url.strip() not in problem or not url.strip()


def with_secret(tmp_path: Any, value: str, stack: str = "production") -> Any:
    """The program evaluated with the PagerDuty secret set (as `pulumi config set --secret` would set it)."""
    return evaluate_with(tmp_path, stack, lambda _config: None, secrets={"pagerduty_webhook_url": value})


def test_a_wrong_url_is_a_settings_error_naming_the_key_but_not_the_value(tmp_path):
    wrong = f"https://events.pagerduty.com/v2/enqueue?key={INTEGRATION_KEY}"
    with pytest.raises(ProgramError) as caught:
        with_secret(tmp_path, wrong, "production")
    assert caught.value.settings
    message = caught.value.message
    assert f"Pulumi.production.yaml: {SECRET_KEY}: is not a PagerDuty Amazon CloudWatch integration URL" in message
    assert INTEGRATION_KEY not in message
    assert "v2/enqueue?" not in message


def test_an_offline_placeholder_for_another_key_is_no_excuse(tmp_path):
    with pytest.raises(ProgramError) as caught:
        with_secret(tmp_path, f"[secret placeholder: {NAMESPACE}:github_token]", "production")
    assert f"{SECRET_KEY}: is not a PagerDuty" in caught.value.message


def test_a_right_url_reaches_the_subscriptions_as_a_secret_and_shows_only_its_host(tmp_path):
    evaluation = with_secret(tmp_path, EU_URL, "production")
    https = [s for s in alerting_subscriptions(evaluation) if s.plain_inputs["protocol"] == "https"]
    assert {s.plain_inputs["endpoint"] for s in https} == {EU_URL}
    assert all(is_secret(s.inputs["endpoint"]) for s in https)
    matrix = delivery_matrix(evaluation)
    assert matrix["production-alerts-critical"]["pagerduty"] == ["events.eu.pagerduty.com"]
    assert INTEGRATION_KEY not in repr(matrix)
    assert INTEGRATION_KEY not in json.dumps(plan_document(evaluation, []), default=str)  # `ops plan --json` redacts it


def test_paging_without_the_secret_says_which_setting_needs_it(tmp_path):
    with pytest.raises(ProgramError) as caught:
        with_secret(tmp_path, "", "production")
    assert (
        f"Pulumi.production.yaml: {SECRET_KEY}: secret is not set (alerting.pagerduty_severities routes to it)"
        in caught.value.message
    )


def test_a_stack_that_pages_nobody_needs_no_pagerduty_secret(tmp_path):
    evaluation = with_secret(tmp_path, "", "staging")
    assert [s for s in alerting_subscriptions(evaluation) if s.plain_inputs["protocol"] == "https"] == []
    # and a value that is set but unused is neither checked nor used
    evaluation = with_secret(tmp_path / "unused", "not a url", "staging")
    assert [s for s in alerting_subscriptions(evaluation) if s.plain_inputs["protocol"] == "https"] == []


def test_route_secrets_follow_the_routes_in_use():
    assert AlertingSettings().route_secrets() == {}
    (secret,) = AlertingSettings(pagerduty_severities=["critical"]).route_secrets().items()
    assert secret[0] == "pagerduty_webhook_url"
    assert secret[1].used_by == "alerting.pagerduty_severities"


def test_pulumi_yaml_declares_route_secrets_optional_and_every_other_secret_required():
    """The real CLI refuses a stack that lacks a declared key without default: only always-needed ones are so."""
    declared = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    secrets = {key: spec for key, spec in declared.items() if spec.get("secret")}
    assert set(secrets) == set(SECRET_KEYS)
    assert (
        {key for key, spec in secrets.items() if "default" in spec}
        == set(ROUTE_SECRET_KEYS)
        == {"pagerduty_webhook_url"}
    )
    assert secrets["pagerduty_webhook_url"]["default"] == ""
    assert "CloudWatch integration URL" in secrets["pagerduty_webhook_url"]["description"]
    assert "slack_webhook_url" not in declared


def test_a_leftover_slack_webhook_secret_says_what_to_do_and_never_shows_its_value(tmp_path):
    webhook = "https://hooks.slack.com/services/T000/B000/SECRETPART"

    def edit(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:slack_webhook_url"] = webhook

    with pytest.raises(ProgramError) as caught:
        evaluate_with(tmp_path, "staging", edit)
    message = caught.value.message
    assert (
        f"Pulumi.staging.yaml: {NAMESPACE}:slack_webhook_url: no longer used. Slack now goes through AWS Chatbot"
        in (message)
    )
    assert "pulumi config rm slack_webhook_url" in message
    assert "SECRETPART" not in message


@given(st.text(max_size=200))
def test_the_message_for_a_wrong_value_is_always_the_same_so_it_cannot_carry_the_value(value):
    problem = check_pagerduty_url(value)
    assert problem is None or problem == check_pagerduty_url("")


@given(st.sampled_from(["events", "events.eu"]), st.from_regex(r"[A-Za-z0-9]{32}", fullmatch=True))
def test_every_cloudwatch_integration_key_passes(host, key):
    assert check_pagerduty_url(f"https://{host}.pagerduty.com/integration/{key}/enqueue") is None


@pytest.mark.parametrize("key", sorted(set(SECRET_KEYS) - ROUTE_SECRET_KEYS))
def test_every_other_secret_is_required_by_the_program_as_by_the_cli(tmp_path, key):
    with pytest.raises(ProgramError) as caught:
        evaluate_with(tmp_path, "staging", lambda _config: None, secrets={key: ""})
    assert f"Pulumi.staging.yaml: {NAMESPACE}:{key}: secret is not set; run `pulumi config set --secret {key}" in (
        caught.value.message
    )
