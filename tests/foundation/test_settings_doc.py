"""The stack file schema and docs/settings.md are generated from the models, kept current, and describe the
stack files as they are written (settings under `config:` as `functions-platform:<key>`)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest

from components.settings import SECRET_KEYS, StackSettings
from ops import settings_doc
from tests.support.repository import REPO
from tests.support.stack_files import load_stack

STACKS = ("staging", "production")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(settings_doc.SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: jsonschema.Draft202012Validator, document: dict[str, Any]) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document))


def test_generated_files_are_current() -> None:
    assert settings_doc.stale() == [], "run `python -m ops settings-doc --write`"


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_file_points_editors_at_the_schema(stack: str) -> None:
    first_line = (REPO / f"Pulumi.{stack}.yaml").read_text().splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first_line)
    assert match is not None
    assert (REPO / match.group(1)).resolve() == settings_doc.SCHEMA_PATH


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stack_files_are_valid_under_the_schema(validator: jsonschema.Draft202012Validator, stack: str):
    assert _errors(validator, load_stack(stack)) == []


def test_the_schema_refuses_what_the_loader_refuses(validator: jsonschema.Draft202012Validator) -> None:
    document = copy.deepcopy(load_stack("staging"))
    config = document["config"]
    config["functions-platform:account"]["aws_account_id"] = 123456789012  # unquoted: YAML made it a number
    config["functions-platform:edeg"] = {"zones": []}  # misspelled area
    config["functions-platform:github"]["plan"] = "business"  # not a GitHub plan
    config["functions-platform:github_token"] = "ghp_plain"  # a secret in plain text
    del config["functions-platform:environment"]
    errors = _errors(validator, document)
    assert "config/functions-platform:account/aws_account_id: 123456789012 is not of type 'string'" in errors
    assert any(e.startswith("config/functions-platform:edeg: 'secure' is a required property") for e in errors)
    assert any(e.startswith("config/functions-platform:github/plan: 'business' is not one of") for e in errors)
    assert "config/functions-platform:github_token: 'ghp_plain' is not of type 'object'" in errors
    assert "config: 'functions-platform:environment' is a required property" in errors
    assert "config/functions-platform:edeg: Additional properties are not allowed ('zones' was unexpected)" in errors
    assert len(errors) == 6


def test_the_schema_accepts_other_namespaces_and_secret_keys_entries_name(validator: jsonschema.Draft202012Validator):
    document = copy.deepcopy(load_stack("staging"))
    document["config"]["aws:profile"] = "platform"
    document["config"]["functions-platform:app2_function_id"] = {"secure": "v1:AAAA"}
    document["config"]["functions-platform:github"]["repositories"] = [
        "lodgetix/lodgetix-app",
        {"name": "lodgetix/app2", "secret_keys": {"FUNCTION_ID": "app2_function_id"}},
    ]
    assert _errors(validator, document) == []
    document["config"]["functions-platform:github"]["repositories"][1]["secret_keys"] = {"NOT_A_SECRET": "x"}
    assert _errors(validator, document) != []


def test_reference_lists_every_setting_every_secret_and_nested_keys() -> None:
    text = settings_doc.render()
    for name in StackSettings.model_fields:
        assert f"| `functions-platform:{name}` |" in text
    for secret in SECRET_KEYS:
        assert f"| `functions-platform:{secret}` |" in text
    assert "| `functions-platform:account.aws_account_id` | str | **required** |" in text
    assert "| `functions-platform:github.repositories[].backup_identity` |" in text
    # Pipes inside cells are escaped once, so each table keeps its columns (four for settings, two for secrets).
    settings, secrets = text.split("## Secrets")
    for table, columns in ((settings, 4), (secrets, 2)):
        for line in table.splitlines():
            if line.startswith("| `"):
                assert len(re.split(r"(?<!\\)\|", line)) == columns + 2, line
