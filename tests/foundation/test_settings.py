"""Stack settings: both stack files load; each kind of bad setting names the stack file and the key path."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from components.settings import StackSettings
from components.settings.base import StrictSettings
from tests.support.programs import evaluate_with, settings_refusal
from tests.support.stack_files import NAMESPACE, edit_setting

BACKUP = f"{NAMESPACE}:backup"


def test_both_stack_files_load(staging, production):
    assert staging.outputs["environment"] == "staging"
    assert production.outputs["environment"] == "production"


def test_wrong_type_names_file_and_key(tmp_path):
    message = settings_refusal(tmp_path, "staging", edit_setting(BACKUP, "rto_hours", value="four"))
    assert f"Pulumi.staging.yaml: {BACKUP}.rto_hours: must be a whole number" in message


def test_unknown_nested_key_is_an_error(tmp_path):
    message = settings_refusal(tmp_path, "staging", edit_setting(BACKUP, "retention", "daily_dayz", value=7))
    assert f"{BACKUP}.retention.daily_dayz: unknown key" in message


def test_unknown_top_level_key_is_an_error(tmp_path):
    message = settings_refusal(tmp_path, "staging", edit_setting(f"{NAMESPACE}:bakup", value={"x": 1}))
    assert f"Pulumi.staging.yaml: {NAMESPACE}:bakup: unknown key" in message


def test_missing_required_value(tmp_path):
    def edit(config):
        del config[f"{NAMESPACE}:tags"]["owner"]

    assert f"{NAMESPACE}:tags.owner: is required but not set" in settings_refusal(tmp_path, "production", edit)


def test_out_of_range_value(tmp_path):
    message = settings_refusal(tmp_path, "staging", edit_setting(BACKUP, "retention", "daily_days", value=0))
    assert f"Pulumi.staging.yaml: {BACKUP}.retention.daily_days: must be at least 1" in message


def test_cross_field_conflict_names_the_field(tmp_path):
    def edit(config):
        config[BACKUP]["dr_region"] = config[BACKUP]["primary_region"]

    assert f"{BACKUP}.dr_region: must differ from primary_region" in settings_refusal(tmp_path, "staging", edit)


def test_every_problem_is_listed_in_one_message(tmp_path):
    def edit(config):
        config[BACKUP]["retention"]["daily_days"] = 0
        config[f"{NAMESPACE}:github"]["feature_flags"]["rollout_percentage"] = 30
        config[f"{NAMESPACE}:typo"] = 1

    message = settings_refusal(tmp_path, "staging", edit)
    assert "3 problem(s)" in message
    for key in ("backup.retention.daily_days", "github.feature_flags.rollout_percentage", "typo"):
        assert f"{NAMESPACE}:{key}" in message


def test_nothing_is_registered_when_settings_are_bad(tmp_path, monkeypatch):
    recorded: list[Any] = []
    from ops import offline

    original = offline.RecordingMonitor.RegisterResource

    def spy(self, request):
        recorded.append(request.type)
        return original(self, request)

    monkeypatch.setattr(offline.RecordingMonitor, "RegisterResource", spy)

    expected = f"{BACKUP}.dumps.schedule_delay_minutes: scheduled dumps cannot meet rpo_minutes 5"
    assert expected in settings_refusal(tmp_path, "staging", edit_setting(BACKUP, "rpo_minutes", value=5))
    assert [t for t in recorded if t != "pulumi:pulumi:Stack"] == []


def test_production_must_protect_backups(tmp_path):
    message = settings_refusal(tmp_path, "production", edit_setting(BACKUP, "protect", value=False))
    assert f"Pulumi.production.yaml: {BACKUP}.protect: must be true in production" in message


def test_structured_values_must_be_mappings(tmp_path):
    assert f"{BACKUP}: must be a mapping" in settings_refusal(
        tmp_path, "staging", edit_setting(BACKUP, value="lodgetix")
    )


def _subclasses(model: type[BaseModel]) -> list[type[BaseModel]]:
    return [model, *(sub for child in model.__subclasses__() for sub in _subclasses(child))]


def _defaults_of(root: type[BaseModel]) -> list[tuple[str, Any]]:
    """Every default factory of every settings model the stack file reaches (the schema's `$defs`)."""
    by_name = {model.__name__: model for model in _subclasses(StrictSettings)}
    reached = [root.__name__, *root.model_json_schema()["$defs"]]
    models = [by_name[name] for name in reached if name in by_name]
    assert len(models) == len(reached), f"models the schema names but no settings class has: {reached}"
    return [
        (f"{model.__name__}.{name}", field.default_factory)
        for model in models
        for name, field in model.model_fields.items()
        if field.default_factory is not None
    ]


def test_every_optional_section_has_valid_defaults() -> None:
    """Leaving a section out of a stack file must give its defaults, never an error about another key."""
    defaults = _defaults_of(StackSettings)
    assert len(defaults) > 10
    for path, factory in defaults:
        factory()  # raises ValidationError if a default is invalid
        assert path


def test_defaults_are_exercised_by_a_stack_without_optional_sections(tmp_path):
    def edit(config):
        del config[f"{NAMESPACE}:cost"]

    evaluation = evaluate_with(tmp_path, "staging", edit)
    budgets = evaluation.of_type("aws:budgets/budget:Budget")
    assert sorted(b.inputs["limitAmount"] for b in budgets) == ["100", "2000", "2000"]


def test_secret_keys_are_exactly_the_secrets_pulumi_yaml_declares() -> None:
    import yaml

    from components.settings import SECRET_KEYS
    from tests.support.repository import REPO

    declared = {k for k, v in yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"].items() if v.get("secret")}
    assert set(SECRET_KEYS) == declared
    assert len(SECRET_KEYS) == 8
