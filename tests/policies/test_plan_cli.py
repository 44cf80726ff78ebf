"""`python -m ops plan --program DIR` on an insecure program of another project: exit 1, violated rules named."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.ops_cli import run_ops

PROGRAM = Path(__file__).parent / "programs" / "insecure"


def test_plan_of_an_insecure_program_exits_1_and_names_the_rules() -> None:
    result = run_ops("plan", "--program", str(PROGRAM), "--stack", "test", "--json", timeout=120)
    assert result.returncode == 1, result.stderr
    plan = json.loads(result.stdout)
    mandatory = {v["policy"] for v in plan["violations"] if v["enforcement"] == "mandatory"}
    assert {
        "s3-bucket-kms-encryption",
        "iam-no-admin-equivalent",
        "github-workflow-pinned-actions",
        "github-secret-value-field",
    } <= mandatory
    # "test" is not a production stack and nothing is tagged production: production-only rules stay quiet.
    assert "s3-backup-replication" not in mandatory
    # The deprecated plaintext secret is reported, but its value never appears in the plan.
    assert "fn-123" not in result.stdout
