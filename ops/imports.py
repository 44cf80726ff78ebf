"""`pulumi import` commands for what a real account may already hold, with the names, types, parents and
providers the offline plan gives, so the first deploy adopts them instead of failing to create them.

Three things commonly exist before the first `pulumi up`:

- a Cloudflare zone entry-point ruleset of a phase (made in the dashboard, or deployed by Cloudflare);
  Cloudflare allows one per phase and zone, so creating ours fails with error 20217;
- the account's GitHub Actions OIDC provider (IAM allows one per URL and account);
- a Cost Explorer anomaly monitor by service (AWS allows one per account).

A resource inside a component must be imported with that component as `--parent` and with the provider the
program gives it as `--provider`, or its URN differs from the program's and the next `up` creates it again.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

from .offline import Evaluation, RecordedResource

RULESET = "cloudflare:index/ruleset:Ruleset"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ANOMALY_MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"


@dataclass(frozen=True)
class ImportCommand:
    """One resource to adopt: how to find its id, and the command that imports it under the program's URN."""

    resource: RecordedResource
    what: str  # plain text for a comment line
    import_id: str  # with `<...>` placeholders for what only the account knows
    lookup: str  # a command that prints the missing part of the id ('' when the id is known)

    def command(self, stack: str) -> str:
        parts = ["pulumi", "import", "--stack", stack, self.resource.type, self.resource.name, self.import_id]
        if self.resource.parent and not self.resource.parent.split("::")[-2].endswith("pulumi:pulumi:Stack"):
            parts += ["--parent", f"parent={self.resource.parent}"]
        if self.resource.provider:
            parts += ["--provider", f"provider={self.resource.provider.rsplit('::', 1)[0]}"]
        # `pulumi import` protects what it imports unless told otherwise; match the program's own option.
        parts += [f"--protect={str(self.resource.protect).lower()}", "--generate-code=false", "--yes"]
        return " ".join(shlex.quote(p) if any(c in p for c in " <>$|") else p for p in parts)


def _config(evaluation: Evaluation, key: str) -> dict[str, object]:
    raw = evaluation.config.get(f"{evaluation.project}:{key}")
    value = json.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {}


def import_commands(evaluation: Evaluation) -> list[ImportCommand]:
    """The adoptable resources of a stack, in plan order."""
    account = str(_config(evaluation, "account").get("aws_account_id") or "<account id>")
    found: list[ImportCommand] = []
    for r in evaluation.resources:
        inputs = r.plain_inputs
        if r.type == RULESET and inputs.get("kind") == "zone":
            zone, phase = inputs.get("zoneId"), inputs.get("phase")
            lookup = (
                'curl -s -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" '
                f'"https://api.cloudflare.com/client/v4/zones/{zone}/rulesets/phases/{phase}/entrypoint" | jq -r .result.id'
            )
            found.append(
                ImportCommand(r, f"the {phase} entry point of zone {zone}", f"zones/{zone}/<ruleset id>", lookup)
            )
        elif r.type == OIDC_PROVIDER:
            url = str(inputs.get("url", "")).removeprefix("https://")
            found.append(
                ImportCommand(
                    r, "the account's GitHub OIDC provider", f"arn:aws:iam::{account}:oidc-provider/{url}", ""
                )
            )
        elif r.type == ANOMALY_MONITOR:
            lookup = (
                "aws ce get-anomaly-monitors --region us-east-1 "
                "--query \"AnomalyMonitors[?MonitorDimension=='SERVICE'].MonitorArn\" --output text"
            )
            found.append(ImportCommand(r, "the account's anomaly monitor by service", "<monitor arn>", lookup))
    return found


def render(evaluation: Evaluation) -> str:
    """The commands of one stack as one shell block: what each adopts, how to find its id, the import."""
    lines = ["```sh"]
    for c in import_commands(evaluation):
        lines.append(f"# {c.what}" + (": print its id, then put it in place of the <...> below" if c.lookup else ""))
        if c.lookup:
            lines.append(c.lookup)
        lines.append(c.command(evaluation.stack))
    lines.append("```")
    return "\n".join(lines)
