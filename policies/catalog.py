"""Every rule of the pack, in one list: served by `__main__.py` and run offline by `python -m ops plan`."""

from __future__ import annotations

from pulumi_policy import Policy

ALL_POLICIES: list[Policy] = []
