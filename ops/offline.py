"""Run a Pulumi Python program in-process under Pulumi's mock runtime and record everything it registers.

This is the one harness behind `python -m ops plan` and the test suite. It works for any Pulumi Python
program directory: it reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI would, feeds the
config to the program, answers the provider calls a program makes (caller identity, region, partition,
IAM policy documents) with realistic values, and records each resource with its options.

Secrets: a `secure:` value in the stack file cannot be decrypted without the CLI, and a secret that
`Pulumi.yaml` declares may not be set at all. Both get a visible placeholder and stay marked secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import runpy
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks
from pulumi.runtime.mocks import MockMonitor, set_mocks
from pulumi.runtime.settings import SETTINGS, get_root_resource, reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await  # pyright: ignore[reportPrivateUsage]

ACCOUNT_ID = "123456789012"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
REDACTED = "[secret]"


def secret_placeholder(key: str) -> str:
    return f"[secret placeholder: {key}]"


class ProgramError(Exception):
    """The program or its settings could not be evaluated. `settings` is True for a user's settings mistake."""

    def __init__(self, message: str, *, settings: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.settings = settings


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    protect: bool
    retain_on_delete: bool
    depends_on: list[str]
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    @property
    def plain_inputs(self) -> dict[str, Any]:
        """Inputs as the policy engine hands them to rules: secrets unwrapped."""
        return unwrap_secrets(self.inputs)

    @property
    def plain_outputs(self) -> dict[str, Any]:
        return unwrap_secrets(self.outputs)


@dataclass
class Evaluation:
    project: str
    stack: str
    program_dir: Path
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    config: dict[str, str]

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources are named {name!r}")
        return matches[0]


# ---------------------------------------------------------------------------------------------------
# Secret values on the wire


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def unwrap_secrets(value: Any) -> Any:
    if is_secret(value):
        return unwrap_secrets(value.get("value"))
    if isinstance(value, dict):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


UNKNOWN = "[unknown]"


def redact_secrets(value: Any) -> Any:
    """For anything shown to people or written to files: secret values never appear, unknowns read as such."""
    if is_secret(value):
        return REDACTED
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: redact_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_secrets(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------------
# Project and stack configuration, read as the CLI reads it


def _config_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def load_project(program_dir: Path) -> dict[str, Any]:
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        path = program_dir / name
        if path.is_file():
            project = yaml.safe_load(path.read_text()) or {}
            if not isinstance(project, dict) or not project.get("name"):
                raise ProgramError(f"{path}: not a Pulumi project file (no `name`)")
            return project
    raise ProgramError(f"{program_dir}: no Pulumi.yaml; not a Pulumi program directory")


def _declared_config(name: str, declared: Any) -> tuple[dict[str, str], list[str]]:
    """Defaults and values declared in Pulumi.yaml; declared secrets start as placeholders."""
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    if not isinstance(declared, dict):
        return config, secret_keys
    for key, spec in declared.items():
        full_key = key if ":" in key else f"{name}:{key}"
        if not isinstance(spec, dict):
            config[full_key] = _config_value(spec)
        elif "default" in spec or "value" in spec:
            config[full_key] = _config_value(spec.get("default", spec.get("value")))
        elif spec.get("secret"):
            config[full_key] = secret_placeholder(full_key)
            secret_keys.append(full_key)
    return config, secret_keys


def stack_config(program_dir: Path, project: dict[str, Any], stack: str) -> tuple[dict[str, str], list[str]]:
    """The config map and secret keys the engine would hand the program."""
    name = project["name"]
    config_dir = program_dir / project.get("stackConfigDir", ".")
    stack_path = config_dir / f"Pulumi.{stack}.yaml"
    if not stack_path.is_file():
        raise ProgramError(f"{stack_path.name}: no such stack file in {config_dir}", settings=True)
    try:
        stack_doc = yaml.safe_load(stack_path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ProgramError(f"{stack_path.name}: not valid YAML: {exc}", settings=True) from None
    if not isinstance(stack_doc, dict):
        raise ProgramError(f"{stack_path.name}: expected a mapping with a `config:` key", settings=True)

    config, secret_keys = _declared_config(name, project.get("config"))
    for key, value in (stack_doc.get("config") or {}).items():
        full_key = key if ":" in key else f"{name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full_key] = secret_placeholder(full_key)
            secret_keys.append(full_key)
        else:
            config[full_key] = _config_value(value)
            if full_key in secret_keys:
                secret_keys.remove(full_key)
    return config, secret_keys


# ---------------------------------------------------------------------------------------------------
# Mocks: realistic answers for resources and invokes


def _digest(name: str) -> str:
    """A stable fake id: the same program gives the same plan in every process."""
    return hashlib.sha256(name.encode()).hexdigest()


def _service_of(type_: str) -> str:
    module = type_.split(":")[1].split("/", maxsplit=1)[0]
    return {"cloudwatch": "cloudwatch", "costexplorer": "ce", "sns": "sns", "kms": "kms"}.get(module, module)


def policy_document_json(args: dict[str, Any]) -> str:
    """What `aws.iam.get_policy_document` returns for camelCase invoke arguments."""
    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        out["Effect"] = st.get("effect") or "Allow"
        for key, iam_key in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if st.get(key):
                values = st[key]
                out[iam_key] = values[0] if len(values) == 1 else values
        for key, iam_key in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if st.get(key):
                principals: dict[str, Any] = {}
                for p in st[key]:
                    ids = p["identifiers"]
                    if p["type"] == "*" and ids == ["*"]:
                        principals = "*"  # type: ignore[assignment]
                        break
                    principals[p["type"]] = ids[0] if len(ids) == 1 else ids
                out[iam_key] = principals
        if st.get("conditions"):
            conditions: dict[str, dict[str, Any]] = {}
            for c in st["conditions"]:
                values = c["values"]
                conditions.setdefault(c["test"], {})[c["variable"]] = values[0] if len(values) == 1 else values
            out["Condition"] = conditions
        statements.append(out)
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    return json.dumps(document, indent=2)


class OfflineMocks(Mocks):
    """Answers that look like a real AWS/GitHub/Cloudflare account, derived from the inputs."""

    def __init__(self, region: str) -> None:
        self.region = region

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # pyright: ignore[reportIncompatibleMethodOverride]
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline",
                "userId": "AIDAOFFLINE",
                "id": ACCOUNT_ID,
            }
        if token == "aws:index/getRegion:getRegion":
            region = args.args.get("region") or self.region
            return {
                "region": region,
                "name": region,
                "id": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
            }
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "id": "aws",
                "reverseDnsPrefix": "com.amazonaws",
            }
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            text = policy_document_json(args.args)
            return {
                "json": text,
                "minifiedJson": json.dumps(json.loads(text), separators=(",", ":")),
                "id": "offline",
            }
        return {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:  # noqa: PLR0912 - one branch per resource family
        inputs = dict(args.inputs)
        if not args.custom:
            return None, inputs
        name = args.name
        type_ = args.typ
        region = inputs.get("region") or self.region
        outputs = dict(inputs)
        resource_id = f"{name}-id"
        if type_ == "aws:s3/bucket:Bucket":
            bucket = inputs.get("bucket") or name
            resource_id = bucket
            outputs.update(
                bucket=bucket,
                arn=f"arn:aws:s3:::{bucket}",
                bucketRegion=region,
                bucketDomainName=f"{bucket}.s3.amazonaws.com",
            )
        elif type_ == "aws:kms/key:Key":
            resource_id = f"mrk-{_digest(name)[:32]}"
            outputs.update(keyId=resource_id, arn=f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{resource_id}")
        elif type_ == "aws:kms/alias:Alias":
            outputs.update(arn=f"arn:aws:kms:{region}:{ACCOUNT_ID}:{inputs.get('name', name)}")
        elif type_.startswith("aws:iam/"):
            kind = type_.split(":")[-1]
            if kind == "OpenIdConnectProvider":
                host = str(inputs.get("url", "token.actions.githubusercontent.com")).removeprefix("https://")
                outputs["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{host}"
            else:
                resource_name = inputs.get("name") or name
                resource_id = resource_name
                outputs.update(
                    name=resource_name, arn=f"arn:aws:iam::{ACCOUNT_ID}:{kind[0].lower() + kind[1:]}/{resource_name}"
                )
        elif type_ == "aws:sns/topic:Topic":
            topic = inputs.get("name") or name
            resource_id = f"arn:aws:sns:{region}:{ACCOUNT_ID}:{topic}"
            outputs.update(name=topic, arn=resource_id)
        elif type_ == "aws:cloudwatch/logGroup:LogGroup":
            group = inputs.get("name") or name
            outputs.update(name=group, arn=f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{group}")
        elif type_ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            alarm = inputs.get("name") or name
            outputs.update(arn=f"arn:aws:cloudwatch:{region}:{ACCOUNT_ID}:alarm:{alarm}")
        elif type_ == "aws:cloudwatch/compositeAlarm:CompositeAlarm":
            alarm = inputs.get("alarmName") or name
            outputs.update(arn=f"arn:aws:cloudwatch:{region}:{ACCOUNT_ID}:alarm:{alarm}")
        elif type_ == "aws:wafv2/webAcl:WebAcl":
            acl = inputs.get("name") or name
            outputs.update(arn=f"arn:aws:wafv2:{region}:{ACCOUNT_ID}:regional/webacl/{acl}/{resource_id}")
        elif type_ == "aws:costexplorer/anomalyMonitor:AnomalyMonitor":
            outputs.update(arn=f"arn:aws:ce::{ACCOUNT_ID}:anomalymonitor/{resource_id}")
        elif type_.startswith("aws:"):
            outputs.setdefault("arn", f"arn:aws:{_service_of(type_)}:{region}:{ACCOUNT_ID}:{name}")
        elif type_ == "github:index/repositoryFile:RepositoryFile":
            outputs.update(commitSha="0" * 40, sha="1" * 40)
        elif type_.startswith("cloudflare:"):
            resource_id = _digest(name)[:32]
        outputs.setdefault("id", resource_id)
        return resource_id, outputs


class RecordingMonitor(MockMonitor):
    """A mock monitor that also records each registration's options (parent, provider, protect, ...)."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
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
                inputs=pulumi.runtime.rpc.deserialize_properties(request.object, keep_unknowns=True),
                outputs=dict(registration.state) if registration else {},
                id=(registration.id or "") if registration else "",
            )
        )
        return response


# ---------------------------------------------------------------------------------------------------
# Running a program


@contextmanager
def _program_context(program_dir: Path) -> Iterator[None]:
    """cwd and import path as `pulumi` sets them; modules another program loaded under the same names are evicted."""
    local_names = {p.stem for p in program_dir.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    local_names.discard("__main__")
    for module_name, module in list(sys.modules.items()):
        top = module_name.split(".")[0]
        module_file = getattr(module, "__file__", None) or ""
        if top in local_names and module_file and not Path(module_file).resolve().is_relative_to(program_dir):
            del sys.modules[module_name]
    previous_cwd = Path.cwd()
    sys.path.insert(0, str(program_dir))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        if sys.path and sys.path[0] == str(program_dir):
            sys.path.pop(0)


def _main_path(program_dir: Path, project: dict[str, Any]) -> Path:
    main = program_dir / str(project.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise ProgramError(f"{program_dir}: no __main__.py to run")
    return main


def _describe_failure(exc: BaseException, program_dir: Path) -> ProgramError:
    if isinstance(exc, ProgramError):
        return exc
    if isinstance(exc, pulumi.RunError):
        # Raised deliberately by a program for a user's mistake (our SettingsError is one).
        return ProgramError(str(exc), settings=True)
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve().is_relative_to(program_dir)
    ]
    where = f" (at {Path(frames[-1].filename).relative_to(program_dir)}:{frames[-1].lineno})" if frames else ""
    return ProgramError(f"the program failed: {type(exc).__name__}: {exc}{where}")


def evaluate(program_dir: Path | str, stack: str) -> Evaluation:
    """Run the program in `program_dir` with the settings of `Pulumi.<stack>.yaml`; raise `ProgramError` if it fails."""
    program_dir = Path(program_dir).resolve()
    project = load_project(program_dir)
    config, secret_keys = stack_config(program_dir, project, stack)
    main = _main_path(program_dir, project)
    region = config.get("aws:region", "us-east-1")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = OfflineMocks(region)
    monitor = RecordingMonitor(mocks)
    reset_options(project=project["name"], stack=stack, preview=False)
    pulumi.runtime.set_all_config(config, secret_keys)
    set_mocks(mocks, project=project["name"], stack=stack, preview=False, monitor=monitor)
    SETTINGS.rpc_manager.clear()  # pyright: ignore[reportAttributeAccessIssue]
    SETTINGS.outputs.clear()  # pyright: ignore[reportAttributeAccessIssue]

    outputs: dict[str, Any] = {}
    secret_outputs: set[str] = set()

    async def collect_outputs() -> None:
        # One await for every export (not one event-loop pump per export): the program's RPCs finish together.
        root = get_root_resource()
        exports = {
            name: pulumi.Output.from_input(value) for name, value in (getattr(root, "outputs", {}) or {}).items()
        }
        values = await asyncio.gather(*(o.future() for o in exports.values()))
        secrets = await asyncio.gather(*(o.is_secret() for o in exports.values()))
        for (name, value), secret in zip(zip(exports, values, strict=True), secrets, strict=True):
            outputs[name] = value
            if secret:
                secret_outputs.add(name)

    def program() -> Any:
        runpy.run_path(str(main), run_name="__main__")
        return collect_outputs()

    try:
        with _program_context(program_dir):
            _sync_await(run_pulumi_func(program))
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise _describe_failure(exc, program_dir) from exc
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        reset_options()

    return Evaluation(
        project=project["name"],
        stack=stack,
        program_dir=program_dir,
        # The SDK registers from a thread pool, so arrival order varies between runs: sorted, a plan diffs cleanly.
        resources=sorted(monitor.recorded, key=lambda r: r.urn),
        outputs=outputs,
        secret_outputs=secret_outputs,
        config=config,
    )
