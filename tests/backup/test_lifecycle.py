"""Lifecycle rules as data: S3's transition constraints and the "only where it pays" rule."""

from __future__ import annotations

import pytest

from components.backup.lifecycle import (
    ABORT_MULTIPART_RULE_ID,
    MIN_BILLABLE_DAYS,
    STANDARD_IA_MIN_DAYS,
    tier_rules,
    transitions_for,
)
from components.settings.backup import RetentionSettings, TransitionSettings

DEFAULT = TransitionSettings()


@pytest.mark.parametrize(
    ("expiration", "expected"),
    [
        (7, []),
        (28, []),
        (59, []),  # 30 days in Standard-IA would leave 29: the 30-day minimum charge eats the saving
        (60, [("STANDARD_IA", 30)]),
        (179, [("STANDARD_IA", 30)]),  # Glacier IR would hold it 89 < 90 days
        (180, [("STANDARD_IA", 30), ("GLACIER_IR", 90)]),
        (365, [("STANDARD_IA", 30), ("GLACIER_IR", 90)]),
    ],
)
def test_transitions_only_where_they_pay(expiration, expected):
    moves = transitions_for(expiration, DEFAULT)
    assert [(m["storage_class"], m["days"]) for m in moves] == expected
    for move in moves:
        assert expiration > move["days"], "S3 requires expiration after every transition"
        if move["storage_class"] == "STANDARD_IA":
            assert move["days"] >= STANDARD_IA_MIN_DAYS
    # Each class keeps the object at least its minimum billable duration.
    stops = [m["days"] for m in moves] + [expiration]
    for move, leave in zip(moves, stops[1:], strict=True):
        assert leave - move["days"] >= MIN_BILLABLE_DAYS[move["storage_class"]]


def test_transitions_can_be_switched_off():
    assert transitions_for(365, TransitionSettings(enabled=False)) == []


def test_glacier_only_when_standard_ia_would_not_pay():
    settings = TransitionSettings(standard_ia_after_days=60, glacier_ir_after_days=90)
    assert [m["storage_class"] for m in transitions_for(180, settings)] == ["STANDARD_IA", "GLACIER_IR"]


def test_tier_rules_cover_every_tier_with_expiry_and_cleanup():
    retention = RetentionSettings(daily_days=7, weekly_days=28, monthly_days=365, noncurrent_days=3)
    *rules, bucket_wide = tier_rules(retention, DEFAULT)
    assert bucket_wide == {
        "id": ABORT_MULTIPART_RULE_ID,
        "status": "Enabled",
        "filter": {},
        "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
    }
    assert [r["filter"] for r in rules] == [{"prefix": p} for p in retention.tiers()]
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["status"] == "Enabled"
        assert rule["expiration"]["days"] == retention.tiers()[rule["filter"]["prefix"]]
        assert rule["noncurrent_version_expiration"] == {"noncurrent_days": 3}
        assert rule["abort_incomplete_multipart_upload"] == {"days_after_initiation": 1}
    *longer, _ = tier_rules(retention, DEFAULT, extra_days=7)
    for short, long in zip(rules, longer, strict=True):
        assert long["expiration"]["days"] == short["expiration"]["days"] + 7
        assert long["noncurrent_version_expiration"]["noncurrent_days"] == 10
