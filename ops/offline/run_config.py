"""What an offline run feeds the program: the project, the stack's short name and its config.

They are read from `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI reads them (ops/stack_files.py);
secrets the caller knows replace the offline placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ops.boundary import InputError
from ops.stack_files import Project, load_project, stack_config, stack_short_name

from .failures import ProgramError


@dataclass
class RunConfig:
    project: Project
    stack: str  # the short name: `owner/project/` dropped
    config: dict[str, str]  # `<namespace>:<key>` -> value
    secret_keys: list[str]


def read_run_config(program_dir: Path, stack: str, secrets: dict[str, str] | None = None) -> RunConfig:
    """The run's settings; `ProgramError` if the project or stack file is refused or there is no main to run.

    `secrets` (`<key>` or `<namespace>:<key>` -> value) stand for values set with `pulumi config set --secret`.
    """
    try:
        project = load_project(program_dir)
        name = stack_short_name(stack, project.name)
        config, secret_keys = stack_config(project, name)
    except InputError as exc:
        raise ProgramError(exc.message, settings=True) from None
    for key, value in (secrets or {}).items():
        full_key = key if ":" in key else f"{project.name}:{key}"
        config[full_key] = value
        if full_key not in secret_keys:
            secret_keys.append(full_key)
    if not project.main.is_file():
        raise ProgramError(f"{program_dir}: no {project.main.name} to run")
    return RunConfig(project, name, config, secret_keys)
