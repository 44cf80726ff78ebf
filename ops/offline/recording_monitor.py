"""The mock resource monitor of an offline run: it records every registration with its options.

It also behaves as the engine where the SDK's mock does not: URNs are made as the engine makes them, and a second
registration of one URN is caught (the run refuses it when it ends).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime import Mocks

from components.shared.pulumi_internals import MockMonitor, deserialize_inputs

from .records import RecordedResource

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


class RecordingMonitor(MockMonitor):
    """A mock monitor that also records each registration's options (parent, provider, protect, ...)."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.urns: set[str] = set()
        self.duplicates: list[str] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine makes them (`urn.New`): the parent's whole type chain, and none for the root stack.

        The SDK's mock keeps only the parent's last type and prefixes `pulumi:pulumi:Stack$` to top-level resources,
        so its URNs would not match what `pulumi preview` shows (the engine tests compare the two).
        """
        if parent:
            qualified = parent.split("::")[2]
            if qualified != ROOT_STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == ROOT_STACK_TYPE:
            return response
        if response.urn in self.urns:
            # The engine refuses a second registration of one URN; the mock monitor would silently keep the last.
            # Raising here would fail unawaited futures all over the SDK, so the run reports it when it ends.
            self.duplicates.append(response.urn)
            return response
        self.urns.add(response.urn)
        registration = self.resources.get(response.urn)
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                provider=request.provider,
                protect=bool(request.protect) if request.HasField("protect") else False,
                retain_on_delete=bool(request.retainOnDelete) if request.HasField("retainOnDelete") else False,
                depends_on=sorted(request.dependencies),  # a set in the SDK: sorted for a stable plan
                inputs=deserialize_inputs(request.object),
                outputs=dict(registration.state) if registration else {},
                id=(registration.id or "") if registration else "",
            )
        )
        return response
