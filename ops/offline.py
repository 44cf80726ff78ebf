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
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from components.shared.pulumi_internals import (
    SECRET_SIG,
    SECRET_SIG_KEY,
    MockMonitor,
    Unknown,
    deserialize_inputs,
    forget_previous_run,
    reset_options,
    run_program,
    set_mocks,
    stack_exports,
)

from .boundary import InputError
from .stack_files import Project, load_project, stack_config, stack_short_name

ACCOUNT_ID = "123456789012"
REDACTED = "[secret]"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
OWN_PACKAGES = ("ops", "policies")


class ProgramError(InputError):
    """The program or its settings could not be evaluated. `settings` is True for a user's settings mistake."""

    def __init__(self, message: str, *, settings: bool = False) -> None:
        super().__init__(message)
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
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: redact_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_secrets(v) for v in value]
    return value


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for child in value.values():
            yield from _leaves(child)
    elif isinstance(value, list):
        for child in value:
            yield from _leaves(child)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)


def _secret_leaves(value: Any) -> Iterator[str]:
    if is_secret(value):
        yield from _leaves(unwrap_secrets(value.get("value")))
    elif isinstance(value, dict):
        for child in value.values():
            yield from _secret_leaves(child)
    elif isinstance(value, list):
        for child in value:
            yield from _secret_leaves(child)


def secret_strings(evaluation: Evaluation) -> list[str]:
    """Every secret-marked value of the evaluation as text (and as JSON escapes it), longest first, for scrubbing."""
    found: set[str] = set()
    for resource in evaluation.resources:
        found.update(_secret_leaves(resource.inputs))
        found.update(_secret_leaves(resource.outputs))
    for key in evaluation.secret_outputs:
        found.update(_leaves(evaluation.outputs.get(key)))
    found.update(json.dumps(s)[1:-1] for s in list(found))
    return sorted((s for s in found if s), key=len, reverse=True)


# ---------------------------------------------------------------------------------------------------
# Mocks: realistic answers for resources and invokes


def _digest(name: str) -> str:
    """A stable fake id: the same program gives the same plan in every process."""
    return hashlib.sha256(name.encode()).hexdigest()


def _has_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secret(v) for v in value)
    return False


