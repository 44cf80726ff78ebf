"""Every rule of the pack, in one list: served by `__main__.py` and run offline by `python -m ops plan`."""

from __future__ import annotations

from pulumi_policy import Policy

from . import cloudwatch, cost, data_safety, edge, github, iam, kms, s3, sns, tags

PACK_NAME = "functions-platform-security"

ALL_POLICIES: list[Policy] = [
    *s3.POLICIES,
    *kms.POLICIES,
    *sns.POLICIES,
    *cloudwatch.POLICIES,
    *cost.POLICIES,
    *iam.POLICIES,
    *edge.POLICIES,
    *github.POLICIES,
    *data_safety.POLICIES,
    *tags.POLICIES,
]
