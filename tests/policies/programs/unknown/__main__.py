"""A secure production program in which three values are unknown, as in a preview before the first update."""

import asyncio
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures"))

import fixturelib as f


def unknown() -> pulumi.Output:
    loop = asyncio.get_event_loop()
    value, known = loop.create_future(), loop.create_future()
    value.set_result(None)
    known.set_result(False)
    return pulumi.Output(set(), value, known)


f.backups(retention={"mode": "GOVERNANCE", "days": unknown()})
f.key("pending", enable_key_rotation=unknown())
topic = f.topic()
aws.sns.TopicPolicy("alerts-policy-2", arn=topic.arn, policy=unknown())
