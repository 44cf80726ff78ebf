"""A component's outputs, declared once: a frozen dataclass record (a subclass of `OutputRecord`).

`register` hands the record's fields to `register_outputs`; `stack_exports` names the stack outputs after the
same fields (`<export_prefix>_<field>`). A field added to a record is therefore registered and exported with
no second list to keep in step. A field declared with `field(metadata=WHEN_PRESENT)` is an output only when
it holds something (not None, not empty): the stack does not export an empty `backup_writer_role_arns`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

import pulumi

WHEN_PRESENT = {"when_present": True}


@dataclass(frozen=True)
class OutputRecord:
    """Base of the records. `export_prefix`: what the stack's output names start with ("" for none); None for
    a component nested in another, whose outputs reach the stack through its parent's record."""

    export_prefix: ClassVar[str | None] = None


Record = TypeVar("Record", bound=OutputRecord)


def output_values(record: OutputRecord) -> dict[str, Any]:
    """The record's outputs by field name, in declaration order."""
    values: dict[str, Any] = {}
    for item in fields(record):
        value = getattr(record, item.name)
        if item.metadata.get("when_present") and _is_empty(value):
            continue
        values[item.name] = value
    return values


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (dict, list, tuple)) and not value)


def register(component: pulumi.ComponentResource, record: Record) -> Record:
    """Register the record as the component's outputs; returns it, for the component to keep as `outputs`."""
    component.register_outputs(output_values(record))
    return record


def stack_exports(*records: OutputRecord) -> dict[str, Any]:
    """The stack outputs of these records, in the order given: `<export_prefix>_<field>` -> value."""
    exports: dict[str, Any] = {}
    for record in records:
        prefix = record.export_prefix
        if prefix is None:
            raise ValueError(f"{type(record).__name__} is not exported by the stack (no export_prefix)")
        for name, value in output_values(record).items():
            key = f"{prefix}_{name}" if prefix else name
            if key in exports:
                raise ValueError(f"two records export {key!r}")
            exports[key] = value
    return exports
