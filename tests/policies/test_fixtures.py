"""Checkov-style rule tests: for each rule a folder of fixture programs, each passing or failing in one way,
with `expected.yaml` naming the stack and the exact set of resources the rule must flag (`(stack)` for a
violation on the stack itself). Every program runs through the offline evaluator, as `python -m ops plan
--program DIR --stack STACK` would run it, in this one process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ops.offline import evaluate
from ops.policy_check import run_policies
from policies.catalog import ALL_POLICIES

FIXTURES = Path(__file__).parent / "fixtures"
POLICIES = {p.name: p for p in ALL_POLICIES}
CASES = sorted(p.parent for p in FIXTURES.glob("*/*/__main__.py"))


def _flagged_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "(stack)"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_rule_flags_exactly_the_expected_resources(case: Path) -> None:
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    policy = POLICIES[case.parent.name]
    evaluation = evaluate(case, expected["stack"])
    violations = run_policies(evaluation, [policy])
    assert [v for v in violations if v.message.startswith("can't run policy")] == []
    assert {_flagged_name(v.urn) for v in violations} == set(expected["flagged"]), [v.message for v in violations]
    level = policy.enforcement_level.value if policy.enforcement_level else "advisory"
    assert {v.enforcement for v in violations} <= {level}


def test_every_rule_has_a_passing_and_a_failing_program() -> None:
    for name in POLICIES:
        cases = [c.name for c in CASES if c.parent.name == name]
        assert any(c.startswith("pass") for c in cases), f"{name} has no passing program"
        assert any(c.startswith("fail") for c in cases), f"{name} has no failing program"
    assert {c.parent.name for c in CASES} <= set(POLICIES), "a fixture folder names no rule"


def test_failing_programs_flag_something_and_passing_ones_nothing() -> None:
    for case in CASES:
        flagged = yaml.safe_load((case / "expected.yaml").read_text())["flagged"]
        assert bool(flagged) == case.name.startswith("fail"), case
