"""docs/backups.md states the designs the settings compute, not numbers of its own."""

from __future__ import annotations

import re

import pytest

from tests.support.repository import REPO
from tests.support.settings import stack_settings

ROW = re.compile(r"^\| (?P<stack>staging|production) \| (?P<row>.+) \|$", re.MULTILINE)


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_the_documented_design_is_the_computed_one(stack: str) -> None:
    rows = {m["stack"]: m["row"] for m in ROW.finditer((REPO / "docs" / "backups.md").read_text())}
    design = stack_settings(stack).backup.rpo
    terms = " + ".join(
        str(t)
        for t in (
            design.interval_minutes,
            design.schedule_delay_minutes,
            design.duration_allowance_minutes,
            design.replication_lag_minutes,
        )
    )
    assert rows[stack].split(" | ") == [
        str(design.target_minutes),
        f"{design.designed_rpo_minutes} min",
        design.met_by,
        f"{design.dump_rpo_minutes} = {terms}",
        f"`{design.incremental_cron}`",
    ]
