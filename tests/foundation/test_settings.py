"""Stack settings: both stack files load; each kind of bad setting names the stack file and the key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from components.settings import StackSettings
from ops.offline import ProgramError
from ops.settings_doc import nested_model
from tests.support.programs import evaluate_with
from tests.support.stack_files import NAMESPACE

NS = NAMESPACE


def errors_for(tmp_path: Path, stack: str, edit: Any) -> str:
    with pytest.raises(ProgramError) as caught:
        evaluate_with(tmp_path, stack, edit)
    assert caught.value.settings, caught.value.message
    return caught.value.message


def test_both_stack_files_load(staging, production):
    assert staging.outputs["environment"] == "staging"
    assert production.outputs["environment"] == "production"


def test_wrong_type_names_file_and_key(tmp_path):
    def edit(c):
        c[f"{NS}:backup"]["rto_hours"] = "four"

    message = errors_for(tmp_path, "staging", edit)
    assert f"Pulumi.staging.yaml: {NS}:backup.rto_hours: must be a whole number" in message


def test_unknown_nested_key_is_an_error(tmp_path):
    def edit(c):
        c[f"{NS}:backup"]["retention"]["daily_dayz"] = 7

    message = errors_for(tmp_path, "staging", edit)
    assert f"{NS}:backup.retention.daily_dayz: unknown key" in message


def test_unknown_top_level_key_is_an_error(tmp_path):
    def edit(c):
        c[f"{NS}:bakup"] = {"x": 1}

    assert f"Pulumi.staging.yaml: {NS}:bakup: unknown key" in errors_for(tmp_path, "staging", edit)


def test_missing_required_value(tmp_path):
    def edit(c):
        del c[f"{NS}:tags"]["owner"]

    assert f"{NS}:tags.owner: is required but not set" in errors_for(tmp_path, "production", edit)


def test_out_of_range_value(tmp_path):
    def edit(c):
        c[f"{NS}:backup"]["retention"]["daily_days"] = 0

    message = errors_for(tmp_path, "staging", edit)
    assert f"Pulumi.staging.yaml: {NS}:backup.retention.daily_days: must be at least 1" in message


def test_cross_field_conflict_names_the_field(tmp_path):
    def edit(c):
        c[f"{NS}:backup"]["dr_region"] = c[f"{NS}:backup"]["primary_region"]

    assert f"{NS}:backup.dr_region: must differ from primary_region" in errors_for(tmp_path, "staging", edit)


def test_every_problem_is_listed_in_one_message(tmp_path):
    def edit(c):
        c[f"{NS}:backup"]["retention"]["daily_days"] = 0
        c[f"{NS}:github"]["feature_flags"]["rollout_percentage"] = 30
        c[f"{NS}:typo"] = 1

    message = errors_for(tmp_path, "staging", edit)
    assert "3 problem(s)" in message
    for key in ("backup.retention.daily_days", "github.feature_flags.rollout_percentage", "typo"):
        assert f"{NS}:{key}" in message


def test_nothing_is_registered_when_settings_are_bad(tmp_path, monkeypatch):
    recorded: list[Any] = []
    from ops import offline

    original = offline.RecordingMonitor.RegisterResource

    def spy(self, request):
        recorded.append(request.type)
        return original(self, request)

    monkeypatch.setattr(offline.RecordingMonitor, "RegisterResource", spy)

    def edit(c):
        c[f"{NS}:backup"]["rpo_minutes"] = 5

    expected = f"{NS}:backup.dumps.schedule_delay_minutes: scheduled dumps cannot meet rpo_minutes 5"
    assert expected in errors_for(tmp_path, "staging", edit)
    assert [t for t in recorded if t != "pulumi:pulumi:Stack"] == []


def test_production_must_protect_backups(tmp_path):
    def edit(c):
        c[f"{NS}:backup"]["protect"] = False

    assert f"Pulumi.production.yaml: {NS}:backup.protect: must be true in production" in errors_for(
        tmp_path, "production", edit
    )


def test_structured_values_must_be_mappings(tmp_path):
    def edit(c):
        c[f"{NS}:backup"] = "lodgetix"

    assert f"{NS}:backup: must be a mapping" in errors_for(tmp_path, "staging", edit)


def _defaults_of(model: type[BaseModel], path: str) -> list[tuple[str, Any]]:
    found = []
    for name, field in model.model_fields.items():
        nested, _ = nested_model(field.annotation)
        if field.default_factory is not None:
            found.append((f"{path}.{name}", field.default_factory))
        if nested is not None:
            found.extend(_defaults_of(nested, f"{path}.{name}"))
    return found


def test_every_optional_section_has_valid_defaults() -> None:
    """Leaving a section out of a stack file must give its defaults, never an error about another key."""
    defaults = _defaults_of(StackSettings, NS)
    assert len(defaults) > 10
    for path, factory in defaults:
        factory()  # raises ValidationError if a default is invalid
        assert path


def test_defaults_are_exercised_by_a_stack_without_optional_sections(tmp_path):
    def edit(c):
        del c[f"{NS}:cost"]

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
