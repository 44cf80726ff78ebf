"""Shared test helpers: evaluate the real program with edited settings, and run small throwaway programs."""

from __future__ import annotations

import copy
import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from components.settings import SettingsError, StackSettings, parse_settings
from ops.offline import Evaluation, RecordedResource, evaluate

REPO = Path(__file__).resolve().parent.parent
NAMESPACE = "functions-platform"


def load_stack(stack: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())


def copy_program(destination: Path) -> Path:
    """A copy of the real program (without stack files) to evaluate with edited settings."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Pulumi.yaml", destination / "Pulumi.yaml")
    shutil.copy(REPO / "__main__.py", destination / "__main__.py")
    shutil.copytree(
        REPO / "components",
        destination / "components",
        ignore=shutil.ignore_patterns("__pycache__"),
        dirs_exist_ok=True,
    )
    return destination


def evaluate_with(
    tmp_path: Path, stack: str, edit: Callable[[dict[str, Any]], None], secrets: dict[str, str] | None = None
) -> Evaluation:
    """Evaluate the real program with `edit` applied to the `config:` mapping of the stack file.

    `secrets` gives declared secrets a decrypted value, as the program sees one set with `pulumi config set
    --secret` (a stack file may not hold them in plain text).
    """
    program = copy_program(tmp_path / "program")
    document = copy.deepcopy(load_stack(stack))
    edit(document["config"])
    (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return evaluate(program, stack, secrets)


def raw_config(stack: str) -> dict[str, Any]:
    """The stack file's project keys without the namespace, as the loader hands them to `parse_settings`."""
    config = copy.deepcopy(load_stack(stack)["config"])
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}


def settings_with_area(stack: str, area: str, edit: Callable[[dict[str, Any]], None]) -> StackSettings:
    """Parse the stack's settings with `edit` applied to one area's mapping (no program run)."""
    raw = raw_config(stack)
    edit(raw[area])
    return parse_settings(NAMESPACE, f"Pulumi.{stack}.yaml", raw)


def problems_with_area(stack: str, area: str, edit: Callable[[dict[str, Any]], None]) -> list[str]:
    """The problems the loader reports for the stack's settings with `edit` applied to one area."""
    try:
        settings_with_area(stack, area, edit)
    except SettingsError as error:
        return error.problems
    raise AssertionError("the edited settings were accepted")


def write_program(
    tmp_path: Path, source: str, config: dict[str, Any] | None = None, stack: str = "test", project: str = "fixture"
) -> Path:
    """A one-file Pulumi program; used for policy fixtures and evaluator tests."""
    program = tmp_path / project
    program.mkdir(parents=True, exist_ok=True)
    (program / "Pulumi.yaml").write_text(yaml.safe_dump({"name": project, "runtime": "python"}))
    (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config or {}}))
    (program / "__main__.py").write_text(textwrap.dedent(source))
    return program


def policy_json(resource: RecordedResource, key: str = "policy") -> dict[str, Any]:
    """A JSON policy document held in a resource input."""
    value = resource.plain_inputs[key]
    return json.loads(value) if isinstance(value, str) else value
