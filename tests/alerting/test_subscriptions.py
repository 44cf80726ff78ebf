"""Who hears what: email, Slack and PagerDuty subscriptions per severity; webhook URLs stay secret."""

from __future__ import annotations

from ops.offline import Evaluation, is_secret
from tests.alerting.support import subscriptions, topic_arns


def routes(evaluation: Evaluation) -> set[tuple[str, str, str]]:
    """(severity, protocol, endpoint-or-channel) for every subscription of the stack."""
    severity_of = {arn: severity for severity, arn in topic_arns(evaluation).items()}
    found = set()
    for subscription in subscriptions(evaluation):
        inputs = subscription.plain_inputs
        endpoint = inputs["endpoint"]
        if "slack_webhook_url" in endpoint:
            endpoint = "slack"
        elif "pagerduty_webhook_url" in endpoint:
            endpoint = "pagerduty"
        found.add((severity_of[inputs["topic"]], inputs["protocol"], endpoint))
    return found


def test_staging_routes_email_and_slack_and_pages_nobody(staging):
    email = "platform-alerts@lodgetix.io"
    assert routes(staging) == {
        ("critical", "email", email),
        ("high", "email", email),
        ("critical", "https", "slack"),
        ("high", "https", "slack"),
        ("medium", "https", "slack"),
    }


def test_production_pages_on_critical_and_high(production):
    email = "platform-alerts@lodgetix.io"
    found = routes(production)
    assert {r for r in found if r[2] == "pagerduty"} == {
        ("critical", "https", "pagerduty"),
        ("high", "https", "pagerduty"),
    }
    assert {r for r in found if r[2] == "slack"} == {
        (s, "https", "slack") for s in ("critical", "high", "medium", "low")
    }
    assert {r for r in found if r[1] == "email"} == {(s, "email", email) for s in ("critical", "high", "medium")}
    assert len(subscriptions(production)) == len(found)


def test_custom_routes_follow_the_settings(custom):
    assert routes(custom) == {
        ("critical", "email", "a@example.org"),
        ("medium", "email", "b@example.org"),
        ("low", "email", "b@example.org"),
        ("low", "https", "slack"),
        ("critical", "https", "pagerduty"),
    }


def test_webhook_endpoints_are_recorded_as_secrets_never_plain(stack):
    webhooks = [s for s in subscriptions(stack) if s.plain_inputs["protocol"] == "https"]
    assert webhooks
    for subscription in webhooks:
        assert is_secret(subscription.inputs["endpoint"]), subscription.name
        assert "webhook_url" in subscription.plain_inputs["endpoint"]  # the secret placeholder, unwrapped


def test_pagerduty_subscriptions_auto_confirm_and_slack_ones_wait_for_a_person(production):
    for subscription in subscriptions(production):
        inputs = subscription.plain_inputs
        expected = "pagerduty_webhook_url" in inputs["endpoint"]
        assert bool(inputs.get("endpointAutoConfirms")) is expected, subscription.name
