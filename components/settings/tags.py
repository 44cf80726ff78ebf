"""Cost-allocation tags (runbook IF-012: tag resources by function/feature)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from .base import StrictSettings, must_match

# The tag keys every taggable AWS resource carries; budgets may filter on these only.
# `component` is the platform area that created a resource (filled in by the program); `feature` is the
# product feature it serves (IF-012 "function-level cost attribution"), so one feature can be budgeted
# across areas and across the app's own resources that carry the same tag.
COST_TAG_KEYS = ("project", "environment", "component", "owner", "cost-center", "feature")
TAG_VALUE = re.compile(r"^[\w .:/=+\-@]{1,256}$")
TAG_VALUE_RULE = "must be 1-256 characters of letters, digits, spaces and _ . : / = + - @"


class TagSettings(StrictSettings):
    """Values of the cost-allocation tags; `environment` and `component` are filled in by the program."""

    project: str = Field(default="functions-platform", description="Value of the `project` tag.")
    owner: str = Field(description="Team that owns the resources (`owner` tag).")
    cost_center: str = Field(description="Finance cost centre (`cost-center` tag).")
    feature: str = Field(
        default="functions",
        description="Product feature the stack's resources serve (`feature` tag); a resource may set its own.",
    )

    _valid_tag_value = field_validator("project", "owner", "cost_center", "feature")(
        must_match(TAG_VALUE, TAG_VALUE_RULE)
    )
