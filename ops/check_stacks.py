"""`python -m ops check-stacks`: the stack files of one program, checked against each other.

Each stack is valid on its own (the settings loader checks that); this finds what only shows when two
stacks meet in one AWS account or one GitHub repository:

- account-wide singletons: the GitHub OIDC provider (a second one fails with EntityAlreadyExists), the
  dimensional SERVICE anomaly monitor (one per account) and the activation of the cost-allocation tags;
- resource names: they derive from the environment, so two stacks of one environment in one account collide;
- repository-wide settings: branch protection and the committed workflow files have one owner each.

Exit status: 0 when the stacks fit together, 1 when they conflict (each conflict names both files and the
setting that resolves it), 2 when a stack file cannot be read or its settings are invalid.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from components.settings import SettingsError, StackSettings, parse_settings

from .boundary import InputError
from .stack_files import Project, load_project, stack_config


@dataclass(frozen=True)
class Stack:
    file: str
    settings: StackSettings


@dataclass(frozen=True)
class Singleton:
    """A resource that exists once per scope (an AWS account or a repository), and the setting that stops a stack
    from creating it."""

    what: str
    creates: Callable[[StackSettings], bool]
    resolution: str


# Mirrors what the components create (components/github/oidc.py, components/cost.py).
ACCOUNT_SINGLETONS = (
    Singleton(
        "the GitHub OIDC provider (token.actions.githubusercontent.com)",
        lambda s: s.github.oidc.create_provider,
        "github.oidc.create_provider: false with github.oidc.provider_arn set to the other stack's provider",
    ),
    Singleton(
        "the dimensional SERVICE cost anomaly monitor",
        # Created whenever anomaly detection is on and there is a topic (every stack has all four) or an email.
        lambda s: s.cost.anomaly.enabled,
        "cost.anomaly.enabled: false (the other stack's monitor covers the whole account)",
    ),
    Singleton(
        "the activation of the cost-allocation tag keys",
        lambda s: s.cost.activate_tag_keys,
        "cost.activate_tag_keys: false (activation is account-wide)",
    ),
)
REPOSITORY_SINGLETONS = (
    Singleton(
        "the branch protection",
        lambda s: s.github.manage_repository_settings,
        "github.manage_repository_settings: false",
    ),
    Singleton(
        "the committed workflow files and .env.example",
        lambda s: s.github.workflows.manage_files,
        "github.workflows.manage_files: false",
    ),
)


class StackFileError(Exception):
    """A stack file that cannot be read or whose settings are invalid (exit status 2)."""


def load_stack(project: Project, path: Path) -> Stack:
    """One stack file, read as `ops plan` reads it (ops/stack_files.py), and its settings."""
    namespace = f"{project.name}:"
    try:
        config, _ = stack_config(project, path.name.removeprefix("Pulumi.").removesuffix(".yaml"))
    except InputError as exc:
        raise StackFileError(exc.message) from None
    raw = {key.removeprefix(namespace): value for key, value in config.items() if key.startswith(namespace)}
    try:
        return Stack(path.name, parse_settings(project.name, path.name, raw))
    except SettingsError as exc:
        raise StackFileError("\n".join(f"{path.name}: {p}" for p in exc.problems)) from None


def load_stacks(program: Path) -> list[Stack]:
    """Every `Pulumi.<stack>.yaml` of the program; all problems of all files in one StackFileError."""
    try:
        project = load_project(program)
    except InputError as exc:
        raise StackFileError(exc.message) from None
    stacks, problems = [], []
    for path in sorted(project.stack_config_dir.glob("Pulumi.*.yaml")):
        try:
            stacks.append(load_stack(project, path))
        except StackFileError as exc:
            problems.append(str(exc))
    if problems:
        raise StackFileError("\n".join(problems))
    if not stacks:
        raise StackFileError(f"{program}: no Pulumi.<stack>.yaml to check")
    return stacks


def _shared(first: Stack, second: Stack, singletons: Iterable[Singleton], where: str) -> list[str]:
    return [
        f"{first.file} and {second.file} both create {singleton.what} in {where}; set {singleton.resolution}"
        f" in one of them"
        for singleton in singletons
        if singleton.creates(first.settings) and singleton.creates(second.settings)
    ]


def conflicts(stacks: list[Stack]) -> list[str]:
    """Every conflict between two stacks, each naming both files and the setting that resolves it."""
    found = []
    for first, second in combinations(stacks, 2):
        account = first.settings.account.aws_account_id
        if account == second.settings.account.aws_account_id:
            environment = first.settings.environment
            if environment == second.settings.environment:
                found.append(
                    f"{first.file} and {second.file} both deploy environment {environment} to AWS account {account};"
                    " every resource name derives from the environment, so they collide: set account.aws_account_id"
                    " to another account in one of them"
                )
            found += _shared(first, second, ACCOUNT_SINGLETONS, f"AWS account {account}")
        names = {n.lower() for n in first.settings.github.repository_names}
        for repository in second.settings.github.repository_names:
            if repository.lower() in names:
                found += _shared(first, second, REPOSITORY_SINGLETONS, f"the repository {repository}")
    return found


def run_check_stacks(program: Path) -> int:
    try:
        stacks = load_stacks(program)
    except StackFileError as exc:
        print(f"check-stacks: invalid stack files:\n{exc}", file=sys.stderr)
        return 2
    found = conflicts(stacks)
    for conflict in found:
        print(f"check-stacks: {conflict}", file=sys.stderr)
    if found:
        return 1
    print(f"check-stacks: {len(stacks)} stack file(s) fit together: {', '.join(s.file for s in stacks)}")
    return 0
