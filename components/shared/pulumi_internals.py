"""The pulumi SDK's private and undocumented parts this repository relies on, in one place.

Checked against pulumi 3.272.0, the version requirements.txt locks (`python -m ops versions` prints it). The
program (settings loader), the offline evaluator (`ops/offline/`) and the tests reach these parts only through
this module. When an SDK upgrade removes or changes one of them, tests/foundation/test_pulumi_internals.py fails
naming it: fix this module (and add the new version to `CHECKED_AGAINST`), not its callers.

The SDK's public API (`pulumi.runtime.set_all_config`, `Mocks`, `MockResourceArgs`, `register_stack_transformation`,
`pulumi.get_stack()`, ...) is used directly where it is needed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from google.protobuf import struct_pb2
from pulumi.output import Unknown  # an unknown value (preview, mocks); `pulumi` does not export it
from pulumi.runtime import config as _config
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _settings
from pulumi.runtime.mocks import MockMonitor, set_mocks
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc
from pulumi.runtime.settings import reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await  # pyright: ignore[reportPrivateUsage]

CHECKED_AGAINST = ("3.272.0",)

# Copies of the markers of a secret in serialized properties, `{SECRET_SIG_KEY: SECRET_SIG, "value": ...}`
# (pulumi.runtime.rpc._special_sig_key and _special_secret_sig): they are the engine's wire format, so a plan
# or a state file can be read without importing private names.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

__all__ = [
    "CHECKED_AGAINST",
    "SECRET_SIG",
    "SECRET_SIG_KEY",
    "MockMonitor",
    "Unknown",
    "config_keys",
    "config_value",
    "deserialize_inputs",
    "forget_previous_run",
    "plugin_pb2",
    "provider_pb2",
    "provider_pb2_grpc",
    "reset_options",
    "resource_module",
    "run_program",
    "running_under_mocks",
    "set_mocks",
    "stack_exports",
]


def running_under_mocks() -> bool:
    """True while `set_mocks` is in force (an offline plan, a unit test); False in a real deployment."""
    return isinstance(_settings.get_monitor(), MockMonitor)


def config_keys() -> set[str]:
    """Every `<namespace>:<key>` set for this run: by `set_all_config` (offline) or by the CLI (`PULUMI_CONFIG`)."""
    return set(_config.CONFIG.get()) | set(_config.get_config_env())


def config_value(full_key: str) -> Any:
    """The raw value of `<namespace>:<key>` (decrypted if secret), or None when unset."""
    return _config.get_config(full_key)


def deserialize_inputs(properties: struct_pb2.Struct) -> Any:
    """A registration's properties as Python values: unknowns kept as `Unknown`, secrets in their wire form."""
    return _rpc.deserialize_properties(properties, keep_unknowns=True)


def forget_previous_run() -> None:
    """Drop the RPCs and outputs an earlier program left in this process: `SETTINGS` outlives `reset_options`."""
    _settings.SETTINGS.rpc_manager.clear()  # pyright: ignore[reportAttributeAccessIssue]
    _settings.SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]


def run_program(program: Callable[[], Awaitable[None] | None]) -> None:
    """Run `program` the way the SDK runs `__main__.py`, and block until every RPC it started has finished."""
    _sync_await(run_pulumi_func(program))


def stack_exports() -> dict[str, Any]:
    """What the program passed to `pulumi.export`: the outputs of the root stack resource."""
    return getattr(_settings.get_root_resource(), "outputs", {}) or {}


def resource_module(package: str, module: str) -> Any:
    """The module a provider SDK registered for `<package>:<module>` type tokens, or None."""
    return _rpc.get_resource_module(package, module, "")
