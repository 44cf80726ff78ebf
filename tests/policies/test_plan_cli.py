"""`python -m ops plan --program DIR` on a deliberately insecure program: exit 1, violated rules named."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO, write_program

from .programs import INSECURE


def test_plan_of_an_insecure_program_exits_1_and_names_the_rules(tmp_path: Path) -> None:
    program = write_program(tmp_path, INSECURE, stack="test")
    result = subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--program", str(program), "--stack", "test", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    plan = json.loads(result.stdout)
    mandatory = {v["policy"] for v in plan["violations"] if v["enforcement"] == "mandatory"}
    assert {"s3-bucket-kms-encryption", "iam-no-wildcard-action", "github-workflow-pinned-actions"} <= mandatory
    # "test" is not a production stack: production-only rules stay quiet.
    assert "edge-waf-block-mode" not in mandatory
    # The deprecated plaintext secret is reported, but its value never appears in the plan.
    assert "fn-123" not in result.stdout