def _secret(value: Any) -> Any:
    return value if is_secret(value) else {SECRET_SIG_KEY: SECRET_SIG, "value": value}


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

    def __init__(self, region: str, account_id: str = ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # pyright: ignore[reportIncompatibleMethodOverride]
        """An invoke's answer; derived from secret arguments, every value of it stays secret."""
        plain = unwrap_secrets(dict(args.args))
        try:
            answer = self._answer(args.token, plain)
        except Exception:  # a malformed argument: a real provider would refuse it; the plan shows the program's use
            answer = {}
        return {k: _secret(v) for k, v in answer.items()} if _has_secret(args.args) else answer

    def _answer(self, token: str, arguments: dict[str, Any]) -> dict[str, Any]:
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/offline",
                "userId": "AIDAOFFLINE",
                "id": self.account_id,
            }
        if token == "aws:index/getRegion:getRegion":
            region = arguments.get("region") or self.region
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
            text = policy_document_json(arguments)
            return {
                "json": text,
                "minifiedJson": json.dumps(json.loads(text), separators=(",", ":")),
                "id": "offline",
            }
        return {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Outputs as a provider would return them. Values derived from a secret input stay secret, and the
        id is then opaque: a secret bucket name must not surface in an ARN or an id."""
        inputs = dict(args.inputs)
        if not args.custom:
            return None, inputs
        try:
            resource_id, outputs = self._derive(args.name, args.typ, unwrap_secrets(inputs))
        except Exception:  # a malformed input: a real provider would refuse it; the plan shows what the program sent
            resource_id, outputs = f"{args.name}-id", {}
        if _has_secret(inputs):
            resource_id = _digest(args.name)[:32]
            outputs = {k: v if k in inputs else _secret(v) for k, v in outputs.items() if k != "id"}
        state = {**outputs, **inputs}
        state.setdefault("id", resource_id)
        return resource_id, state

    def _derive(self, name: str, type_: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:  # noqa: PLR0912 - one branch per resource family
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
            outputs.update(keyId=resource_id, arn=f"arn:aws:kms:{region}:{self.account_id}:key/{resource_id}")
        elif type_ == "aws:kms/alias:Alias":
            outputs.update(arn=f"arn:aws:kms:{region}:{self.account_id}:{inputs.get('name', name)}")
        elif type_.startswith("aws:iam/"):
            kind = type_.rsplit(":", maxsplit=1)[-1]
            if kind == "OpenIdConnectProvider":
                host = str(inputs.get("url", "token.actions.githubusercontent.com")).removeprefix("https://")
                outputs["arn"] = f"arn:aws:iam::{self.account_id}:oidc-provider/{host}"
            else:
                resource_name = inputs.get("name") or name
                resource_id = resource_name
                outputs.update(
                    name=resource_name,
                    arn=f"arn:aws:iam::{self.account_id}:{kind[0].lower() + kind[1:]}/{resource_name}",
                )
        elif type_ == "aws:sns/topic:Topic":
            topic = inputs.get("name") or name
            resource_id = f"arn:aws:sns:{region}:{self.account_id}:{topic}"
            outputs.update(name=topic, arn=resource_id)
        elif type_ == "aws:cloudwatch/logGroup:LogGroup":
            group = inputs.get("name") or name
            outputs.update(name=group, arn=f"arn:aws:logs:{region}:{self.account_id}:log-group:{group}")
        elif type_ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            alarm = inputs.get("name") or name
            outputs.update(arn=f"arn:aws:cloudwatch:{region}:{self.account_id}:alarm:{alarm}")
        elif type_ == "aws:cloudwatch/compositeAlarm:CompositeAlarm":
            alarm = inputs.get("alarmName") or name
            outputs.update(arn=f"arn:aws:cloudwatch:{region}:{self.account_id}:alarm:{alarm}")
        elif type_ == "aws:wafv2/webAcl:WebAcl":
            acl = inputs.get("name") or name
            outputs.update(arn=f"arn:aws:wafv2:{region}:{self.account_id}:regional/webacl/{acl}/{resource_id}")
        elif type_ == "aws:costexplorer/anomalyMonitor:AnomalyMonitor":
            outputs.update(arn=f"arn:aws:ce::{self.account_id}:anomalymonitor/{resource_id}")
        elif type_.startswith("aws:"):
            outputs.setdefault("arn", f"arn:aws:{_service_of(type_)}:{region}:{self.account_id}:{name}")
        elif type_ == "github:index/repositoryFile:RepositoryFile":
            outputs.update(commitSha="0" * 40, sha="1" * 40)
        elif type_.startswith("cloudflare:"):
            resource_id = _digest(name)[:32]
        return str(resource_id), outputs


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
        if request.type == "pulumi:pulumi:Stack":
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


# ---------------------------------------------------------------------------------------------------
# Running a program


@contextmanager
def _program_context(program_dir: Path) -> Iterator[None]:
    """cwd and import path as `pulumi` sets them; modules another program loaded under the same names are evicted."""
    local_names = {p.stem for p in program_dir.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    # The evaluator's own packages stay: evicting them would leave two copies of each class (an `InputError`
    # the error boundary no longer recognises) once a program that has an `ops/` or `policies/` folder ran.
    local_names -= {"__main__", *OWN_PACKAGES}
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


def _read_settings(program_dir: Path, stack: str) -> tuple[Project, str, dict[str, str], list[str]]:
    """The project, the stack's short name (`owner/project/` dropped) and its config; `ProgramError` if refused."""
    try:
        project = load_project(program_dir)
        name = stack_short_name(stack, project.name)
        config, secret_keys = stack_config(project, name)
    except InputError as exc:
        raise ProgramError(exc.message, settings=True) from None
    return project, name, config, secret_keys


def evaluate(program_dir: Path | str, stack: str, secrets: dict[str, str] | None = None) -> Evaluation:
    """Run the program in `program_dir` with the settings of `Pulumi.<stack>.yaml`; raise `ProgramError` if it fails.

    `secrets` (`<key>` or `<namespace>:<key>` -> value) stand for values set with `pulumi config set --secret`:
    the program sees them decrypted and marked secret, in place of the offline placeholders.
    """
    program_dir = Path(program_dir).resolve()
    project, stack, config, secret_keys = _read_settings(program_dir, stack)
    for key, value in (secrets or {}).items():
        full_key = key if ":" in key else f"{project.name}:{key}"
        config[full_key] = value
        if full_key not in secret_keys:
            secret_keys.append(full_key)
    if not project.main.is_file():
        raise ProgramError(f"{program_dir}: no {project.main.name} to run")
    main = project.main
    region = config.get("aws:region", "us-east-1")

    loop = asyncio.new_event_loop()
    # A failing program leaves many futures holding the same exception; it is reported once, as a
    # ProgramError, instead of one "exception was never retrieved" traceback per future.
    loop.set_exception_handler(lambda _loop, _context: None)
    asyncio.set_event_loop(loop)
    mocks = OfflineMocks(region)
    monitor = RecordingMonitor(mocks)
    reset_options(project=project.name, stack=stack, preview=False)
    pulumi.runtime.set_all_config(config, secret_keys)
    set_mocks(mocks, project=project.name, stack=stack, preview=False, monitor=monitor)
    forget_previous_run()

    outputs: dict[str, Any] = {}
    secret_outputs: set[str] = set()

    async def collect_outputs() -> None:
        # One await for every export (not one event-loop pump per export): the program's RPCs finish together.
        exports = {name: pulumi.Output.from_input(value) for name, value in stack_exports().items()}
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
            run_program(program)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise _describe_failure(exc, program_dir) from exc
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        reset_options()

    if monitor.duplicates:
        raise ProgramError(f"Duplicate resource URN '{monitor.duplicates[0]}'; try giving it a unique name")
    return Evaluation(
        project=project.name,
        stack=stack,
        program_dir=program_dir,
        # The SDK registers from a thread pool, so arrival order varies between runs: sorted, a plan diffs cleanly.
        resources=sorted(monitor.recorded, key=lambda r: r.urn),
        outputs=outputs,
        secret_outputs=secret_outputs,
        config=config,
    )
