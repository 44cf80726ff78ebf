"""A fake AWS/GitHub/Cloudflare account: the outputs a provider would return and the answers of invokes.

Everything is derived from the inputs (names, region, the fixed account id), so the same program gives the same
plan in every process. The engine tests' stub provider (tests/engine/stub_provider.py) serves the same answers
to the real engine.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from .policy_documents import policy_document_json
from .secrets import contains_secret, mark_secret, unwrap_secrets

ACCOUNT_ID = "123456789012"


def _digest(name: str) -> str:
    """A stable fake id: the same program gives the same plan in every process."""
    return hashlib.sha256(name.encode()).hexdigest()


def _service_of(type_: str) -> str:
    module = type_.split(":")[1].split("/", maxsplit=1)[0]
    return {"cloudwatch": "cloudwatch", "costexplorer": "ce", "sns": "sns", "kms": "kms"}.get(module, module)


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
        return {k: mark_secret(v) for k, v in answer.items()} if contains_secret(args.args) else answer

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
        if contains_secret(inputs):
            resource_id = _digest(args.name)[:32]
            outputs = {k: v if k in inputs else mark_secret(v) for k, v in outputs.items() if k != "id"}
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
