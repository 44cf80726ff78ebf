"""`python -m ops diagram`: the architecture picture of a stack, drawn from its offline plan as Mermaid.

One box per component (`platform:<area>:<Name>`), the resources that matter inside it, and the links between
areas that the plan itself records: alarms, budgets and anomaly alerts to the topic they notify, topics to their
subscribers, backups to the DR replica, roles to the buckets their policy names, GitHub environments to the OIDC
role whose trust names their subject, workflow files to the environments their jobs run in, and edge rulesets to
their zone. Nothing is drawn from names or conventions alone, so a change to the program changes the picture.
Secret values never appear: a subscription with a secret endpoint shows only its protocol and name.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .offline import Evaluation, RecordedResource, is_secret

COMPONENT_PREFIX = "platform:"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
BUDGET = "aws:budgets/budget:Budget"
ANOMALY_MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
ANOMALY_SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"
KMS_KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
BUCKET_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
ENV_SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection"
REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile"
RULESET = "cloudflare:index/ruleset:Ruleset"
ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting"
WAF_ACL = "aws:wafv2/webAcl:WebAcl"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
CHATBOT_PREFIX = "aws:chatbot/"
SUB_CLAIM = "token.actions.githubusercontent.com:sub"
KEPT_LINKS = ("replication", "chat")  # links whose target the overview keeps as a node of its own


def _label(text: str) -> str:
    """Mermaid label text: quotes and markup characters as entities, so no value can break the diagram."""
    return (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\n", " ")
        .replace("#lt;br/#gt;", "<br/>")
    )


@dataclass
class Graph:
    """Nodes grouped by the component box they sit in, and labelled edges between node keys."""

    nodes: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> (id, label, box)
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (from, to, label, dotted)
    boxes: dict[str, str] = field(default_factory=dict)  # box key -> title

    def node(self, key: str, label: str, box: str = "") -> str:
        if key not in self.nodes:
            self.nodes[key] = (f"n{len(self.nodes) + 1}", label, box)
        return key

    def edge(self, source: str, target: str, label: str = "", *, dotted: bool = False) -> None:
        if source in self.nodes and target in self.nodes and (source, target, label, dotted) not in self.edges:
            self.edges.append((source, target, label, dotted))

    def mermaid(self) -> str:
        lines = ["flowchart LR"]
        by_box: dict[str, list[str]] = defaultdict(list)
        for key, (_, _, box) in self.nodes.items():
            by_box[box].append(key)
        for key in by_box.get("", []):
            node_id, label, _ = self.nodes[key]
            lines.append(f'  {node_id}(["{_label(label)}"])')
        for index, (box, title) in enumerate(self.boxes.items(), start=1):
            if not by_box.get(box):
                continue
            lines.append(f'  subgraph c{index}["{_label(title)}"]')
            for key in by_box[box]:
                node_id, label, _ = self.nodes[key]
                lines.append(f'    {node_id}["{_label(label)}"]')
            lines.append("  end")
        for source, target, label, dotted in self.edges:
            arrow = "-.->" if dotted else "-->"
            text = f'|"{_label(label)}"|' if label else ""
            lines.append(f"  {self.nodes[source][0]} {arrow}{text} {self.nodes[target][0]}")
        return "\n".join(lines)


def _component_of(resource: RecordedResource, by_urn: dict[str, RecordedResource]) -> str:
    """The URN of the nearest component above a resource ('' for none)."""
    parent = by_urn.get(resource.parent)
    while parent is not None and not parent.type.startswith(COMPONENT_PREFIX):
        parent = by_urn.get(parent.parent)
    return parent.urn if parent is not None else ""


def _short(name: str, stack: str, component: RecordedResource | None = None) -> str:
    """A name without its component's name or the stack's `<env>-` prefix, for labels."""
    if component is not None and name.startswith(f"{component.name}-"):
        return name.removeprefix(f"{component.name}-")
    return name.removeprefix(f"{stack}-")


def _policy(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement") or []
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _verb(action: str) -> str:
    """`read` or `write` for an S3 action, as the diagram labels a role's reach."""
    name = action.removeprefix("s3:")
    return "write" if name.startswith(("Put", "Replicate", "Delete", "Abort", "Restore")) else "read"


def _job_environments(content: str) -> set[str]:
    """Environment names the jobs of a workflow file run in (literal names and `${{ matrix.X }}` values)."""
    try:
        document = yaml.safe_load(content)
    except yaml.YAMLError:
        return set()
    names: set[str] = set()
    jobs = document.get("jobs") if isinstance(document, dict) else None
    for job in (jobs or {}).values():
        if not isinstance(job, dict):
            continue
        environment = job.get("environment")
        if isinstance(environment, dict):
            environment = environment.get("name")
        if not isinstance(environment, str):
            continue
        match = re.fullmatch(r"\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}", environment)
        if match is None:
            names.add(environment)
            continue
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        values = _as_list(matrix.get(match.group(1)) or [])
        values += [i.get(match.group(1)) for i in _as_list(matrix.get("include") or []) if isinstance(i, dict)]
        names.update(v for v in values if isinstance(v, str))
    return names


