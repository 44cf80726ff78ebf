"""The workflow model on its own: triggers, permissions, checkouts, expressions, pinning, composite actions."""

from __future__ import annotations

import yaml

from policies.workflows import SAFE_LOADER, ActionFile, is_pinned, local_action_path, parse_file, permission_writes

SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"


def model(workflow: object, path: str = ".github/workflows/ci.yml") -> ActionFile:
    """The policy pack's model of `workflow` (written as YAML, then parsed as a committed file)."""
    parsed = parse_file(path, yaml.safe_dump(workflow))
    assert parsed is not None
    return parsed


def test_triggers_in_every_spelling() -> None:
    assert model({"on": "push", "jobs": {}}).triggers == {"push"}
    assert model({"on": ["push", "pull_request_target"], "jobs": {}}).triggers == {"push", "pull_request_target"}
    assert model({"on": {"workflow_run": {"workflows": ["x"]}}, "jobs": {}}).triggers == {"workflow_run"}
    # Written by hand, YAML 1.1 reads `on:` as True.
    assert parse_file(".github/workflows/a.yml", "on: push\njobs: {}\n").triggers == {"push"}  # type: ignore[union-attr]


def test_files_are_read_with_libyaml_and_invalid_yaml_is_reported() -> None:
    assert SAFE_LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
    broken = parse_file(".github/workflows/a.yml", "on: [push\n")
    assert broken is not None
    assert broken.error == "not valid YAML"


def test_permission_writes() -> None:
    assert permission_writes(None) is None
    assert permission_writes("read-all") == []
    assert len(permission_writes("write-all") or []) >= 15
    assert permission_writes({"contents": "write", "id-token": "write", "issues": "read"}) == ["contents", "id-token"]


def test_untrusted_checkout_needs_a_privileged_trigger_and_the_head_ref() -> None:
    head = {"uses": f"actions/checkout@{SHA}", "with": {"ref": "${{ github.event.pull_request.head.ref }}"}}
    job = {"runs-on": "x", "steps": [head]}
    assert len(model({"on": "pull_request_target", "jobs": {"a": job}}).untrusted_checkouts()) == 1
    assert model({"on": "pull_request", "jobs": {"a": job}}).untrusted_checkouts() == []
    base = {"runs-on": "x", "steps": [{"uses": f"actions/checkout@{SHA}"}]}
    assert model({"on": "pull_request_target", "jobs": {"a": base}}).untrusted_checkouts() == []


def test_expressions_expanded_in_scripts() -> None:
    steps = [
        {"run": "echo ${{ github.event.issue.title }}"},
        {"run": "echo $T", "env": {"T": "${{ github.head_ref }}"}},
        {"uses": f"actions/github-script@{SHA}", "with": {"script": "core.info('${{ github.head_ref }}')"}},
    ]
    found = [s.expands_untrusted() for s in model({"on": "issues", "jobs": {"a": {"steps": steps}}}).jobs[0].steps]
    assert found == [["github.event.issue.title"], [], ["github.head_ref"]]


def test_pinning_and_local_actions() -> None:
    assert is_pinned(f"actions/checkout@{SHA}")
    assert not is_pinned("actions/checkout@v4")
    assert not is_pinned(f"actions/checkout@{SHA[:12]}")
    assert is_pinned("docker://alpine@sha256:" + "a" * 64)
    assert not is_pinned("docker://alpine:3")
    assert local_action_path("./.github/actions/setup") == ".github/actions/setup"
    assert local_action_path("./.github/workflows/reuse.yml") is None
    action = model(
        {"runs": {"using": "composite", "steps": [{"uses": "actions/setup-node@v4"}]}},
        ".github/actions/setup/action.yml",
    )
    assert action.kind == "action"
    assert [u for _, u in action.uses()] == ["actions/setup-node@v4"]


def test_other_files_are_not_modelled_and_broken_ones_say_why() -> None:
    assert parse_file("README.md", "# hi") is None
    assert parse_file(".github/workflows/x.yml", "- a list").error == "not a YAML mapping"  # type: ignore[union-attr]
    assert parse_file(".github/workflows/x.yml", "a: [").error == "not valid YAML"  # type: ignore[union-attr]
