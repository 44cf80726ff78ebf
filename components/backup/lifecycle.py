"""S3 lifecycle rules of the backup tiers, as plain data (pure, so the S3 constraints are easy to test).

S3 rules this module respects:
- a transition to STANDARD_IA needs `days >= 30`, and expiration must come after every transition;
- a storage class only pays when the object stays there at least its minimum billable duration
  (STANDARD_IA 30 days, GLACIER_IR 90 days); otherwise the early-deletion charge eats the saving.
"""

from __future__ import annotations

from typing import Any

from components.settings.backup import RetentionSettings, TransitionSettings

STANDARD_IA_MIN_DAYS = 30  # S3 refuses STANDARD_IA transitions earlier than this
MIN_BILLABLE_DAYS = {"STANDARD_IA": 30, "GLACIER_IR": 90}
ABORT_MULTIPART_RULE_ID = "abort-incomplete-multipart-uploads"


def tier_rule_id(prefix: str) -> str:
    return f"{prefix.rstrip('/')}-retention"


def transitions_for(expiration_days: int, settings: TransitionSettings) -> list[dict[str, Any]]:
    """The transitions that pay for an object that expires after `expiration_days`."""
    if not settings.enabled:
        return []
    glacier = settings.glacier_ir_after_days
    ia = max(settings.standard_ia_after_days, STANDARD_IA_MIN_DAYS)
    use_glacier = expiration_days >= glacier + MIN_BILLABLE_DAYS["GLACIER_IR"]
    ia_stay = (glacier if use_glacier else expiration_days) - ia
    use_ia = ia_stay >= MIN_BILLABLE_DAYS["STANDARD_IA"]
    transitions: list[dict[str, Any]] = []
    if use_ia:
        transitions.append({"days": ia, "storage_class": "STANDARD_IA"})
    if use_glacier:
        transitions.append({"days": glacier, "storage_class": "GLACIER_IR"})
    return transitions


def tier_rules(
    retention: RetentionSettings, transitions: TransitionSettings, *, extra_days: int = 0
) -> list[dict[str, Any]]:
    """One rule per tier prefix, and one bucket-wide rule that aborts incomplete multipart uploads; `extra_days`
    lengthens every retention (the DR replica keeps longer)."""
    rules: list[dict[str, Any]] = []
    for prefix, days in retention.tiers().items():
        expiration = days + extra_days
        rule: dict[str, Any] = {
            "id": tier_rule_id(prefix),
            "status": "Enabled",
            "filter": {"prefix": prefix},
            "expiration": {"days": expiration},
            "noncurrent_version_expiration": {"noncurrent_days": retention.noncurrent_days + extra_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": retention.abort_multipart_days},
        }
        moves = transitions_for(expiration, transitions)
        if moves:
            rule["transitions"] = moves
        rules.append(rule)
    # An upload outside every tier prefix would otherwise linger (and bill) forever: abort them bucket-wide.
    rules.append(
        {
            "id": ABORT_MULTIPART_RULE_ID,
            "status": "Enabled",
            "filter": {},  # every object: the form the provider documents for a whole-bucket rule
            "abort_incomplete_multipart_upload": {"days_after_initiation": retention.abort_multipart_days},
        }
    )
    return rules


def access_log_rules(days: int, noncurrent_days: int, abort_multipart_days: int) -> list[dict[str, Any]]:
    """Access logs: one rule for the whole bucket. No transitions: log objects are far below the 128 KB
    that S3 moves by default, so a transition would never apply."""
    return [
        {
            "id": "access-log-retention",
            "status": "Enabled",
            "filter": {},  # every object: the form the provider documents for a whole-bucket rule
            "expiration": {"days": days},
            "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": abort_multipart_days},
        }
    ]
