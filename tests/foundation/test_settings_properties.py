"""Property-based: whatever a stack file says, the loader either accepts it or raises one SettingsError."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.settings import SECRET_KEYS, SettingsError, StackSettings, parse_settings
from ops.offline import ProgramError
from tests.support.programs import evaluate_with
from tests.support.stack_files import NAMESPACE, load_stack, set_nested

STACK_FILE = "Pulumi.staging.yaml"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _engine_view(stack: dict[str, Any]) -> dict[str, Any]:
    """The project's keys as the engine hands them to the program: structured values as JSON text."""
    prefix = f"{NAMESPACE}:"
    return {
        key[len(prefix) :]: json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        for key, value in stack["config"].items()
        if key.startswith(prefix)
    }


BASE = _engine_view(load_stack("staging"))
BASE_TREE = {key: json.loads(value) if value[:1] in "[{" else value for key, value in BASE.items()}
PATHS = _paths(BASE_TREE)


@given(path=st.sampled_from(PATHS), value=values)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_mutation_is_accepted_or_reported_as_a_settings_error(path: tuple[Any, ...], value: Any) -> None:
    tree = copy.deepcopy(BASE_TREE)
    set_nested(tree, path, value)
    raw = {k: json.dumps(v) if isinstance(v, (dict, list)) else ("" if v is None else str(v)) for k, v in tree.items()}
    try:
        result = parse_settings(NAMESPACE, STACK_FILE, raw)
    except SettingsError as error:
        assert error.problems, "a SettingsError always lists at least one problem"
        for problem in error.problems:
            assert problem.startswith(f"{NAMESPACE}:"), problem
        assert all(f"{STACK_FILE}: {NAMESPACE}:" in line for line in str(error).splitlines()[1:])
    else:
        assert isinstance(result, StackSettings)


@given(key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10))
@settings(max_examples=50, deadline=None)
def test_unknown_top_level_keys_are_always_reported(key: str) -> None:
    # Settings blocks and the secrets' own keys (`filter_to`, `github_token`, ...) are known top-level keys.
    if key in StackSettings.model_fields or key in SECRET_KEYS:
        return
    with pytest.raises(SettingsError) as caught:
        parse_settings(NAMESPACE, STACK_FILE, {**BASE, key: "1"})
    assert f"{NAMESPACE}:{key}: unknown key" in caught.value.problems[0]


@given(path=st.sampled_from(PATHS), value=values)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_mutated_stack_file_never_fails_with_anything_but_a_settings_error(tmp_path_factory, path, value) -> None:
    def edit(config: dict[str, Any]) -> None:
        key = f"{NAMESPACE}:{path[0]}"
        if len(path) == 1:
            config[key] = value
        else:
            set_nested(config[key], path[1:], value)

    try:
        evaluate_with(tmp_path_factory.mktemp("mutated"), "staging", edit)
    except ProgramError as error:
        assert error.settings, error.message


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_a_secret_key_at_the_top_level_is_not_an_unknown_key(key: str) -> None:
    """The secrets live beside the settings blocks (`functions-platform:filter_to`), so they are known keys."""
    assert isinstance(parse_settings(NAMESPACE, STACK_FILE, {**BASE, key: "1"}), StackSettings)