def build(evaluation: Evaluation) -> Graph:  # noqa: PLR0912, PLR0915 - one block per area, in reading order
    """The graph of a stack's plan."""
    stack = evaluation.stack
    resources = evaluation.resources
    by_urn = {r.urn: r for r in resources}
    graph = Graph()
    for r in resources:
        if r.type.startswith(COMPONENT_PREFIX):
            graph.boxes[r.urn] = f"{r.type.split(':')[-1]} ({r.name})"

    def of(type_: str) -> list[RecordedResource]:
        return [r for r in resources if r.type == type_]

    def arn_of(r: RecordedResource) -> str:
        return str(r.outputs.get("arn") or "")

    # Alerting: topics, their subscribers, and everything that notifies a topic.
    topic_by_arn: dict[str, str] = {}
    for topic in of(TOPIC):
        name = str(topic.plain_inputs.get("name") or topic.name)
        key = graph.node(topic.urn, f"SNS topic {name}", _component_of(topic, by_urn))
        topic_by_arn[arn_of(topic)] = key
        topic_by_arn[name] = key
    for sub in of(SUBSCRIPTION):
        inputs = sub.inputs
        topic_key = topic_by_arn.get(str(sub.plain_inputs.get("topic")), "")
        protocol = str(inputs.get("protocol"))
        topic_res = by_urn.get(topic_key)
        suffix = sub.name.removeprefix(f"{topic_res.name}-") if topic_res else sub.name
        if is_secret(inputs.get("endpoint")):
            label = f"{protocol}: {suffix.split('-')[0]} (secret endpoint)"
        else:
            label = f"{protocol}: {inputs.get('endpoint')}"
        graph.node(f"subscriber:{label}", label)
        graph.edge(topic_key, f"subscriber:{label}")

    notifiers: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (box, kind, topic key) -> names

    def notifies(r: RecordedResource, kind: str, name: str, targets: list[Any]) -> None:
        name = _short(name, stack, by_urn.get(_component_of(r, by_urn)))
        for target in targets:
            topic_key = topic_by_arn.get(str(target))
            if topic_key:
                notifiers[(_component_of(r, by_urn), kind, topic_key)].append(name)

    for alarm in of(METRIC_ALARM):
        inputs = alarm.plain_inputs
        notifies(alarm, "metric alarms", _short(str(inputs.get("name")), stack), inputs.get("alarmActions") or [])
    for alarm in of(COMPOSITE_ALARM):
        inputs = alarm.plain_inputs
        notifies(
            alarm, "composite alarm", _short(str(inputs.get("alarmName")), stack), inputs.get("alarmActions") or []
        )
    for budget in of(BUDGET):
        inputs = budget.plain_inputs
        arns = [a for n in inputs.get("notifications") or [] for a in n.get("subscriberSnsTopicArns") or []]
        notifies(budget, "budgets", str(inputs.get("name")), sorted(set(arns)))
    for sub in of(ANOMALY_SUBSCRIPTION):
        inputs = sub.plain_inputs
        arns = [s.get("address") for s in inputs.get("subscribers") or [] if s.get("type") == "SNS"]
        notifies(sub, f"cost anomaly alerts ({inputs.get('frequency')})", str(inputs.get("name")), arns)
    for (box, kind, topic_key), names in notifiers.items():
        key = f"notifier:{box}:{kind}:{topic_key}"
        graph.node(key, f"{kind}:<br/>" + "<br/>".join(sorted(names)), box)
        graph.edge(key, topic_key, "ALARM and OK" if "alarm" in kind else "notifies")
    for monitor in of(ANOMALY_MONITOR):
        graph.node(
            monitor.urn,
            f"anomaly monitor by {monitor.plain_inputs.get('monitorDimension')}",
            _component_of(monitor, by_urn),
        )
    for dashboard in of(DASHBOARD):
        graph.node(
            dashboard.urn, f"dashboard {dashboard.plain_inputs.get('dashboardName')}", _component_of(dashboard, by_urn)
        )
    for r in resources:
        if r.type.startswith(CHATBOT_PREFIX):
            inputs = r.plain_inputs
            name = inputs.get("configurationName") or r.name
            chat = "Slack" if "slack" in r.type.lower() else r.type.split(":")[-1]
            graph.node(r.urn, f"{chat} through AWS Chatbot: {name}", _component_of(r, by_urn))
            for arn in inputs.get("snsTopicArns") or []:
                graph.edge(topic_by_arn.get(str(arn), ""), r.urn, "chat")
    for check in of(HEALTH_CHECK):
        inputs = check.plain_inputs
        graph.node(
            check.urn,
            f"health check {inputs.get('fqdn')}{inputs.get('resourcePath') or ''}",
            _component_of(check, by_urn),
        )

    # Keys, buckets, replication and access logs.
    key_by_arn: dict[str, str] = {}
    for key in of(KMS_KEY):
        rotation = "rotating" if key.plain_inputs.get("enableKeyRotation") else "no rotation"
        node = graph.node(key.urn, f"KMS key {key.name} ({rotation})", _component_of(key, by_urn))
        key_by_arn[arn_of(key)] = node
    for topic in of(TOPIC):
        graph.edge(
            topic.urn, key_by_arn.get(str(topic.plain_inputs.get("kmsMasterKeyId")), ""), "encrypted by", dotted=True
        )
    bucket_by_name: dict[str, str] = {}
    logged_targets = {str(lg.plain_inputs.get("targetBucket")) for lg in of(BUCKET_LOGGING)}
    for bucket in of(BUCKET):
        inputs = bucket.plain_inputs
        name = str(inputs.get("bucket"))
        if name in logged_targets:
            continue  # access-log buckets are drawn once per region below
        lock = ", Object Lock" if inputs.get("objectLockEnabled") else ""
        bucket_by_name[name] = graph.node(
            bucket.urn, f"S3 {name}<br/>{inputs.get('region')}{lock}", _component_of(bucket, by_urn)
        )
    for logging in of(BUCKET_LOGGING):
        inputs = logging.plain_inputs
        target = str(inputs.get("targetBucket"))
        log_key = graph.node(f"logs:{target}", f"S3 access logs {target}", _component_of(logging, by_urn))
        graph.edge(bucket_by_name.get(str(inputs.get("bucket")), ""), log_key, "access logs")
    for sse in of(BUCKET_SSE):
        inputs = sse.plain_inputs
        for rule in inputs.get("rules") or []:
            kms = (rule.get("applyServerSideEncryptionByDefault") or {}).get("kmsMasterKeyId")
            graph.edge(
                bucket_by_name.get(str(inputs.get("bucket")), ""), key_by_arn.get(str(kms), ""), "SSE-KMS", dotted=True
            )
    for replication in of(REPLICATION):
        inputs = replication.plain_inputs
        for rule in inputs.get("rules") or []:
            destination = rule.get("destination") or {}
            target = str(destination.get("bucket", "")).removeprefix("arn:aws:s3:::")
            minutes = ((destination.get("replicationTime") or {}).get("time") or {}).get("minutes")
            rtc = f", RTC {minutes:g} min" if minutes else ""
            graph.edge(
                bucket_by_name.get(str(inputs.get("bucket")), ""),
                bucket_by_name.get(target, ""),
                f"replication {rule.get('id')}{rtc}",
            )

    # Roles: what their policies reach, and who may assume them.
    role_by_name: dict[str, str] = {}
    for role in of(ROLE):
        inputs = role.plain_inputs
        name = str(inputs.get("name") or role.name)
        role_by_name[name] = graph.node(role.urn, f"IAM role {name}", _component_of(role, by_urn))
    for policy in of(ROLE_POLICY):
        inputs = policy.plain_inputs
        role_key = role_by_name.get(str(inputs.get("role")), "")
        for bucket, bucket_key in bucket_by_name.items():
            actions: set[str] = set()
            for statement in _statements(_policy(inputs.get("policy"))):
                targets = " ".join(str(x) for x in _as_list(statement.get("Resource") or []))
                if statement.get("Effect") == "Allow" and f"arn:aws:s3:::{bucket}" in targets:
                    actions.update(str(a) for a in _as_list(statement.get("Action") or []))
            if actions:
                verbs = sorted({_verb(a) for a in actions if a.startswith("s3:")})
                graph.edge(role_key, bucket_key, " and ".join(verbs))
    for provider in of(OIDC_PROVIDER):
        graph.node(provider.urn, f"OIDC provider {provider.plain_inputs.get('url')}", _component_of(provider, by_urn))

    environments: dict[str, str] = {}
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in of(ENV_SECRET) + of(ENV_VARIABLE):
        inputs = r.plain_inputs
        counts[(str(inputs.get("repository")), str(inputs.get("environment")))][r.type == ENV_VARIABLE] += 1
    for env in of(ENVIRONMENT):
        inputs = env.plain_inputs
        repo, name = str(inputs.get("repository")), str(inputs.get("environment"))
        secrets, variables = counts[(repo, name)]
        environments[name] = graph.node(
            env.urn,
            f"environment {name}<br/>{_count(secrets, 'secret')}, {_count(variables, 'variable')}",
            _component_of(env, by_urn),
        )
    for role in of(ROLE):
        for statement in _statements(_policy(role.plain_inputs.get("assumeRolePolicy"))):
            subjects = _as_list(((statement.get("Condition") or {}).get("StringEquals") or {}).get(SUB_CLAIM) or [])
            for subject in subjects:
                environment = str(subject).rpartition(":environment:")[2]
                graph.edge(environments.get(environment, ""), role.urn, "OIDC: assumes")
            federated = str((statement.get("Principal") or {}).get("Federated") or "")
            if federated.endswith("token.actions.githubusercontent.com"):
                for provider in of(OIDC_PROVIDER):
                    graph.edge(role.urn, provider.urn, "trusts", dotted=True)
    protections: dict[tuple[str, str], list[str]] = defaultdict(list)
    for protection in of(BRANCH_PROTECTION):
        inputs = protection.plain_inputs
        protections[(_component_of(protection, by_urn), str(inputs.get("repositoryId")))].append(
            str(inputs.get("pattern"))
        )
    for (box, repo), branches in protections.items():
        graph.node(f"protection:{repo}", f"branch protection {repo}: " + ", ".join(sorted(branches)), box)
    for file in of(REPOSITORY_FILE):
        inputs = file.plain_inputs
        path = str(inputs.get("file"))
        key = graph.node(file.urn, f"file {path}", _component_of(file, by_urn))
        if path.startswith(".github/workflows/"):
            for environment in sorted(_job_environments(str(inputs.get("content") or ""))):
                graph.edge(key, environments.get(environment, ""), "job runs in")

    # Edge: rulesets and zone settings per zone.
    zone_names = _zone_names(evaluation)
    per_zone: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in of(RULESET) + of(ZONE_SETTING):
        inputs = r.plain_inputs
        zone_id = str(inputs.get("zoneId"))
        zone_key = graph.node(f"zone:{zone_id}", f"Cloudflare zone {zone_names.get(zone_id, zone_id)}")
        kind = "rulesets" if r.type == RULESET else "zone settings"
        item = str(inputs.get("phase") if r.type == RULESET else inputs.get("settingId"))
        per_zone[(zone_key, f"{_component_of(r, by_urn)}|{kind}")].append(item)
    for (zone_key, box_kind), items in per_zone.items():
        box, kind = box_kind.split("|")
        key = graph.node(f"{kind}:{zone_key}", f"{kind}:<br/>" + "<br/>".join(sorted(items)), box)
        graph.edge(key, zone_key, "applied to")
    for acl in of(WAF_ACL):
        graph.node(acl.urn, f"AWS WAFv2 web ACL {acl.plain_inputs.get('name')}", _component_of(acl, by_urn))
    return graph


