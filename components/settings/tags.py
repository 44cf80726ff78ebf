"""Cost-allocation tags (runbook IF-012: tag resources by function/feature)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from .base import Model

# The tag keys every taggable AWS resource carries; budgets may filter on these only.
COST_TAG_KEYS = ("project", "environment", "component", "owner", "cost-center")
_TAG_VALUE = re.compile(r"^[\w .:/=+\-@]{1,256}$")


class TagSettings(Model):
    """Values of the cost-allocation tags; `environment` and `component` are filled in by the program."""

    project: str = Field(default="functions-platform", description="Value of the `project` tag.")
    owner: str = Field(description="Team that owns the resources (`owner` tag).")
    cost_center: str = Field(description="Finance cost centre (`cost-center` tag).")

    @field_validator("project", "owner", "cost_center")
    @classmethod
    def _valid_tag_value(cls, value: str) -> str:
        if not _TAG_VALUE.match(value):
            raise ValueError("must be 1-256 characters of letters, digits, spaces and _ . : / = + - @")
        return value
