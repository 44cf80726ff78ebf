"""RPO by construction: the dump cadence is derived from (or checked against) `backup.rpo_minutes`, and a
design that cannot meet the RPO is refused with the term that is too large named."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.settings.backup import (
    CRON_INTERVALS_MINUTES,
    REPLICATION_LAG_MINUTES,
    BackupSettings,
    incremental_cron,
)
from tests.backup.support import BACKUP
from tests.support.settings import problems_with_area, stack_settings

PITR = {"mechanism": "supabase-pitr", "recovery_point_minutes": 2, "retention_days": 7}


def _settings(**backup: Any) -> BackupSettings:
    return BackupSettings.model_validate({"bucket_prefix": "acme", **backup})


@pytest.mark.parametrize(
    ("rpo", "dumps", "interval", "designed"),
    [
        # Derived: the longest cron-friendly interval within rpo - delay - duration - 15 (replication).
        (120, {}, 60, 120),
        (119, {}, 30, 90),
        (90, {"schedule_delay_minutes": 10, "duration_allowance_minutes": 5}, 60, 90),
        (60, {"schedule_delay_minutes": 10, "duration_allowance_minutes": 10}, 20, 55),
        (40, {"schedule_delay_minutes": 10, "duration_allowance_minutes": 10}, 5, 40),
        (24 * 60 + 60, {}, 1440, 1440 + 60),
        # Explicit and within the RPO.
        (120, {"interval_minutes": 15}, 15, 75),
    ],
)
def test_cadences_that_meet_the_rpo(rpo: int, dumps: dict[str, int], interval: int, designed: int) -> None:
    design = _settings(rpo_minutes=rpo, dumps=dumps).rpo
    assert design.interval_minutes == interval
    assert design.dump_rpo_minutes == design.designed_rpo_minutes == designed <= rpo
    assert design.met_by == "scheduled logical dumps"
    assert design.incremental_cron == incremental_cron(interval)


@pytest.mark.parametrize(
    ("rpo", "dumps", "key", "message"),
    [
        # The runbook's hour with realistic GitHub delays: no interval is left, the delay is the largest term.
        (60, {}, "dumps.schedule_delay_minutes", "leave 0 min for the dump interval"),
        (
            60,
            {"schedule_delay_minutes": 5, "duration_allowance_minutes": 45},
            "dumps.duration_allowance_minutes",
            "(45)",
        ),
        # An explicit interval that is too long is itself the term named.
        (
            120,
            {"interval_minutes": 120},
            "dumps.interval_minutes",
            "= 180 min; the largest term is dumps.interval_minutes (120)",
        ),
        (120, {"interval_minutes": 60, "schedule_delay_minutes": 45}, "dumps.interval_minutes", "= 135 min"),
        (90, {"interval_minutes": 20, "schedule_delay_minutes": 45}, "dumps.schedule_delay_minutes", "= 95 min"),
        # Below the replication lag alone: only a larger RPO (or PITR) helps.
        (
            10,
            {"interval_minutes": 5, "schedule_delay_minutes": 0, "duration_allowance_minutes": 1},
            "rpo_minutes",
            "replication lag 15",
        ),
    ],
)
def test_cadences_that_cannot_meet_the_rpo_name_the_largest_term(
    rpo: int, dumps: dict[str, int], key: str, message: str
) -> None:
    def edit(backup: dict[str, Any]) -> None:
        backup["rpo_minutes"] = rpo
        backup["dumps"] = dumps
        backup.pop("point_in_time_recovery", None)

    problems = problems_with_area("staging", "backup", edit)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{BACKUP}.{key}: scheduled dumps cannot meet rpo_minutes {rpo}"), problems
    assert message in problems[0]
    assert "point_in_time_recovery" in problems[0], "the message says what else would meet the RPO"


def test_pitr_meets_the_rpo_and_the_dumps_report_their_own() -> None:
    design = _settings(point_in_time_recovery=PITR, dumps={"interval_minutes": 60}).rpo
    assert (design.designed_rpo_minutes, design.met_by) == (2, "supabase-pitr")
    assert design.dump_rpo_minutes == 60 + 30 + 15 + REPLICATION_LAG_MINUTES  # reported honestly, not hidden
    assert design.freshness_window_minutes == design.dump_rpo_minutes - 15


def test_pitr_must_itself_meet_the_rpo_and_the_dump_cadence_must_be_stated() -> None:
    def slow_pitr(backup: dict[str, Any]) -> None:
        backup["point_in_time_recovery"]["recovery_point_minutes"] = 61

    assert problems_with_area("production", "backup", slow_pitr) == [
        f"{BACKUP}.point_in_time_recovery.recovery_point_minutes: 61 exceeds rpo_minutes (60): supabase-pitr does not"
        " meet the RPO"
    ]

    def unstated_cadence(backup: dict[str, Any]) -> None:
        del backup["dumps"]["interval_minutes"]

    (problem,) = problems_with_area("production", "backup", unstated_cadence)
    assert problem.startswith(
        f"{BACKUP}.dumps.interval_minutes: must be set: scheduled dumps cannot meet rpo_minutes 60"
    )
    assert "supabase-pitr meets the RPO, so state the dumps' own cadence" in problem


def test_production_meets_the_runbook_hour() -> None:
    settings = stack_settings("production").backup
    assert settings.rpo_minutes == 60  # IF-010
    assert settings.rpo.designed_rpo_minutes <= 60
    assert settings.point_in_time_recovery is not None, "logical dumps alone cannot: the mechanism is named"
    without_pitr = problems_with_area("production", "backup", lambda backup: backup.pop("point_in_time_recovery"))
    assert without_pitr
    assert "scheduled dumps cannot meet rpo_minutes 60" in without_pitr[0]


@given(
    rpo=st.integers(min_value=1, max_value=3000),
    interval=st.one_of(st.none(), st.sampled_from(CRON_INTERVALS_MINUTES)),
    delay=st.integers(min_value=0, max_value=720),
    duration=st.integers(min_value=1, max_value=720),
)
def test_no_accepted_dump_design_misses_its_rpo(rpo: int, interval: int | None, delay: int, duration: int) -> None:
    dumps = {"interval_minutes": interval, "schedule_delay_minutes": delay, "duration_allowance_minutes": duration}
    try:
        design = _settings(rpo_minutes=rpo, dumps=dumps).rpo
    except ValueError as refused:
        assert "cannot meet rpo_minutes" in str(refused)
        fixed = delay + duration + REPLICATION_LAG_MINUTES
        assert (interval or CRON_INTERVALS_MINUTES[0]) + fixed > rpo, "refused a design that fits"
        return
    assert design.dump_rpo_minutes <= rpo
    assert design.interval_minutes in CRON_INTERVALS_MINUTES
    if interval is None:  # derived: the longest interval that fits
        longer = [i for i in CRON_INTERVALS_MINUTES if i > design.interval_minutes]
        assert not longer or longer[0] + design.dump_rpo_minutes - design.interval_minutes > rpo


@pytest.mark.parametrize("interval", CRON_INTERVALS_MINUTES)
def test_every_cadence_is_an_evenly_spaced_cron(interval: int) -> None:
    minute, hour, *rest = incremental_cron(interval).split()
    assert rest == ["*", "*", "*"]
    if interval < 60:
        start, _, step = minute.partition("-59/")
        minutes = list(range(int(start), 60, int(step)))
        gaps = {b - a for a, b in zip(minutes, [*minutes[1:], minutes[0] + 60], strict=True)}
        assert (gaps, hour) == ({interval}, "*")
    else:
        assert minute == "7", "off the top of the hour, GitHub's busiest time"
        hours = {"*": 1, "0": 24}.get(hour) or int(hour.removeprefix("*/"))
        assert hours * 60 == interval
        assert 24 % hours == 0
