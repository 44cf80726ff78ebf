"""The real stacks' settings parsed as the program parses them, without running it: as they are, or edited.

An edit is a function that changes, in place, the stack file's project keys without the namespace
(`raw_config`), or one area's mapping of them.
"""

from __future__ import annotations

from components.settings import SettingsError, StackSettings, parse_settings
from tests.support.stack_files import NAMESPACE, Edit, raw_config


def stack_settings(stack: str) -> StackSettings:
    """The settings of `Pulumi.<stack>.yaml` as the program sees them."""
    return settings_with_edit(stack, lambda _raw: None)


def settings_with_edit(stack: str, edit: Edit) -> StackSettings:
    """Parse the stack's settings with `edit` applied to all of its project keys."""
    raw = raw_config(stack)
    edit(raw)
    return parse_settings(NAMESPACE, f"Pulumi.{stack}.yaml", raw)


def settings_with_area(stack: str, area: str, edit: Edit) -> StackSettings:
    """Parse the stack's settings with `edit` applied to one area's mapping."""
    return settings_with_edit(stack, lambda raw: edit(raw[area]))


def problems_with_edit(stack: str, edit: Edit) -> list[str]:
    """The problems the loader reports, naming the stack file, once `edit` is applied to the project keys."""
    try:
        settings_with_edit(stack, edit)
    except SettingsError as error:
        assert error.stack_file == f"Pulumi.{stack}.yaml"
        return error.problems
    raise AssertionError("the edited settings were accepted")


def problems_with_area(stack: str, area: str, edit: Edit) -> list[str]:
    """The problems the loader reports once `edit` is applied to one area's mapping."""
    return problems_with_edit(stack, lambda raw: edit(raw[area]))
