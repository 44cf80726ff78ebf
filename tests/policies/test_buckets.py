"""Effective bucket settings on their own: configuration resources joined by name, id or ARN; roles by evidence."""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions

from policies.buckets import BucketIndex, bucket_key, rule_prefix


def res(type_: str, name: str, **props: Any) -> PolicyResource:
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return PolicyResource(
        f"aws:s3/{type_[0].lower() + type_[1:]}:{type_}",
        props,
        f"urn:pulumi:s::p::t::{name}",
        name,
        opts,
        None,
        None,
        [],
        {},
    )


def bucket(name: str, **props: Any) -> PolicyResource:
    return res("Bucket", name, bucket=name, id=name, arn=f"arn:aws:s3:::{name}", **props)


def test_references_by_name_id_and_arn_all_attach() -> None:
    index = BucketIndex(
        [
            bucket("data"),
            res("BucketVersioning", "by-name", bucket="data", versioningConfiguration={"status": "Enabled"}),
            res(
                "BucketVersioning",
                "by-arn",
                bucket="arn:aws:s3:::data",
                versioningConfiguration={"status": "Suspended"},
            ),
            res("BucketVersioning", "elsewhere", bucket="other", versioningConfiguration={"status": "Enabled"}),
        ],
        {},
    )
    data = index.buckets[0]
    assert sorted(data.versioning_statuses()) == ["Enabled", "Suspended"]
    assert [r.name for r in index.unattached] == ["elsewhere"]
    assert bucket_key("arn:aws:s3:::data/daily/*") == "data"


def test_public_access_flags_take_the_weakest_block() -> None:
    flags = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)
    index = BucketIndex(
        [
            bucket("data"),
            res("BucketPublicAccessBlock", "first", bucket="data", **flags),
            res("BucketPublicAccessBlock", "second", bucket="data", **{**flags, "blockPublicPolicy": False}),
        ],
        {},
    )
    assert index.buckets[0].public_access_flags([])["blockPublicPolicy"] is False
    assert index.buckets[0].public_access_flags([])["blockPublicAcls"] is True


def test_inline_arguments_count() -> None:
    b = bucket(
        "data",
        serverSideEncryptionConfiguration={"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}},
        versioning={"enabled": False},
        lifecycleRules=[{"enabled": True, "prefix": "", "expiration": {"days": 1}}],
    )
    data = BucketIndex([b], {}).buckets[0]
    assert [r["applyServerSideEncryptionByDefault"]["sseAlgorithm"] for r in data.encryption_rules()] == ["AES256"]
    assert data.versioning_statuses() == ["Suspended"]
    [(_, rules)] = data.lifecycle_configs()
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
            res("BucketLifecycleConfiguration", "tiers-lifecycle", bucket="tiers", rules=tiers),
            bucket("written"),
            PolicyResource(
                "aws:iam/rolePolicy:RolePolicy",
                {
                    "policy": '{"Statement": [{"Effect": "Allow", "Action": '
                    '"s3:PutObject", "Resource": "arn:aws:s3:::written/weekly/*"}]}'
                },
                "urn:x",
                "w",
                PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), []),
                None,
                None,
                [],
                {},
            ),
            bucket("partner"),
            res(
                "BucketReplicationConfig",
                "rep",
                bucket="named-backups",
                rules=[{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::partner"}}],
            ),
            bucket("plain"),
            bucket("logs", tags={"purpose": "s3-access-logs"}),
            res("BucketLogging", "lg", bucket="plain", targetBucket="logs"),
        ],
        {},
    )
    backups = {b.name for b in index.backups()}
    assert backups == {"named-backups", "tiers", "written", "partner"}
    assert {b.name for b in index.buckets if index.is_log_bucket(b)} == {"logs"}
