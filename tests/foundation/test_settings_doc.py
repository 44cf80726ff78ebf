"""The README's settings reference is generated from the models and kept current."""

from __future__ import annotations

from components.settings import StackSettings
from ops import settings_doc


def test_readme_settings_reference_is_current() -> None:
    assert settings_doc.current() == settings_doc.render(), "run `python -m ops settings-doc --write`"


def test_reference_lists_every_top_level_setting_and_secret() -> None:
    text = settings_doc.render()
    for name in StackSettings.model_fields:
        assert f"`functions-platform:{name}`" in text
    for secret in ("github_token", "cloudflare_api_token", "pagerduty_webhook_url"):
        assert f"`functions-platform:{secret}`" in text
