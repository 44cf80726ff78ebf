"""Property-based: whatever a stack file holds, `ops plan` ends cleanly (0, 1 or 2 with a message), never with a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops.boundary import EXIT_FAILED, EXIT_INPUT, EXIT_OK
from tests.support.ops_cli import ops_in_process
from tests.support.programs import copy_real_program, write_program
from tests.support.repository import REPO
from tests.support.stack_files import NAMESPACE

# A small program that reads every kind of config value, so accepted files really reach a program.
READER = """
import pulumi
import pulumi_aws as aws
config = pulumi.Config()
name = config.get("name") or "data"
pulumi.export("size", config.get_int("size"))
pulumi.export("flag", config.get_bool("flag"))
pulumi.export("tree", config.get_object("tree"))
pulumi.export("token", config.get_secret("token"))
aws.s3.Bucket("data", bucket=config.get_secret("bucket") or name)
"""

keys = st.sampled_from(
    [
        "fixture:name",
        "fixture:size",
        "fixture:flag",
        "fixture:tree",
        "fixture:token",
        "fixture:bucket",
        "aws:region",
        "fixtur:size",
        "name",
        "7",
    ]
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**9), 10**9), st.floats(allow_nan=True), st.text(max_size=20)
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=6), st.sampled_from(["secure"])), children, max_size=3),
    ),
    max_leaves=8,
)
documents = st.one_of(
    st.dictionaries(
        st.sampled_from(["config", "conifg", "secretsprovider", "environment"]),
        st.dictionaries(keys, trees, max_size=5),
        max_size=2,
    ),
    trees,
)
# Hostile texts: YAML features the structured generator cannot produce.
FRAGMENTS = [
    "a: &a [*a]\n",
    "config:\n  fixture:size: 1\n  fixture:size: 2\n",
    "config: !!binary aGk=\n",
    "{" * 80,
    "config:\n\t- x\n",
    "config:\n  ? [a]\n  : 1\n",
    "\ufeffconfig: {}\n",
    "config:\n  fixture:token:\n    secure: v1:x\n",
    "- &a [1,1,1,1,1,1,1,1,1,1]\n- &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n- &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n- &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n- [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
]
raw_files = st.one_of(
    documents.map(lambda document: yaml.safe_dump(document, allow_unicode=True).encode()),
    st.sampled_from(FRAGMENTS).map(str.encode),
    st.binary(max_size=60),
    st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def plan_in_process(program: Path, *extra: str) -> tuple[int, str, str]:
    return ops_in_process("plan", "--stack", "test", "--program", str(program), *extra)


def assert_clean(code: int, out: str, err: str) -> None:
    assert code in (EXIT_OK, EXIT_FAILED, EXIT_INPUT), (code, err)
    assert "Traceback" not in err
    assert "never retrieved" not in err
    if code == EXIT_INPUT:
        assert err.strip(), "a refusal always says why"
        assert out == ""
    else:
        assert err == ""


@given(content=raw_files, as_json=st.booleans())
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_any_stack_file_ends_cleanly(tmp_path_factory: Any, content: bytes, as_json: bool) -> None:
    program = write_program(tmp_path_factory.mktemp("p"), READER)
    (program / "Pulumi.test.yaml").write_bytes(content)
    code, out, err = plan_in_process(program, *(("--json",) if as_json else ()))
    assert_clean(code, out, err)
    if as_json and code != EXIT_INPUT:
        json.loads(out)


REAL_STACK = (REPO / "Pulumi.staging.yaml").read_text().splitlines(keepends=True)


@given(
    line=st.integers(0, len(REAL_STACK) - 1),
    action=st.sampled_from(["duplicate", "delete", "replace"]),
    text=st.sampled_from(
        [
            "    protect: yes\n",
            "  functions-platfrom:backup: {}\n",
            "      daily_days: true\n",
            "  x\n",
            "\t\n",
            "    dr_region: us-east-1\n",
            f"  {NAMESPACE}:github_token: plain\n",
        ]
    ),
)
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_edited_real_stack_file_ends_cleanly(tmp_path_factory: Any, line: int, action: str, text: str) -> None:
    lines = list(REAL_STACK)
    if action == "duplicate":
        lines.insert(line, lines[line])
    elif action == "delete":
        del lines[line]
    else:
        lines[line] = text
    program = copy_real_program(tmp_path_factory.mktemp("real") / "program")
    stack = program / "Pulumi.test.yaml"
    stack.write_text("".join(lines))
    # The real program needs its environment's stack name only through the settings; `test` is refused by nothing.
    assert_clean(*plan_in_process(program, "--json"))
