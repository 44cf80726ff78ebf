"""`python -m ops diagram`: the picture is drawn from the plan's own links, and no value can break or leak into it."""

from __future__ import annotations

import re

import pytest

from ops import diagram
from ops.offline import Evaluation, is_secret, secret_strings

NODE = re.compile(r'^\s+(n\d+)(?:\["|\(\[")(.*?)(?:"\]|"\]\))$')
EDGE = re.compile(r'^\s+(n\d+) (?:-->|-\.->)(?:\|"(.*?)"\|)? (n\d+)$')


def _parse(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    for line in text.splitlines()[1:]:
        if node := NODE.match(line):
            assert node.group(1) not in nodes, f"node defined twice: {line}"
            nodes[node.group(1)] = node.group(2)
        elif edge := EDGE.match(line):
            edges.append((nodes[edge.group(1)], edge.group(2) or "", nodes[edge.group(3)]))
        else:
            assert re.fullmatch(r'\s+subgraph c\d+\[".*"\]|\s+end', line), f"not Mermaid this module writes: {line}"
    return nodes, edges


def _links(evaluation: Evaluation, source: str, label: str = "") -> list[tuple[str, str, str]]:
    _, edges = _parse(diagram.build(evaluation).mermaid())
    return [e for e in edges if e[0].startswith(source) and label in e[1]]


def test_every_edge_joins_defined_nodes_and_every_component_has_a_box(stack: Evaluation) -> None:
    text = diagram.build(stack).mermaid()
    assert text.startswith("flowchart LR\n")
    _parse(text)  # raises on an edge to an undefined node or a line of unknown shape
    for component in (
        r for r in stack.resources if r.type.startswith("platform:") and r.type != "platform:github:GitHubDelivery"
    ):
        assert f'["{component.type.split(":")[-1]} ({component.name})"]' in text


def test_alarms_point_at_the_topic_their_actions_name(production: Evaluation) -> None:
    nodes, edges = _parse(diagram.build(production).mermaid())
    alarm_edges = {(src, dst) for src, label, dst in edges if label == "ALARM and OK"}
    for alarm in production.of_type(diagram.METRIC_ALARM):
        topic = alarm.plain_inputs["alarmActions"][0].rsplit(":", 1)[1]
        short = alarm.plain_inputs["name"].split("-", 1)[1]
        assert any(
            short.endswith(part)
            for src, dst in alarm_edges
            if dst == f"SNS topic {topic}"
            for part in src.split("<br/>")[1:]
        ), alarm.name
    assert len(nodes) > 20


def test_backups_replicate_to_the_dr_region_with_rtc(stack: Evaluation) -> None:
    regions = stack.outputs["backup_regions"]
    [edge] = _links(stack, "S3 ", "replication backups-to-dr")
    assert regions["primary"] in edge[0]
    assert regions["dr"] in edge[2]
    assert "RTC 15 min" in edge[1]


def test_environments_point_at_the_role_their_oidc_subject_may_assume(stack: Evaluation) -> None:
    edges = _links(stack, "environment ", "OIDC: assumes")
    env = stack.stack
    assert {(e[0].split("<br/>")[0], e[2]) for e in edges} == {
        (f"environment {env}-backup", f"IAM role backup-writer-{env}-lodgetix-app"),
        (f"environment {env}-restore-drill", f"IAM role backup-reader-{env}-lodgetix-app"),
    }


def test_workflow_files_point_at_the_environments_their_jobs_run_in(
    production: Evaluation, staging: Evaluation
) -> None:
    edges = {(e[0], e[2].split("<br/>")[0]) for e in _links(production, "file .github/workflows/", "job runs in")}
    assert ("file .github/workflows/backup.yml", "environment production-backup") in edges
    assert ("file .github/workflows/restore-drill.yml", "environment production-restore-drill") in edges
    assert ("file .github/workflows/deploy-functions.yml", "environment production") in edges
    assert _links(staging, "file ") == []  # staging commits no files (manage_files is off there)


def test_edge_rulesets_are_applied_to_their_zone(stack: Evaluation) -> None:
    [edge] = _links(stack, "rulesets:")
    assert edge[2].startswith("Cloudflare zone ")
    assert "http_request_firewall_managed" in edge[0]


def test_no_secret_value_reaches_the_picture(stack: Evaluation) -> None:
    text = diagram.build(stack).mermaid()
    secrets = secret_strings(stack)
    assert secrets
    assert [s for s in secrets if s in text] == []
    secret_endpoints = [s for s in stack.of_type(diagram.SUBSCRIPTION) if is_secret(s.inputs.get("endpoint"))]
    assert ("(secret endpoint)" in text) == bool(secret_endpoints)


@pytest.mark.parametrize("hostile", ['a"]) --> n1', "x<script>", "line\nbreak", "amp & co"])
def test_labels_cannot_break_out_of_their_node(hostile: str) -> None:
    label = diagram._label(hostile)
    assert '"' not in label
    assert "<" not in label.replace("<br/>", "")
    assert "\n" not in label


@pytest.mark.parametrize(
    ("content", "environments"),
    [
        ("jobs:\n  a:\n    environment: prod\n", {"prod"}),
        ("jobs:\n  a:\n    environment: {name: stage, url: x}\n", {"stage"}),
        (
            "jobs:\n  a:\n    environment: ${{ matrix.environment }}\n    strategy:\n      matrix:\n"
            "        environment: [e1, e2]\n        include: [{environment: e3}]\n",
            {"e1", "e2", "e3"},
        ),
        ("jobs:\n  a:\n    environment: ${{ inputs.env }}\n", {"${{ inputs.env }}"}),
        ("not: [valid", set()),
        ("- a list", set()),
    ],
)
def test_job_environments(content: str, environments: set[str]) -> None:
    assert diagram._job_environments(content) == environments


def test_the_overview_keeps_one_node_per_component_and_the_links_between_areas(production: Evaluation) -> None:
    nodes, edges = _parse(diagram.overview(diagram.build(production)).mermaid())
    components = [r for r in production.resources if r.type.startswith("platform:")]
    drawn = set(nodes.values())
    # GitHubDelivery holds only the per-repository components, so it has no node of its own.
    assert {f"{c.type.split(':')[-1]} ({c.name})" for c in components} - drawn == {
        "GitHubDelivery (platform-production-github)"
    }
    links = {(source.split(" ")[0], label, target.split(" ")[0]) for source, label, target in edges}
    assert ("BackupVault", "ALARM and OK", "Alerting") in links
    assert ("CostControls", "notifies", "Alerting") in links
    assert ("RepositoryDelivery", "OIDC: assumes", "BackupVault") in links
    assert ("EdgeProtection", "applied to", "Cloudflare") in links
    [replication] = [e for e in edges if e[1].startswith("replication")]
    assert production.outputs["backup_regions"]["dr"] in replication[2]
