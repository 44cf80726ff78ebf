"""The generated `pulumi import` commands adopt each resource under exactly the URN the program registers."""

from __future__ import annotations

import shlex

import pytest

from ops import imports
from ops.offline import Evaluation


def _urn_the_cli_builds(stack: str, project: str, type_: str, name: str, parent: str | None) -> str:
    """What `pulumi import` names a resource: the parent's type chain, then its own type and name."""
    chain = type_ if parent is None else f"{parent.split('::')[2]}${type_}"
    return f"urn:pulumi:{stack}::{project}::{chain}::{name}"


def _option(words: list[str], flag: str) -> str | None:
    return words[words.index(flag) + 1].split("=", 1)[1] if flag in words else None


def test_each_command_rebuilds_the_programs_urn_with_its_parent_and_provider(stack: Evaluation) -> None:
    commands = imports.import_commands(stack)
    kinds = sorted({c.resource.type for c in commands})
    assert kinds == sorted({imports.RULESET, imports.OIDC_PROVIDER, imports.ANOMALY_MONITOR})
    by_urn = {r.urn: r for r in stack.resources}
    for command in commands:
        words = shlex.split(command.command(stack.stack))
        assert words[:5] == ["pulumi", "import", "--stack", stack.stack, command.resource.type]
        name = words[5]
        parent = _option(words, "--parent")
        provider = _option(words, "--provider")
        urn = _urn_the_cli_builds(stack.stack, stack.project, words[4], name, parent)
        assert urn in by_urn, urn
        resource = by_urn[urn]
        assert parent == resource.parent
        assert provider is not None
        assert provider == resource.provider.rsplit("::", 1)[0]  # the provider's URN; the CLI finds its id in the state
        assert "--generate-code=false" in words
        assert f"--protect={str(resource.protect).lower()}" in words


def test_rulesets_are_imported_by_zone_and_the_oidc_provider_by_the_stacks_account(stack: Evaluation) -> None:
    commands = imports.import_commands(stack)
    rulesets = [c for c in commands if c.resource.type == imports.RULESET]
    assert {c.resource.plain_inputs["phase"] for c in rulesets} == {
        r.plain_inputs["phase"] for r in stack.of_type(imports.RULESET) if r.plain_inputs.get("kind") == "zone"
    }
    for c in rulesets:
        assert c.import_id == f"zones/{c.resource.plain_inputs['zoneId']}/<ruleset id>"
        assert c.resource.plain_inputs["phase"] in c.lookup
    [oidc] = [c for c in commands if c.resource.type == imports.OIDC_PROVIDER]
    account = "210987654321" if stack.stack == "production" else "123456789012"
    assert oidc.import_id == f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"


@pytest.mark.parametrize("stack_name", ["staging", "production"])
def test_the_rendered_block_shows_every_command_and_no_secret(
    stack_name: str, staging: Evaluation, production: Evaluation
) -> None:
    evaluation = staging if stack_name == "staging" else production
    text = imports.render(evaluation)
    assert text.startswith("```sh\n")
    assert text.endswith("\n```")
    assert text.count("pulumi import ") == len(imports.import_commands(evaluation))
    assert "[secret" not in text
