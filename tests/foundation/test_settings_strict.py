"""Strict settings: no coercion, full-string matches, values checked for the target they reach; each with a neighbour."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from components.settings.base import Arn, AwsRegion, Email, check_cron, must_match
from components.settings.loader import secret_problem
from ops.offline import ProgramError
from tests.support.programs import copy_real_program
from tests.support.settings import problems_with_area, settings_with_area
from tests.support.stack_files import NAMESPACE, edit_setting, load_stack


@pytest.mark.parametrize(
    ("area", "path", "bad", "good", "message"),
    [
        ("backup", ("retention", "daily_days"), True, 7, "must be a whole number"),
        ("backup", ("retention", "daily_days"), 7.0, 7, "must be a whole number"),
        ("backup", ("retention", "daily_days"), "7", 7, "must be a whole number"),
        ("backup", ("protect",), "false", False, "must be true or false"),
        ("backup", ("protect",), 0, False, "must be true or false"),
        ("cost", ("budgets", 0, "limit_usd"), float("nan"), 100.0, "must be a finite number"),
        ("cost", ("budgets", 0, "limit_usd"), True, 100, "must be a number"),
        ("backup", ("dr_region",), "us-west-2\n", "us-west-2", "is not an AWS region name"),
        ("backup", ("dr_region",), " us-west-2", "us-west-2", "is not an AWS region name"),
        ("backup", ("dr_region",), "us-west-\u0662", "us-west-2", "is not an AWS region name"),
        ("backup", ("bucket_prefix",), "lodgetix\n", "lodgetix", "must be 3-42 characters"),
        (
            "edge",
            ("zones", 0, "zone_id"),
            "3f2a9c1d7b6e4a58b0c9d1e2f3a4b5c6\n",
            "3f2a9c1d7b6e4a58b0c9d1e2f3a4b5c6",
            "zone",
        ),
        ("alerting", ("emails", 0, "address"), "a@b.io\n", "a@b.io", "is not an email address"),
        ("alerting", ("emails", 0, "address"), "a,b@c.io", "ab@c.io", "is not an email address"),
        ("github", ("owner",), "lodgetix\n", "lodgetix", "is not a valid GitHub owner name"),
        (
            "github",
            ("workflows", "staging_url"),
            "http://staging.lodgetix.io",
            "https://staging.lodgetix.io",
            "https://",
        ),
        (
            "github",
            ("workflows", "staging_url"),
            "https://staging.lodgetix.io\n",
            "https://staging.lodgetix.io:8443",
            "https://",
        ),
        ("github", ("workflows", "staging_url"), "https://-bad-.io", "https://good.io", "https://"),
        ("github", ("workflows", "node_version"), "20\n", "20.11.1", "Node.js version"),
        ("github", ("workflows", "performance_schedule"), "0 4 * * *\n", "0 4 * * 1-5", "cron"),
        ("github", ("workflows", "performance_schedule"), "61 4 * * *", "59 4 * * *", "outside 0-59"),
        ("github", ("workflows", "restore_drill_schedule"), "0 5 32 * *", "0 5 31 * *", "outside 1-31"),
        ("alerting", ("metric_namespace",), "Lodgetix/Functions\n", "Lodgetix/Functions", "control or invisible"),
        ("edge", ("rate_limit", "expression"), '(http.host eq "a")\r\n', '(http.host eq "a")', "control or invisible"),
        ("tags", ("owner",), "platform\u00a0team", "platform team", "control or invisible"),
    ],
)
def test_strict_value_and_its_neighbour(area: str, path: tuple[Any, ...], bad: Any, good: Any, message: str) -> None:
    problems = problems_with_area("staging", area, edit_setting(*path, value=bad))
    # A newline is refused by the printable rule of every text value before the field's own pattern runs.
    expected = (message, "control or invisible") if isinstance(bad, str) and "\n" in bad else (message,)
    assert any(m in p for p in problems for m in expected), problems
    assert settings_with_area("staging", area, edit_setting(*path, value=good))


def test_patterns_match_the_whole_value() -> None:
    """`$` accepts a trailing newline; every pattern is matched in full, so the newline never slips through."""
    checks: list[tuple[TypeAdapter[str], str]] = [
        (TypeAdapter(AwsRegion), "us-east-1"),
        (TypeAdapter(Arn), "arn:aws:iam::123456789012:role/x"),
        (TypeAdapter(Email), "a@b.io"),
    ]
    for adapter, good in checks:
        assert adapter.validate_python(good) == good
        with pytest.raises(ValidationError, match="is not an"):
            adapter.validate_python(good + "\n")


def test_must_match_names_the_value_and_refuses_a_partial_match() -> None:

    check = must_match(re.compile(r"[a-z]+"), "'{value}' is not lowercase letters")
    assert check("abc") == "abc"
    for bad in ("abc\n", "abc1", "Abc", ""):
        with pytest.raises(ValueError, match=re.escape(f"'{bad}' is not lowercase letters")):
            check(bad)


def test_cross_field_region_check_cannot_be_defeated_by_spelling() -> None:
    for spelling in ("US-EAST-1", "us-east-1 ", "Us-east-1"):
        problems = problems_with_area("staging", "backup", edit_setting("dr_region", value=spelling))
        assert problems == [
            f"{NAMESPACE}:backup.dr_region: {spelling!r} is not an AWS region name (for example us-east-1)"
        ]
    problems = problems_with_area("staging", "backup", edit_setting("dr_region", value="us-east-1"))
    assert problems == [f"{NAMESPACE}:backup.dr_region: must differ from primary_region (us-east-1)"]


@pytest.mark.parametrize("cron", ["0 4 * * *", "*/15 * * * *", "0 0 1,15 JAN-MAR MON-FRI", "30 23 31 12 6"])
def test_cron_in_range(cron: str) -> None:
    assert check_cron(cron) == cron


@pytest.mark.parametrize(
    "cron", ["0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 7", "5-1 * * * *", "*/0 * * * *", "0 4  * * *", "@daily"]
)
def test_cron_out_of_range(cron: str) -> None:
    with pytest.raises(ValueError, match="cron"):
        check_cron(cron)


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("pagerduty_webhook_url", "http://events.pagerduty.com/integration/x/enqueue", "https:// URL"),
        ("pagerduty_webhook_url", "https://-no-host-", "https:// URL"),
        ("pagerduty_webhook_url", "https://events.pagerduty.com:99999/x", "https:// URL"),
        ("supabase_db_url", "mysql://u:p@db.example.com/x", "postgres:// URL"),
        ("github_token", "ghp_abc\n", "control characters"),
        ("github_token", "", "is empty"),
    ],
)
def test_secret_values_are_checked_without_quoting_them(key: str, value: str, problem: str) -> None:
    found = secret_problem(NAMESPACE, key, value)
    assert found is not None
    assert problem in found
    assert not value or value.strip() not in found


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pagerduty_webhook_url", "https://events.pagerduty.com/integration/0123456789abcdef0123456789ABCDEF/enqueue"),
        ("supabase_db_url", "postgresql://postgres:pw@db.example.supabase.co:5432/postgres"),
        ("github_token", "ghp_abc"),
        ("github_token", f"[secret placeholder: {NAMESPACE}:github_token]"),
    ],
)
def test_good_secret_values_pass(key: str, value: str) -> None:
    assert secret_problem(NAMESPACE, key, value) is None


def test_an_http_webhook_stops_the_program_before_anything_is_registered(tmp_path: Path) -> None:
    """A value that reaches the program (as `pulumi config set --secret` sets it) is checked; the message keeps it out."""
    program = copy_real_program(tmp_path / "program")
    (program / "Pulumi.staging.yaml").write_text(yaml.safe_dump(load_stack("staging")))
    from ops.offline import evaluate

    with pytest.raises(ProgramError) as caught:
        evaluate(program, "staging", {"supabase_db_url": "http://db.example.com/secret-path"})
    assert f"Pulumi.staging.yaml: {NAMESPACE}:supabase_db_url: must be a postgres:// URL" in caught.value.message
    assert "secret-path" not in caught.value.message
