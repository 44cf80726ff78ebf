"""Effective bucket settings on their own: configuration resources joined by name, id or ARN; roles by evidence."""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource

from policies.buckets import BucketIndex, bucket_key, rule_prefix
from tests.policies.support import policy_resource
from tests.support.resources import type_token


def s3_resource(kind: str, name: str, **props: Any) -> PolicyResource:
    """A pulumi_aws S3 resource of class `kind` named `name`."""
    return policy_resource(type_token("aws", "s3", kind), props, name=name, urn=f"urn:pulumi:s::p::t::{name}")


def bucket(name: str, **props: Any) -> PolicyResource:
    return s3_resource("Bucket", name, bucket=name, id=name, arn=f"arn:aws:s3:::{name}", **props)


def test_references_by_name_id_and_arn_all_attach() -> None:
    index = BucketIndex(
        [
            bucket("data"),
            s3_resource("BucketVersioning", "by-name", bucket="data", versioningConfiguration={"status": "Enabled"}),
            s3_resource(
                "BucketVersioning",
                "by-arn",
                bucket="arn:aws:s3:::data",
                versioningConfiguration={"status": "Suspended"},
            ),
            s3_resource("BucketVersioning", "elsewhere", bucket="other", versioningConfiguration={"status": "Enabled"}),
        ],
        {},
    )
    data_bucket = index.buckets[0]
    assert sorted(data_bucket.versioning_statuses()) == ["Enabled", "Suspended"]
    assert [r.name for r in index.unattached] == ["elsewhere"]
    assert bucket_key("arn:aws:s3:::data/daily/*") == "data"


def test_public_access_flags_take_the_weakest_block() -> None:
    flags = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)
    index = BucketIndex(
        [
            bucket("data"),
            s3_resource("BucketPublicAccessBlock", "first", bucket="data", **flags),
            s3_resource("BucketPublicAccessBlock", "second", bucket="data", **{**flags, "blockPublicPolicy": False}),
        ],
        {},
    )
    assert index.buckets[0].public_access_flags([])["blockPublicPolicy"] is False
    assert index.buckets[0].public_access_flags([])["blockPublicAcls"] is True


def test_inline_arguments_count() -> None:
    inline = bucket(
        "data",
        serverSideEncryptionConfiguration={"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}},
        versioning={"enabled": False},
        lifecycleRules=[{"enabled": True, "prefix": "", "expiration": {"days": 1}}],
    )
    data_bucket = BucketIndex([inline], {}).buckets[0]
    assert [r["applyServerSideEncryptionByDefault"]["sseAlgorithm"] for r in data_bucket.encryption_rules()] == [
        "AES256"
    ]
    assert data_bucket.versioning_statuses() == ["Suspended"]
    [(_, rules)] = data_bucket.lifecycle_configs()
    assert rules[0]["status"] == "Enabled"
    assert rule_prefix(rules[0]) == ""


def test_rule_prefix() -> None:
    assert rule_prefix({"filter": {}}) == ""
    assert rule_prefix({"filter": {"prefix": "daily/"}}) == "daily/"
    assert rule_prefix({"filter": {"and": {"prefix": "daily/"}}}) == "daily/"
    assert rule_prefix({"filter": {"tag": {"key": "k", "value": "v"}}}) is None
    assert rule_prefix({"prefix": "legacy/"}) == "legacy/"


def test_backups_are_recognised_by_evidence_not_only_by_name() -> None:
    tiers = [{"id": "d", "status": "Enabled", "filter": {"prefix": "daily/"}, "expiration": {"days": 7}}]
    index = BucketIndex(
        [
            bucket("named-backups"),
            bucket("tiers"),
            s3_resource("BucketLifecycleConfiguration", "tiers-lifecycle", bucket="tiers", rules=tiers),
            bucket("written"),
            policy_resource(
                "aws:iam/rolePolicy:RolePolicy",
                {
                    "policy": '{"Statement": [{"Effect": "Allow", "Action": '
                    '"s3:PutObject", "Resource": "arn:aws:s3:::written/weekly/*"}]}'
                },
                name="w",
                urn="urn:x",
            ),
            bucket("partner"),
            s3_resource(
                "BucketReplicationConfig",
                "rep",
                bucket="named-backups",
                rules=[{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::partner"}}],
            ),
            bucket("plain"),
            bucket("logs", tags={"purpose": "s3-access-logs"}),
            s3_resource("BucketLogging", "lg", bucket="plain", targetBucket="logs"),
        ],
        {},
    )
    backups = {b.name for b in index.backups()}
    assert backups == {"named-backups", "tiers", "written", "partner"}
    assert {b.name for b in index.buckets if index.is_log_bucket(b)} == {"logs"}
