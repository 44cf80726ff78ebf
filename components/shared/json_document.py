"""A JSON document input (IAM, bucket or key policy) from a pure builder, serialised the one way the program
serialises documents: `pulumi.Output.json_dumps`.

Builders such as `components.backup.documents` work on plain strings (f-strings, comparisons), so their
inputs are resolved first; builders that embed Outputs as they are hand their dict to `json_dumps` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi


def json_document(build: Callable[..., Mapping[str, Any]], **inputs: pulumi.Input[Any]) -> pulumi.Output[str]:
    """`build(**inputs)` with every input resolved, as JSON (secret and unknown when any input is)."""
    return pulumi.Output.json_dumps(pulumi.Output.all(**inputs).apply(lambda values: build(**values)))
