"""The snippets of docs/howto.md do what the page says (each is read from the page, so the page cannot rot)."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path
from typing import Any

import yaml
from pulumi_policy import EnforcementLevel

import policies.sns
from ops.offline import Evaluation
from ops.policy_check import run_policies
from tests.support.programs import evaluate_with
from tests.support.repository import REPO

HOWTO = (REPO / "docs" / "howto.md").read_text()


def snippet(name: str) -> str:
    match = re.search(rf"<!-- howto:{name} -->\n\s*```\w+\n(.*?)\n\s*```", HOWTO, re.S)
    assert match is not None, f"docs/howto.md has no `howto:{name}` snippet"
    return textwrap.dedent(match.group(1))


def test_the_alarm_howto_adds_an_alarm_on_its_tier(tmp_path: Path) -> None:
    entries = yaml.safe_load(snippet("alarm"))["alarms"]

    def edit(config: dict[str, Any]) -> None:
        config["functions-platform:alerting"].setdefault("alarms", []).extend(entries)

    evaluation = evaluate_with(tmp_path, "staging", edit)
    [alarm] = [
        a for a in evaluation.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.name.endswith("queue-backlog")
    ]
    inputs = alarm.plain_inputs
    assert inputs["name"] == "staging-queue-backlog"
    assert inputs["alarmActions"] == ["arn:aws:sns:us-east-1:123456789012:staging-alerts-medium"]
    assert (inputs["metricName"], inputs["threshold"], inputs["evaluationPeriods"]) == ("QueueDepth", 100, 5)


def test_the_repository_howto_delivers_to_the_new_repository(tmp_path: Path) -> None:
    repositories = yaml.safe_load(snippet("repository"))["repositories"]

    def edit(config: dict[str, Any]) -> None:
        config["functions-platform:github"]["repositories"] = repositories

    evaluation = evaluate_with(tmp_path, "staging", edit)
    environments = {
        r.plain_inputs["environment"]
        for r in evaluation.of_type("github:index/repositoryEnvironment:RepositoryEnvironment")
        if r.plain_inputs["repository"] == "lodgetix-admin"
    }
    assert environments == {"staging", "staging-backup", "staging-restore-drill"}
    roles = {r.plain_inputs.get("name") for r in evaluation.of_type("aws:iam/role:Role")}
    assert {"backup-writer-staging-lodgetix-admin", "backup-reader-staging-lodgetix-admin"} <= roles


def test_the_policy_howto_rule_passes_our_topics_and_catches_a_bare_one(staging: Evaluation) -> None:
    namespace = {**vars(policies.sns), "EnforcementLevel": EnforcementLevel}
    exec(compile(snippet("policy"), "docs/howto.md", "exec"), namespace)  # noqa: S102 - the documented rule itself
    rule = namespace["DISPLAY_NAME"]
    assert run_policies(staging, [rule]) == []
    bare = [
        dataclasses.replace(r, inputs={k: v for k, v in r.inputs.items() if k != "displayName"})
        if r.type == policies.sns.TOPIC
        else r
        for r in staging.resources
    ]
    violations = run_policies(dataclasses.replace(staging, resources=bare), [rule])
    assert len(violations) == len(staging.of_type(policies.sns.TOPIC)) == 4
    assert {v.policy for v in violations} == {"sns-topic-display-name"}


def test_the_backend_howto_is_the_sequence_the_engine_test_runs() -> None:
    commands = [line.split("#")[0].split() for line in snippet("backend").splitlines()]
    verbs = [" ".join(words[:3]) for words in commands]
    assert verbs == [
        "pulumi stack export",
        "pulumi login 's3://<state-bucket>?region=us-east-1'",
        "pulumi stack init",
        "pulumi stack import",
        "pulumi preview --stack",
        "rm staging.json",
    ]
