"""docs/deploying.md and docs/first-deploy.md say what the program and the CLI really do."""

from __future__ import annotations

import re

import yaml

from ops.offline import Evaluation
from tests.support.repository import REPO

GUIDE = (REPO / "docs" / "deploying.md").read_text()


def _declared_secrets() -> dict[str, dict[str, object]]:
    config = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    return {key: spec for key, spec in config.items() if isinstance(spec, dict) and spec.get("secret")}


def test_the_secret_loop_sets_exactly_the_secrets_the_cli_requires() -> None:
    [loop] = re.findall(r"for key in ([a-z_ ]+); do\n  pulumi config set --secret --stack staging \"\$key\"", GUIDE)
    required = {key for key, spec in _declared_secrets().items() if "default" not in spec}
    optional = set(_declared_secrets()) - required
    assert set(loop.split()) == required
    for key in optional:
        assert f"pulumi config set --secret --stack production {key}" in GUIDE


def test_the_first_run_message_is_the_one_the_engine_test_expects() -> None:
    engine_test = (REPO / "tests" / "engine" / "test_preview.py").read_text()
    assert r"Stack 'staging' is missing configuration values? '" in engine_test
    assert re.search(r"error: validating stack config: Stack 'staging' is missing configuration values? '", GUIDE)


def test_every_aws_service_of_both_plans_is_named_with_its_scope(staging: Evaluation, production: Evaluation) -> None:
    services = {
        r.type.split(":")[1].split("/")[0]
        for e in (staging, production)
        for r in e.resources
        if r.type.startswith("aws:")
    }
    [aws_row] = [line for line in GUIDE.splitlines() if line.startswith("| AWS |")]
    assert services
    assert [s for s in sorted(services) if f"`{s}`" not in aws_row] == []
