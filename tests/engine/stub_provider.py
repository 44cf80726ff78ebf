"""A stub provider plugin: the cloud side of the engine tests. It is a test double, not a deployment.

The real Pulumi engine starts it as `pulumi-resource-<name>` (aws, github or cloudflare) and talks the provider
gRPC protocol to it. Its answers come from the offline evaluator's `OfflineMocks`, so the ids, computed outputs and
invoke results the engine sees are the ones `ops plan` shows. Every call is appended to the JSON-lines file named
by `STUB_PROVIDER_LOG` (method, urn, type and preview flag; never a property value, so never a secret).

Run as: `python tests/engine/stub_provider.py NAME [ENGINE_ADDRESS]`; the port goes on the first stdout line.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

import grpc  # noqa: E402 - after the path set-up that lets it import the offline evaluator
from google.protobuf import empty_pb2, json_format, struct_pb2  # noqa: E402
from pulumi.runtime import MockCallArgs, MockResourceArgs  # noqa: E402

from components.shared.pulumi_internals import plugin_pb2, provider_pb2, provider_pb2_grpc  # noqa: E402
from ops.offline import ACCOUNT_ID, OfflineMocks  # noqa: E402

LOG_ENV = "STUB_PROVIDER_LOG"
ACCOUNT_ENV = "STUB_AWS_ACCOUNT_ID"  # the account the stub's credentials belong to (default: the first allowed)
DELAY_ENV = "STUB_PROVIDER_CREATE_DELAY"  # seconds each real Create waits: keeps an update (and its lock) running
_log_lock = threading.Lock()


def plugin_version(name: str) -> str:
    """The version the installed SDK asks the engine for (its pulumi-plugin.json), so the engine accepts the stub."""
    module = {"aws": "pulumi_aws", "github": "pulumi_github", "cloudflare": "pulumi_cloudflare"}[name]
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise SystemExit(f"stub provider: {module} is not installed")
    meta = json.loads((Path(spec.origin).parent / "pulumi-plugin.json").read_text())
    return str(meta["version"])


def _to_dict(message: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _to_struct(value: dict[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(value)
    return result


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _type_of(urn: str) -> str:
    return urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1]


class StubProvider(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self, name: str) -> None:
        self.name = name
        self.version = plugin_version(name)
        self.mocks = OfflineMocks(region="us-east-1")
        self.log_path = os.environ.get(LOG_ENV)

    def _log(self, method: str, urn: str = "", **extra: Any) -> None:
        if not self.log_path:
            return
        entry = {"provider": self.name, "method": method, "urn": urn, "type": _type_of(urn) if urn else "", **extra}
        with _log_lock, open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    # --- plugin and provider configuration ---------------------------------------------------------------------

    def GetPluginInfo(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method names
        return plugin_pb2.PluginInfo(version=self.version)

    def CheckConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("CheckConfig", request.urn)
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("DiffConfig", request.urn)
        changed = _to_dict(request.old_inputs) != _to_dict(request.news)
        kind = provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE
        return provider_pb2.DiffResponse(changes=kind)

    def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802
        settings = {key.removeprefix(f"{self.name}:config:"): value for key, value in request.variables.items()}
        settings.update(_to_dict(request.args))
        self._log("Configure")
        if self.name == "aws":
            allowed = settings.get("allowedAccountIds")
            accounts = json.loads(allowed) if isinstance(allowed, str) else list(allowed or [])
            # The credentials' account: the first allowed one, unless a test hands the stub another account's.
            account = os.environ.get(ACCOUNT_ENV) or (accounts[0] if accounts else ACCOUNT_ID)
            if accounts and account not in accounts:
                # The real provider refuses credentials of any other account before it touches anything.
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"AWS account ID not allowed: {account} (allowed: {', '.join(accounts)})",
                )
            self.mocks = OfflineMocks(region=str(settings.get("region") or "us-east-1"), account_id=account)
        return provider_pb2.ConfigureResponse(
            acceptSecrets=True, supportsPreview=True, acceptResources=True, acceptOutputs=False
        )

    # --- resources ------------------------------------------------------------------------------------------------

    def Check(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("Check", request.urn)
        return provider_pb2.CheckResponse(inputs=request.news)

    def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("Diff", request.urn)
        old, new = _to_dict(request.old_inputs), _to_dict(request.news)
        diffs = sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))
        kind = provider_pb2.DiffResponse.DIFF_SOME if diffs else provider_pb2.DiffResponse.DIFF_NONE
        return provider_pb2.DiffResponse(changes=kind, diffs=diffs)

    def _outputs(self, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        args = MockResourceArgs(_type_of(urn), _name_of(urn), inputs, custom=True)
        resource_id, outputs = self.mocks.new_resource(args)
        return resource_id or f"{_name_of(urn)}-id", outputs

    def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("Create", request.urn, preview=request.preview)
        inputs = _to_dict(request.properties)
        if request.preview:
            return provider_pb2.CreateResponse(id="", properties=request.properties)
        time.sleep(float(os.environ.get(DELAY_ENV) or 0))
        resource_id, outputs = self._outputs(request.urn, inputs)
        return provider_pb2.CreateResponse(id=resource_id, properties=_to_struct(outputs))

    def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("Read", request.urn)
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("Update", request.urn, preview=request.preview)
        if request.preview:
            return provider_pb2.UpdateResponse(properties=request.news)
        _, outputs = self._outputs(request.urn, _to_dict(request.news))
        return provider_pb2.UpdateResponse(properties=_to_struct(outputs))

    def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("Delete", request.urn)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._log("Invoke", token=request.tok)
        answer = self.mocks.call(MockCallArgs(request.tok, _to_dict(request.args), ""))
        response = provider_pb2.InvokeResponse()
        getattr(response, "return").CopyFrom(_to_struct(answer))  # `return` is a Python keyword
        return response

    def Cancel(self, request: Any, context: Any) -> Any:  # noqa: N802
        return empty_pb2.Empty()


def serve(name: str) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(StubProvider(name), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop(0)


if __name__ == "__main__":
    serve(sys.argv[1])
