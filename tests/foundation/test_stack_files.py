"""Pulumi.yaml and stack files read as the CLI reads them: each refusal with its message, and a passing neighbour."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ops.boundary import InputError
from ops.stack_files import load_project, secret_placeholder, stack_config, stack_short_name

PROJECT = {"name": "fixture", "runtime": "python", "config": {"token": {"type": "string", "secret": True}}}
CIPHERTEXT = "v1:bm9uY2Vub25jZQ==:c2VhbGVk"


def program_with_stack_file(tmp_path: Path, stack_text: str, project: dict | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump(project or PROJECT))
    (tmp_path / "Pulumi.test.yaml").write_text(stack_text)
    (tmp_path / "__main__.py").write_text("")
    return tmp_path


def config_of(tmp_path: Path, stack_text: str, project: dict | None = None) -> tuple[dict[str, str], list[str]]:
    return stack_config(load_project(program_with_stack_file(tmp_path, stack_text, project)), "test")


def refusal(tmp_path: Path, stack_text: str, project: dict | None = None) -> str:
    with pytest.raises(InputError) as caught:
        config_of(tmp_path, stack_text, project)
    return caught.value.message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_the_document_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    assert "Pulumi.test.yaml: must be a mapping" in refusal(tmp_path, text)


@pytest.mark.parametrize("config", ["[a, b]", "scalar", "7"])
def test_config_must_be_a_mapping(tmp_path: Path, config: str) -> None:
    assert "`config` must be a mapping" in refusal(tmp_path, f"config: {config}\n")


def test_an_empty_stack_file_gives_the_declared_defaults(tmp_path: Path) -> None:
    config, secrets = config_of(tmp_path, "")
    assert config == {"fixture:token": secret_placeholder("fixture:token")}
    assert secrets == ["fixture:token"]


def test_a_misspelt_top_level_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    assert "unknown top-level key `conifg` (did you mean `config`?)" in refusal(tmp_path, "conifg:\n  fixture:a: 1\n")


def test_a_bare_key_is_refused_with_the_namespaced_form(tmp_path: Path) -> None:
    message = refusal(tmp_path, "config:\n  region: x\n")
    assert "config key 'region' is not of the form `<namespace>:<name>` (did you mean `fixture:region`?)" in message


def test_a_near_miss_of_the_project_namespace_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, "config:\n  fixtrue:backup: 1\n")
    assert "fixtrue:backup: unknown namespace `fixtrue` (did you mean `fixture`?)" in message


def test_an_unknown_namespace_is_refused(tmp_path: Path) -> None:
    assert "unknown namespace `nosuchprovider`" in refusal(tmp_path, "config:\n  nosuchprovider:x: 1\n")


def test_project_and_provider_namespaces_are_accepted(tmp_path: Path) -> None:
    text = "config:\n  fixture:a: 1\n  aws:region: us-east-1\n  github:owner: o\n  cloudflare:x: y\n  pulumi:tags: {a: b}\n"
    config, _ = config_of(tmp_path, text)
    assert config["fixture:a"] == "1"
    assert config["aws:region"] == "us-east-1"
    assert config["pulumi:tags"] == '{"a": "b"}'


def test_the_legacy_config_form_is_the_same_key(tmp_path: Path) -> None:
    assert config_of(tmp_path, "config:\n  fixture:config:a: 1\n")[0]["fixture:a"] == "1"
    assert "set twice" in refusal(tmp_path, "config:\n  fixture:config:a: 1\n  fixture:a: 2\n")


def test_a_declared_secret_in_plain_text_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, "config:\n  fixture:token: hunter2\n")
    assert "fixture:token: is declared `secret: true` in Pulumi.yaml but set in plain text" in message
    assert "hunter2" not in message


def test_a_declared_secret_as_ciphertext_is_accepted(tmp_path: Path) -> None:
    config, secrets = config_of(tmp_path, f"config:\n  fixture:token:\n    secure: {CIPHERTEXT}\n")
    assert config["fixture:token"] == secret_placeholder("fixture:token")
    assert "fixture:token" in secrets


def test_base64_ciphertext_of_cloud_secret_managers_is_accepted(tmp_path: Path) -> None:
    config, _ = config_of(tmp_path, "config:\n  fixture:token:\n    secure: AAABAHNlYWxlZCBkYXRh\n")
    assert config["fixture:token"] == secret_placeholder("fixture:token")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("not ciphertext!", "is not Pulumi ciphertext"),
        ("v1:abc", "is not Pulumi ciphertext"),
        ("''", "is not Pulumi ciphertext"),
        ("7", "must hold the ciphertext string"),
        ("[a]", "must hold the ciphertext string"),
    ],
)
def test_malformed_secure_values_are_refused(tmp_path: Path, value: str, fragment: str) -> None:
    assert fragment in refusal(tmp_path, f"config:\n  fixture:token:\n    secure: {value}\n")


def test_secure_with_other_keys_is_refused(tmp_path: Path) -> None:
    text = f"config:\n  fixture:token:\n    secure: {CIPHERTEXT}\n    extra: 1\n"
    assert "may hold nothing but the ciphertext" in refusal(tmp_path, text)


def test_a_secure_value_inside_a_structure_keeps_the_whole_key_secret(tmp_path: Path) -> None:
    config, secrets = config_of(tmp_path, f"config:\n  fixture:db:\n    url:\n      secure: {CIPHERTEXT}\n")
    assert config["fixture:db"] == '{"url": "[secret placeholder: fixture:db]"}'
    assert "fixture:db" in secrets


def test_a_declared_type_is_enforced(tmp_path: Path) -> None:
    project = {"name": "fixture", "runtime": "python", "config": {"count": {"type": "integer"}}}
    assert "declared `type: integer`" in refusal(tmp_path, "config:\n  fixture:count: true\n", project)
    assert config_of(tmp_path, "config:\n  fixture:count: 3\n", project)[0]["fixture:count"] == "3"


def test_a_misspelt_declaration_field_is_refused(tmp_path: Path) -> None:
    project = {"name": "fixture", "runtime": "python", "config": {"token": {"type": "string", "secrte": True}}}
    assert "unknown field `secrte` (did you mean `secret`?)" in refusal(tmp_path, "", project)


@pytest.mark.parametrize("key", ["main", "stackConfigDir"])
@pytest.mark.parametrize("value", ["../elsewhere", "/etc"])
def test_project_paths_must_stay_inside_the_program(tmp_path: Path, key: str, value: str) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "elsewhere").mkdir()
    project = {"name": "fixture", "runtime": "python", key: value}
    assert "must stay inside the program directory" in refusal(tmp_path / "p", "", project)


def test_a_stack_config_dir_inside_the_program_is_used(tmp_path: Path) -> None:
    program_with_stack_file(tmp_path, "", {"name": "fixture", "runtime": "python", "stackConfigDir": "stacks"})
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.test.yaml").write_text("config:\n  fixture:a: 1\n")
    assert stack_config(load_project(tmp_path), "test")[0] == {"fixture:a": "1"}


@pytest.mark.parametrize(
    ("project", "fragment"),
    [
        ({"runtime": "python"}, "`name` must be a project name"),
        ({"name": "a b", "runtime": "python"}, "`name` must be a project name"),
        ({"name": "fixture"}, "`runtime` must name the language runtime"),
        ({"name": "fixture", "runtime": "python", "config": ["x"]}, "`config` must be a mapping"),
    ],
)
def test_a_broken_project_file_is_refused(tmp_path: Path, project: dict, fragment: str) -> None:
    assert fragment in refusal(tmp_path, "", project)


@pytest.mark.parametrize("stack", ["../x", "a/../../b", "x/y/z/w", "bad name", "", "a\n", ".."])
def test_stack_names_follow_pulumis_rule(stack: str) -> None:
    with pytest.raises(InputError, match="stack"):
        stack_short_name(stack)


@pytest.mark.parametrize(
    ("stack", "short"), [("staging", "staging"), ("acme/staging", "staging"), ("acme/fixture/dev.1", "dev.1")]
)
def test_qualified_stack_names_name_the_stack_file(stack: str, short: str) -> None:
    assert stack_short_name(stack, "fixture") == short


def test_a_qualified_name_of_another_project_is_refused() -> None:
    with pytest.raises(InputError, match="names project 'other'"):
        stack_short_name("acme/other/staging", "fixture")
