"""components/shared/pulumi_internals.py against the installed pulumi SDK: each private part it relies on still
exists with the shape it is used with, and its helpers do what the program and the offline evaluator need.

A failure names the SDK symbol that changed; the fix belongs in the adapter, not in its callers.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2

from components.shared import pulumi_internals
from ops.offline import OfflineMocks, evaluate
from tests.support.programs import write_program

UNKNOWN_ON_THE_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # how the engine sends an unknown value


def sdk_symbol(path: str) -> Any:
    """`pulumi.runtime.mocks.MockMonitor.make_urn` -> the object; fails naming the path when any part is gone."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            if not hasattr(found, name):
                pytest.fail(f"{path}: the SDK no longer defines {name}")
            found = getattr(found, name)
        return found
    pytest.fail(f"{path}: the SDK has no such module")


def test_the_installed_sdk_is_one_the_adapter_was_checked_against() -> None:
    installed = importlib.metadata.version("pulumi")
    assert installed in pulumi_internals.CHECKED_AGAINST, (
        f"pulumi {installed} is installed; components/shared/pulumi_internals.py was checked against "
        f"{', '.join(pulumi_internals.CHECKED_AGAINST)}. With the other tests of this file green, add {installed} "
        "to CHECKED_AGAINST and its docstring."
    )


@pytest.mark.parametrize(
    ("symbol", "copy"),
    [
        ("pulumi.runtime.rpc._special_sig_key", pulumi_internals.SECRET_SIG_KEY),
        ("pulumi.runtime.rpc._special_secret_sig", pulumi_internals.SECRET_SIG),
    ],
    ids=["_special_sig_key", "_special_secret_sig"],
)
def test_copied_constants_equal_the_sdks(symbol: str, copy: str) -> None:
    assert sdk_symbol(symbol) == copy, f"{symbol} changed; the copy in pulumi_internals.py is {copy!r}"


@dataclass(frozen=True)
class Used:
    """A callable of the SDK: the arguments the adapter passes by position, then those it passes by name."""

    symbol: str
    positional: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


CALLABLES = [
    Used("pulumi.runtime.settings.get_monitor"),
    Used("pulumi.runtime.settings.get_root_resource"),
    Used("pulumi.runtime.settings.reset_options", keywords=("project", "stack", "preview")),
    Used("pulumi.runtime.config.get_config", positional=("k",)),
    Used("pulumi.runtime.config.get_config_env"),
    Used("pulumi.runtime.rpc.deserialize_properties", positional=("props_struct",), keywords=("keep_unknowns",)),
    Used("pulumi.runtime.rpc.get_resource_module", positional=("pkg", "mod", "version")),
    Used("pulumi.runtime.mocks.set_mocks", positional=("mocks",), keywords=("project", "stack", "preview", "monitor")),
    Used("pulumi.runtime.stack.run_pulumi_func", positional=("func",)),
    Used("pulumi.runtime.sync_await._sync_await", positional=("awaitable",)),
    Used("pulumi.runtime.mocks.MockMonitor", positional=("mocks",)),
    Used("pulumi.runtime.mocks.MockMonitor.make_urn", positional=("self", "parent", "type_", "name")),
    Used("pulumi.runtime.mocks.MockMonitor.RegisterResource", positional=("self", "request")),
]


@pytest.mark.parametrize("used", CALLABLES, ids=lambda used: used.symbol)
def test_sdk_callables_take_the_arguments_the_adapter_passes(used: Used) -> None:
    target = sdk_symbol(used.symbol)
    if not callable(target):
        pytest.fail(f"{used.symbol}: the SDK no longer defines it as a callable")
    parameters = list(inspect.signature(target).parameters)
    assert parameters[: len(used.positional)] == list(used.positional), f"{used.symbol}{inspect.signature(target)}"
    missing = set(used.keywords) - set(parameters)
    assert not missing, f"{used.symbol} lost the parameters {sorted(missing)}"


def test_sdk_state_the_adapter_reads_or_clears_has_its_shape() -> None:
    config = sdk_symbol("pulumi.runtime.config.CONFIG")
    assert isinstance(config, ContextVar), "pulumi.runtime.config.CONFIG is no longer a ContextVar"
    assert isinstance(config.get(), dict), "pulumi.runtime.config.CONFIG no longer holds a dict"
    settings = sdk_symbol("pulumi.runtime.settings.SETTINGS")
    for part in ("rpc_manager", "outputs"):
        assert callable(getattr(getattr(settings, part, None), "clear", None)), (
            f"pulumi.runtime.settings.SETTINGS.{part} has no clear()"
        )
    monitor = pulumi_internals.MockMonitor(OfflineMocks("us-east-1"))
    assert monitor.resources == {}, "pulumi.runtime.mocks.MockMonitor no longer keeps `resources` by URN"
    assert inspect.isclass(sdk_symbol("pulumi.output.Unknown")), "pulumi.output.Unknown is no longer a class"


PROVIDER_RESPONSES = ("Check", "Diff", "Configure", "Create", "Read", "Update", "Invoke")


@pytest.mark.parametrize(
    "symbol",
    [
        "pulumi.runtime.proto.plugin_pb2.PluginInfo",
        "pulumi.runtime.proto.provider_pb2_grpc.ResourceProviderServicer",
        "pulumi.runtime.proto.provider_pb2_grpc.add_ResourceProviderServicer_to_server",
        *(f"pulumi.runtime.proto.provider_pb2.{message}Response" for message in PROVIDER_RESPONSES),
    ],
)
def test_the_provider_protocol_the_engine_tests_stub_serves_is_there(symbol: str) -> None:
    sdk_symbol(symbol)


def test_deserialized_inputs_keep_unknowns_and_secrets_in_their_wire_form() -> None:
    secret = {pulumi_internals.SECRET_SIG_KEY: pulumi_internals.SECRET_SIG, "value": "hidden"}
    properties = struct_pb2.Struct()
    properties.update({"later": UNKNOWN_ON_THE_WIRE, "password": secret, "name": "plain"})
    inputs = pulumi_internals.deserialize_inputs(properties)
    assert isinstance(inputs["later"], pulumi_internals.Unknown)
    assert inputs["password"] == secret
    assert inputs["name"] == "plain"


def test_a_program_sees_the_mocks_its_config_and_its_exports(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        """
        import pulumi
        from components.shared import pulumi_internals

        pulumi.export("mocked", pulumi_internals.running_under_mocks())
        pulumi.export("keys", sorted(pulumi_internals.config_keys()))
        pulumi.export("colour", pulumi_internals.config_value("fixture:colour"))
        """,
        config={"fixture:colour": "blue"},
    )
    evaluation = evaluate(program, "test")
    assert evaluation.outputs == {"mocked": True, "keys": ["fixture:colour"], "colour": "blue"}
    assert not pulumi_internals.running_under_mocks(), "the evaluator resets the runtime when the program ends"


def test_a_second_program_starts_with_nothing_of_the_first(tmp_path: Path) -> None:
    first = write_program(tmp_path / "a", "import pulumi\npulumi.export('first', 1)\n")
    second = write_program(tmp_path / "b", "import pulumi\npulumi.export('second', 2)\n")
    evaluate(first, "test")
    assert evaluate(second, "test").outputs == {"second": 2}


def test_resource_module_finds_what_a_provider_sdk_registered() -> None:
    importlib.import_module("pulumi_aws.s3")
    assert pulumi_internals.resource_module("aws", "s3/bucket") is not None
    assert pulumi_internals.resource_module("aws", "no/such") is None
