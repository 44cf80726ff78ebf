"""Strict YAML reading: each refused class with its message, and the accepted neighbour next to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.boundary import InputError
from ops.strict_yaml import MAX_BYTES, parse_yaml, read_yaml

LABEL = "Pulumi.test.yaml"


def refused(text: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, LABEL)
    assert caught.value.message.startswith(LABEL), caught.value.message
    return caught.value.message


def test_a_duplicate_key_is_refused_naming_both_lines() -> None:
    message = refused("config:\n  a:\n    protect: true\n    other: 1\n    protect: false\n")
    assert "line 5: duplicate key 'config.a.protect' (first defined on line 3)" in message


def test_the_same_key_in_two_mappings_is_fine() -> None:
    assert parse_yaml("a:\n  protect: true\nb:\n  protect: false\n", LABEL) == {
        "a": {"protect": True},
        "b": {"protect": False},
    }


@pytest.mark.parametrize(("text", "shown"), [("config:\n  1: x\n", "'1'"), ("? [a]\n: 1\n", "a sequence")])
def test_keys_must_be_strings(text: str, shown: str) -> None:
    assert f"key {shown}" in refused(text)


def test_a_quoted_number_is_a_string_key() -> None:
    assert parse_yaml("config:\n  '1': x\n", LABEL) == {"config": {"1": "x"}}


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    assert "nested more than" in refused("a: " + "[" * 5000 + "]" * 5000)
    assert "nested more than" in refused("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 2000)))


def test_ordinary_nesting_is_fine() -> None:
    assert parse_yaml("a: " + "[" * 20 + "]" * 20, LABEL)["a"] is not None


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert "expands to more than" in refused("\n".join(lines) + "\n")


def test_a_recursive_alias_is_refused() -> None:
    assert "recursive alias" in refused("a: &a [*a]\n")


def test_modest_aliases_and_merge_keys_are_fine() -> None:
    document = parse_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\nlist: [*b, *b]\n", LABEL)
    assert document["other"] == {"x": 1, "y": 2}
    assert document["list"] == [{"x": 1}, {"x": 1}]


@pytest.mark.parametrize("text", ["a: !!binary aGk=\n", "a: !!timestamp 2024-01-01\n", "a: !!set {x}\n", "a: !x y\n"])
def test_tags_beyond_plain_types_are_refused(text: str) -> None:
    assert "unsupported tag" in refused(text)


def test_scalars_follow_the_yaml_1_2_core_schema() -> None:
    """As the CLI's Go library reads them: yes/no/on and dates stay text, 010 is ten."""
    document = parse_yaml("a: yes\nb: no\nc: 2024-01-01\nd: 010\ne: 0x1f\nf: true\ng: ~\nh: 1.5\ni: '7'\n", LABEL)
    assert document == {
        "a": "yes",
        "b": "no",
        "c": "2024-01-01",
        "d": 10,
        "e": 31,
        "f": True,
        "g": None,
        "h": 1.5,
        "i": "7",
    }


def test_invalid_yaml_names_line_and_column() -> None:
    assert refused("a: [\n").startswith(f"{LABEL}, line 2, column 1: not valid YAML")
    assert "not valid YAML" in refused("a: 1\n---\nb: 2\n")
    assert "not valid YAML" in refused("a: \x00\n")


def test_bytes_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    path = tmp_path / LABEL
    path.write_bytes(b"config:\n  a: \xff\xfe\n")
    with pytest.raises(InputError, match=r"line 2: not UTF-8 text \(byte 0xff\)"):
        read_yaml(path)
    path.write_bytes("\ufeffconfig:\n  a: é\n".encode())
    assert read_yaml(path) == {"config": {"a": "é"}}


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / LABEL
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(InputError, match="larger than"):
        read_yaml(path)


def test_an_unreadable_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        read_yaml(tmp_path)
