"""Tag rule: every taggable AWS resource carries the cost-allocation tags (runbook IF-012).

Whether a type is taggable is read from the provider SDK (its constructor takes `tags`), because an untagged
resource reaches the engine without a `tags` key at all. The key list duplicates
components/settings/tags.py COST_TAG_KEYS (the pack is self-contained); a test keeps the two equal.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from functools import cache
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .common import as_list, resource_rule, string_list_option, tags_of

COST_TAG_KEYS = ["project", "environment", "component", "owner", "cost-center", "feature"]


@cache
def is_taggable(resource_type: str) -> bool:
    """`aws:<module>/<name>:<Class>` -> whether pulumi_aws's class takes `tags`."""
    try:
        package, module_path, class_name = resource_type.split(":")
        module = module_path.split("/")[0]
        python_module = importlib.import_module("pulumi_aws" if module == "index" else f"pulumi_aws.{module}")
        resource_class = getattr(python_module, class_name)
        return package == "aws" and "tags" in inspect.signature(resource_class._internal_init).parameters
    except (ValueError, ImportError, AttributeError, TypeError):
        return False


def _cost_tags(args: ResourceValidationArgs, config: Mapping[str, Any], report: ReportViolation) -> None:
    if not args.resource_type.startswith("aws:"):
        return
    if "tags" not in set(args.props) and not is_taggable(args.resource_type):
        return
    tags = tags_of(args.props)
    missing = [k for k in as_list(config.get("requiredKeys", COST_TAG_KEYS)) if not tags.get(k)]
    if missing:
        report(f"missing cost-allocation tags: {', '.join(missing)}", None)


COST_TAGS = resource_rule(
    "tags-cost-allocation",
    "Ensure every taggable AWS resource carries the cost-allocation tags. Advisory: missing tags hide cost, "
    "they expose nothing.",
    None,
    _cost_tags,
    severity=Severity.LOW,
    remediation="Create the resource after components.tags.register_cost_tags (the stack transformation adds "
    "the tags) and do not pass tags=None explicitly.",
    level=EnforcementLevel.ADVISORY,
    schema={
        "requiredKeys": string_list_option(
            COST_TAG_KEYS, "Tag keys every taggable AWS resource must carry with a non-empty value."
        )
    },
)

POLICIES = [COST_TAGS]
