"""The settings helpers report the loader's problems, and fail a test whose edit the loader accepts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.settings import problems_with_area, problems_with_edit, settings_with_area, stack_settings
from tests.support.stack_files import NAMESPACE, edit_setting, set_nested


def test_an_accepted_edit_fails_the_problems_helpers() -> None:
    with pytest.raises(AssertionError, match="accepted"):
        problems_with_edit("staging", lambda _raw: None)
    with pytest.raises(AssertionError, match="accepted"):
        problems_with_area("staging", "backup", lambda backup: backup.update(rto_hours=5))


def test_edits_reach_the_parsed_settings() -> None:
    assert stack_settings("staging").backup.rto_hours == 4
    assert settings_with_area("staging", "backup", lambda backup: backup.update(rto_hours=5)).backup.rto_hours == 5
    assert problems_with_area("staging", "backup", lambda backup: backup.update(rto_hours="four")) == [
        f"{NAMESPACE}:backup.rto_hours: must be a whole number"
    ]


def test_edit_setting_sets_one_value_through_mappings_and_lists() -> None:
    document: dict[str, Any] = {"budgets": [{"limit_usd": 100}], "backup": {}}
    edit_setting("budgets", 0, "limit_usd", value=5)(document)
    edit_setting("backup", "retention", "daily_days", value=0)(document)  # `retention` was not there
    assert document == {"budgets": [{"limit_usd": 5}], "backup": {"retention": {"daily_days": 0}}}
    set_nested(document, ("backup",), "lodgetix")
    assert document["backup"] == "lodgetix"
