"""Who hears what through SNS subscriptions: email and PagerDuty per severity; no Slack webhook remains."""

from __future__ import annotations

from urllib.parse import urlsplit

from ops.offline import Evaluation, is_secret
from tests.alerting.support import alerting_subscriptions
from tests.support.resources import alert_topic_arns

EMAIL = "platform-alerts@lodgetix.io"


def routes(evaluation: Evaluation) -> set[tuple[str, str, str]]:
    """(severity, protocol, endpoint, with the PagerDuty secret shown as `pagerduty`) for every subscription."""
    severity_of = {arn: severity for severity, arn in alert_topic_arns(evaluation).items()}
    found = set()
    for subscription in alerting_subscriptions(evaluation):
        inputs = subscription.plain_inputs
        endpoint = "pagerduty" if "pagerduty_webhook_url" in inputs["endpoint"] else inputs["endpoint"]
        found.add((severity_of[inputs["topic"]], inputs["protocol"], endpoint))
    return found


def test_staging_routes_email_and_pages_nobody(staging):
    assert routes(staging) == {("critical", "email", EMAIL), ("high", "email", EMAIL)}


def test_production_pages_on_critical_and_high(production):
    found = routes(production)
    assert {r for r in found if r[2] == "pagerduty"} == {
        ("critical", "https", "pagerduty"),
        ("high", "https", "pagerduty"),
    }
    assert {r for r in found if r[1] == "email"} == {(s, "email", EMAIL) for s in ("critical", "high", "medium")}
    assert len(alerting_subscriptions(production)) == len(found)


def test_custom_routes_follow_the_settings(custom_alerting):
    assert routes(custom_alerting) == {
        ("critical", "email", "a@example.org"),
        ("medium", "email", "b@example.org"),
        ("low", "email", "b@example.org"),
        ("critical", "https", "pagerduty"),
    }


def test_no_subscription_posts_to_a_slack_webhook(stack, custom_alerting):
    for evaluation in (stack, custom_alerting):
        for subscription in alerting_subscriptions(evaluation):
            endpoint = str(subscription.plain_inputs["endpoint"])
            assert "slack" not in (urlsplit(endpoint).hostname or ""), subscription.name
            assert "slack" not in subscription.name


def test_pagerduty_endpoints_are_secret_and_auto_confirm(production, custom_alerting):
    for evaluation in (production, custom_alerting):
        https = [s for s in alerting_subscriptions(evaluation) if s.plain_inputs["protocol"] == "https"]
        assert https
        for subscription in https:
            assert is_secret(subscription.inputs["endpoint"]), subscription.name
            assert subscription.plain_inputs["endpointAutoConfirms"] is True, subscription.name
    emails = [s for s in alerting_subscriptions(production) if s.plain_inputs["protocol"] == "email"]
    assert emails
    assert not any(s.plain_inputs.get("endpointAutoConfirms") for s in emails)