def overview(graph: Graph) -> Graph:
    """The same picture one level up: one node per component, the external nodes, and the links between them.

    A bucket that a replication rule copies into, and each AWS Chatbot channel, stay nodes of their own, so the
    links to the DR region and to Slack show.
    """
    kept = {target for _, target, label, _ in graph.edges if label.startswith(KEPT_LINKS)}
    group: dict[str, str] = {}
    out = Graph()
    for key, (_, label, box) in graph.nodes.items():
        if box and key not in kept:
            group[key] = out.node(f"box:{box}", graph.boxes[box])
        else:
            group[key] = out.node(key, label)
    labels: dict[tuple[str, str, bool], set[str]] = defaultdict(set)
    for source, target, label, dotted in graph.edges:
        # A kept node shows only how it is fed, not its own logs and key (those stay inside its component).
        if (source in kept or target in kept) and not label.startswith(KEPT_LINKS):
            continue
        if group[source] != group[target]:
            labels[(group[source], group[target], dotted)].add(label)
    for (source, target, dotted), names in labels.items():
        out.edge(source, target, ", ".join(sorted(n for n in names if n)), dotted=dotted)
    return out


def _zone_names(evaluation: Evaluation) -> dict[str, str]:
    raw = evaluation.config.get(f"{evaluation.project}:edge")
    zones = (json.loads(raw).get("zones") or []) if raw else []
    return {str(z.get("zone_id")): f"{z.get('name')} ({z.get('plan')} plan)" for z in zones}


def render(evaluation: Evaluation) -> str:
    """The picture as a Markdown section with a Mermaid block."""
    return "\n".join(
        [
            f"## Architecture of `{evaluation.stack}`",
            "",
            "Generated from the offline plan by `python -m ops diagram`. Boxes are components; arrows are links the"
            " plan records (notifications, replication, policies, OIDC trust, workflow jobs, rulesets).",
            "",
            "```mermaid",
            build(evaluation).mermaid(),
            "```",
        ]
    )


def run_diagram(stack: str, program: Path) -> int:
    from .offline import evaluate

    print(render(evaluate(program, stack)))
    return 0
