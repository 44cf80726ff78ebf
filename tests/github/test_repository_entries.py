"""Repositories as entries: each has its own visibility, secret source keys and backup identity; a plain
`owner/name` stays accepted as shorthand for an entry with the defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.settings.github import DEFAULT_SECRET_KEYS
from ops.offline import ProgramError
from tests.github.support import GITHUB, by_environment, github_resources
from tests.support.programs import evaluate_with
from tests.support.settings import problems_with_area, problems_with_edit, settings_with_area
from tests.support.stack_files import NAMESPACE


def test_a_plain_name_is_an_entry_with_the_defaults() -> None:
    [entry] = settings_with_area(
        "staging", "github", lambda github: github.update(repositories=["lodgetix/lodgetix-app"])
    ).github.repositories
    assert entry.name == "lodgetix/lodgetix-app"
    assert entry.visibility == "private"
    assert entry.backup_id == "lodgetix-app"
    assert {name: entry.secret_key(name) for name in DEFAULT_SECRET_KEYS} == DEFAULT_SECRET_KEYS


def test_entries_and_names_mix() -> None:
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = [
            "lodgetix/lodgetix-app",
            {"name": "lodgetix/admin", "backup_identity": "admin-db", "secret_keys": {"FUNCTION_ID": "admin_fn"}},
        ]

    app, admin = settings_with_area("staging", "github", edit).github.repositories
    assert (app.backup_id, admin.backup_id) == ("lodgetix-app", "admin-db")
    assert admin.secret_key("FUNCTION_ID") == "admin_fn"
    assert admin.secret_key("FILTER_TO") == "filter_to"


@pytest.mark.parametrize(
    ("entry", "path", "message"),
    [
        (
            {"name": "lodgetix/a", "secret_keys": {"NOT_A_SECRET": "x"}},
            "repositories[1].secret_keys.NOT_A_SECRET",
            "must be one of",
        ),
        (
            {"name": "lodgetix/a", "secret_keys": {"FUNCTION_ID": "Bad-Key"}},
            "repositories[1].secret_keys.FUNCTION_ID",
            "'Bad-Key' is not a config key",
        ),
        (
            {"name": "lodgetix/a", "backup_identity": "../escape"},
            "repositories[1].backup_identity",
            "'../escape' is not a backup identity",
        ),
        (
            {"name": "lodgetix/a", "backup_identity": ".."},
            "repositories[1].backup_identity",
            "'..' is not a backup identity",
        ),
        ({"name": "lodgetix/a", "colour": "blue"}, "repositories[1].colour", "unknown key"),
        ({"visibility": "public"}, "repositories[1].name", "is required but not set"),
        ({"name": "lodgetix/a", "visibility": "secret"}, "repositories[1].visibility", "must be one of"),
    ],
)
def test_bad_entries_name_their_key(entry: dict[str, Any], path: str, message: str) -> None:
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = ["lodgetix/lodgetix-app", entry]

    [problem] = problems_with_area("staging", "github", edit)
    assert problem.startswith(f"{GITHUB}.{path}: {message}"), problem


def test_two_repositories_with_one_backup_identity_are_refused() -> None:
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = [
            "lodgetix/lodgetix-app",
            {"name": "lodgetix/other", "backup_identity": "LODGETIX-APP"},
        ]

    assert problems_with_area("staging", "github", edit) == [
        f"{GITHUB}.repositories: 'lodgetix/other' and 'lodgetix/lodgetix-app' share the backup identity"
        " 'LODGETIX-APP'; give one its own backup_identity"
    ]


def _two_apps(config: dict[str, Any]) -> None:
    config[f"{NAMESPACE}:github"]["repositories"] = [
        "lodgetix/lodgetix-app",
        {"name": "lodgetix/admin", "secret_keys": {"FUNCTION_ID": "admin_function_id"}},
    ]


def test_each_repository_receives_the_secret_of_its_own_key(tmp_path: Path) -> None:
    evaluation = evaluate_with(
        tmp_path,
        "staging",
        _two_apps,
        secrets={"admin_function_id": "[secret placeholder: functions-platform:admin_function_id]"},
    )
    secrets = github_resources(evaluation, "ActionsEnvironmentSecret")
    by_repository: dict[str, dict[str, dict[str, Any]]] = {}
    for repository in ("lodgetix-app", "admin"):
        by_repository[repository] = by_environment(
            [s for s in secrets if s.plain_inputs["repository"] == repository], "secretName"
        )
    assert (
        by_repository["lodgetix-app"]["staging"]["FUNCTION_ID"]
        == "[secret placeholder: functions-platform:function_id]"
    )
    assert (
        by_repository["admin"]["staging"]["FUNCTION_ID"] == "[secret placeholder: functions-platform:admin_function_id]"
    )
    assert by_repository["admin"]["staging"]["FILTER_TO"] == "[secret placeholder: functions-platform:filter_to]"
    # Still secret on the wire: the value never reaches a plan in plain text.
    admin_secret = next(
        s for s in secrets if s.plain_inputs["repository"] == "admin" and s.plain_inputs["secretName"] == "FUNCTION_ID"
    )
    assert admin_secret.inputs["value"] != admin_secret.plain_inputs["value"]


def test_a_secret_key_an_entry_names_but_nobody_set_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ProgramError) as caught:
        evaluate_with(tmp_path, "staging", _two_apps)
    assert caught.value.settings
    assert (
        f"Pulumi.staging.yaml: {NAMESPACE}:admin_function_id: secret is not set (a github.repositories entry reads"
        " it); run `pulumi config set --secret admin_function_id` (it prompts for the value)"
    ) in caught.value.message


@pytest.mark.parametrize("key", ["github_token", "cloudflare_api_token", "pagerduty_webhook_url", "backup", "github"])
def test_a_secret_may_not_come_from_the_program_s_own_keys(key: str) -> None:
    def edit(github: dict[str, Any]) -> None:
        github["repositories"] = [{"name": "lodgetix/lodgetix-app", "secret_keys": {"FILTER_TO": key}}]

    assert problems_with_area("staging", "github", edit) == [
        f"{GITHUB}.repositories[0].secret_keys.FILTER_TO: '{key}' is a key of the program itself; name a key of"
        " this repository's own"
    ]


def test_the_default_and_platform_secret_keys_are_exactly_the_declared_secrets() -> None:
    from components.settings import SECRET_KEYS
    from components.settings.github import PLATFORM_SECRET_KEYS

    assert sorted([*DEFAULT_SECRET_KEYS.values(), *PLATFORM_SECRET_KEYS]) == sorted(SECRET_KEYS)


def test_a_set_entry_key_is_not_reported_unknown_when_another_area_fails() -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["github"]["repositories"] = [{"name": "lodgetix/lodgetix-app", "secret_keys": {"FILTER_TO": "app_filter"}}]
        raw["app_filter"] = "[secret]"
        raw["backup"]["rto_hours"] = "four"

    assert problems_with_edit("staging", edit) == [f"{NAMESPACE}:backup.rto_hours: must be a whole number"]
