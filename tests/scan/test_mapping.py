"""The Pulumi -> Terraform mapping comes from the providers' bridge metadata, and never drops anything silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.offline import SECRET_SIG, Evaluation, RecordedResource, evaluate
from ops.terraform import mapping, plan_json
from tests.scan.support import KNOWN_UNMAPPED
from tests.support.programs import write_program


def _scanned(evaluation: Evaluation) -> list[RecordedResource]:
    return [r for r in evaluation.resources if r.custom and not r.type.startswith("pulumi:providers:")]


def _planned(conversion: plan_json.Conversion) -> dict[str, dict]:
    return {r["address"]: r for r in conversion.plan["planned_values"]["root_module"]["resources"]}


def _configured(conversion: plan_json.Conversion) -> dict[str, dict]:
    return {r["address"]: r for r in conversion.plan["configuration"]["root_module"]["resources"]}


def test_every_registered_type_has_a_mapping_or_is_reported(stack: Evaluation) -> None:
    conversion = plan_json.convert(stack)
    scanned = _scanned(stack)
    assert set(conversion.unmapped_types) <= KNOWN_UNMAPPED
    mapped = [r for r in scanned if r.type in mapping.load()]
    assert {r.type for r in scanned} - {r.type for r in mapped} == set(conversion.unmapped_types)
    # Nothing is lost between the program and the plan: each resource is planned once, or reported.
    reported = sum(len(u) for u in conversion.unmapped_types.values())
    assert len(conversion.plan["resource_changes"]) + reported == len(scanned)
    assert sorted(conversion.urn_of.values()) == sorted(r.urn for r in mapped)


def test_an_unknown_type_is_reported_not_dropped(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        """
        import pulumi_aws as aws
        aws.sqs.Queue("jobs")
        aws.s3.Bucket("data", bucket="data")
        """,
        {"aws:region": "us-east-1"},
    )
    conversion = plan_json.convert(evaluate(program, "test"))
    assert list(conversion.unmapped_types) == ["aws:sqs/queue:Queue"]
    assert conversion.unmapped_types["aws:sqs/queue:Queue"][0].endswith("::jobs")
    assert list(conversion.urn_of) == ["aws_s3_bucket.data"]


def test_sdk_objects_in_inputs_become_visible_stand_ins(tmp_path: Path) -> None:
    program = write_program(
        tmp_path,
        """
        import pulumi
        import pulumi_aws as aws
        aws.s3.BucketPolicy("policy", bucket="data", policy=pulumi.StringAsset("{}"))
        """,
        {"aws:region": "us-east-1"},
    )
    (resource,) = plan_json.convert(evaluate(program, "test")).plan["planned_values"]["root_module"]["resources"]
    assert resource["values"]["policy"] == "[StringAsset]"


def test_names_come_from_the_metadata(production: Evaluation) -> None:
    planned = _planned(plan_json.convert(production))
    by_type: dict[str, list[dict]] = {}
    for resource in planned.values():
        by_type.setdefault(resource["type"], []).append(resource["values"])
    # Module renames: costexplorer is `ce` in Terraform.
    assert "aws_ce_anomaly_monitor" in by_type
    assert "aws_ce_anomaly_subscription" in by_type
    alarm = by_type["aws_cloudwatch_metric_alarm"][0]
    assert "alarm_name" in alarm
    assert "name" not in alarm
    subscription = by_type["aws_sns_topic_subscription"][0]
    assert subscription["topic_arn"].startswith("arn:aws:sns:")
    assert "topic" not in subscription
    # Pluralised Pulumi lists are Terraform's repeated blocks: rules -> rule, transitions -> transition.
    rules = [r for lifecycle in by_type["aws_s3_bucket_lifecycle_configuration"] for r in lifecycle["rule"]]
    monthly = next(r for r in rules if r["id"].startswith("monthly"))
    assert monthly["transition"][0]["storage_class"] == "STANDARD_IA"
    # Blocks Pulumi flattens (maxItemsOne) are lists of one in the plan.
    assert monthly["filter"] == [{"prefix": "monthly/"}]
    assert monthly["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 1}]
    versioning = by_type["aws_s3_bucket_versioning"][0]
    assert versioning["versioning_configuration"] == [{"status": "Enabled"}]
    # Maps keep their keys: tags and alarm dimensions are data, not attribute names.
    bucket = next(r for r in production.of_type("aws:s3/bucket:Bucket") if r.plain_inputs.get("tags"))
    planned_bucket = next(v for v in by_type["aws_s3_bucket"] if v["bucket"] == bucket.plain_inputs["bucket"])
    assert planned_bucket["tags"] == bucket.plain_inputs["tags"]
    replication = next(
        a for a in by_type["aws_cloudwatch_metric_alarm"] if "SourceBucket" in (a.get("dimensions") or {})
    )
    assert set(replication["dimensions"]) >= {"SourceBucket", "DestinationBucket"}


def test_a_property_outside_the_data_is_reported() -> None:
    type_mapping = mapping.load()["aws:s3/bucketVersioning:BucketVersioning"]
    result = mapping.convert(
        type_mapping,
        {"bucket": "b", "versioningConfiguration": {"status": "Enabled", "futureField": 1}, "newBlock": {"x": 1}},
    )
    assert result.values["versioning_configuration"] == [{"status": "Enabled", "futureField": 1}]
    assert result.unmapped == ["versioningConfiguration.futureField", "newBlock"]


def test_secrets_never_reach_the_plan(staging: Evaluation) -> None:
    text = json.dumps(plan_json.convert(staging).plan)
    assert SECRET_SIG not in text
    assert "secret placeholder" not in text
    assert "[secret]" in text  # the Slack endpoints are secret inputs


def test_references_point_at_the_bucket_the_resource_depends_on(staging: Evaluation) -> None:
    conversion = plan_json.convert(staging)
    configured = _configured(conversion)
    versioning = configured["aws_s3_bucket_versioning.platform-staging-backup-primary-versioning"]["expressions"]
    assert versioning["bucket"] == {
        "references": [
            "aws_s3_bucket.platform-staging-backup-primary.id",
            "aws_s3_bucket.platform-staging-backup-primary",
        ]
    }
    # A value that only coincides with an output of a dependency (the region) is a constant, not a reference.
    assert versioning["region"] == {"constant_value": "us-east-1"}
    alarm = configured["aws_cloudwatch_metric_alarm.platform-staging-alerting-cpu-utilization"]["expressions"]
    assert alarm["alarm_actions"]["references"][1] == "aws_sns_topic.platform-staging-alerting-medium"


def test_terraform_addresses_are_unique_and_valid(stack: Evaluation) -> None:
    conversion = plan_json.convert(stack)
    addresses = [r["address"] for r in conversion.plan["resource_changes"]]
    assert len(addresses) == len(set(addresses))
    for address in addresses:
        _type, name = address.split(".", 1)
        assert name[0].isalpha() or name[0] == "_"
        assert all(c.isalnum() or c in "_-" for c in name)


@pytest.mark.parametrize("source", sorted(mapping.sources()))
def test_the_data_states_its_sources(source: str) -> None:
    entry = mapping.sources()[source]
    assert entry["repository"].startswith("pulumi/pulumi-")
    assert len(entry["commit"]) == 40
