"""Programs evaluated offline: the real program with edited settings, and small throwaway programs."""

from __future__ import annotations

import copy
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.offline import Evaluation, ProgramError, evaluate
from tests.support.repository import REPO
from tests.support.stack_files import Edit, load_stack


def copy_real_program(destination: Path) -> Path:
    """A copy of the real program (project file, entry point, components; no stack files) to evaluate edited."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Pulumi.yaml", destination / "Pulumi.yaml")
    shutil.copy(REPO / "__main__.py", destination / "__main__.py")
    _copy_components(destination)
    return destination


def _copy_components(program: Path) -> None:
    shutil.copytree(
        REPO / "components", program / "components", ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True
    )


def evaluate_with(tmp_path: Path, stack: str, edit: Edit, secrets: dict[str, str] | None = None) -> Evaluation:
    """Evaluate the real program with `edit` applied to the `config:` mapping of the stack file.

    `secrets` gives declared secrets a decrypted value, as the program sees one set with `pulumi config set
    --secret` (a stack file may not hold them in plain text).
    """
    program = copy_real_program(tmp_path / "program")
    document = copy.deepcopy(load_stack(stack))
    edit(document["config"])
    (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return evaluate(program, stack, secrets)


def settings_refusal(tmp_path: Path, stack: str, edit: Edit) -> str:
    """The message with which the real program refuses its settings once `edit` is applied to the stack file."""
    with pytest.raises(ProgramError) as caught:
        evaluate_with(tmp_path, stack, edit)
    assert caught.value.settings, caught.value.message
    return caught.value.message


def write_program(
    tmp_path: Path,
    source: str,
    config: dict[str, Any] | None = None,
    stack: str = "test",
    project: str = "fixture",
    *,
    with_components: bool = False,
) -> Path:
    """A one-file Pulumi program (`source` is dedented) with one stack file holding `config`.

    `with_components` copies the real `components` package beside it, for a program that builds real components.
    """
    program = tmp_path / project
    program.mkdir(parents=True, exist_ok=True)
    (program / "Pulumi.yaml").write_text(yaml.safe_dump({"name": project, "runtime": "python"}))
    (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config or {}}))
    (program / "__main__.py").write_text(textwrap.dedent(source))
    if with_components:
        _copy_components(program)
    return program
