"""Cost-allocation tags reach every taggable AWS resource of both stacks, with the right values."""

from __future__ import annotations

import pytest

from ops.offline import Evaluation, evaluate
from tests.cost.tag_coverage import expected_component, tag_problems, taggable, tags_annotation
from tests.support.programs import write_program
from tests.support.stack_files import NAMESPACE, load_stack


def stack_tags(stack: str) -> dict[str, str]:
    """What the stack file says every resource carries (component is checked per resource)."""
    tags = load_stack(stack)["config"][f"{NAMESPACE}:tags"]
    return {
        "project": tags.get("project", "functions-platform"),
        "environment": stack,
        "owner": tags["owner"],
        "cost-center": tags["cost_center"],
        "feature": tags["feature"],
    }


def test_every_taggable_aws_resource_carries_the_cost_tags(stack: Evaluation):
    resources = taggable(stack)
    # Not vacuous: the stack has taggable resources from several areas, including this one.
    areas = {expected_component(stack, r) for r in resources}
    assert len(resources) >= 10, [r.name for r in resources]
    assert {"cost", "alerting"} <= areas, areas
    assert tag_problems(stack, stack_tags(stack.stack)) == []


def test_no_aws_resource_takes_tags_in_a_shape_the_transformation_skips(stack: Evaluation):
    # A few SDK classes (autoscaling.Group, ...) take tags as a list; adding one needs a decision, so flag it.
    shapes = {r.type: tags_annotation(r.type) for r in taggable(stack)}
    assert {t: a for t, a in shapes.items() if "Mapping[" not in str(a)} == {}


def test_coverage_check_notices_wrong_values(staging: Evaluation):
    wrong = {**stack_tags("staging"), "environment": "production"}
    assert len(tag_problems(staging, wrong)) == len(taggable(staging))


SCRATCH = """
import pulumi
import pulumi_aws as aws

from components.settings.tags import TagSettings
from components.tags import register_cost_tags

if pulumi.Config("fixture").get_bool("tagged"):
    register_cost_tags(TagSettings(owner="team-a", cost_center="CC-1"), "staging")

aws.sns.Topic("loose")
aws.sns.Topic("own", tags={"component": "mine", "feature": "search", "extra": "kept"})
aws.sns.Topic("from-output", tags=pulumi.Output.from_input({"extra": "kept"}))
aws.iam.RolePolicy("untaggable", role="r", policy="{}")
aws.autoscaling.Group("list-tags", max_size=1, min_size=0)


class Vault(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("platform:backup:Vault", name)
        bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))
        # A custom resource parented on another custom resource (two levels below the component).
        aws.kms.Key(f"{name}-key", opts=pulumi.ResourceOptions(parent=bucket))
        helper = pulumi.ComponentResource("acme:index:Helper", f"{name}-helper", None, pulumi.ResourceOptions(parent=self))
        aws.sns.Topic(f"{name}-helper-topic", opts=pulumi.ResourceOptions(parent=helper))


Vault("vault")
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evaluation, Evaluation]:
    """The same throwaway program with and without the central tags."""
    results = []
    for tagged in (True, False):
        root = tmp_path_factory.mktemp(f"tags-{tagged}")
        program = write_program(root, SCRATCH, config={"fixture:tagged": str(tagged).lower()}, with_components=True)
        results.append(evaluate(program, "test"))
    return results[0], results[1]


def test_scratch_program_tags_nested_loose_and_own(scratch: tuple[Evaluation, Evaluation]):
    tagged, _ = scratch
    base = {"project": "functions-platform", "environment": "staging", "owner": "team-a", "cost-center": "CC-1"}
    assert sorted(tag_problems(tagged, {**base, "feature": "functions"})) == sorted(
        [
            "aws:sns/topic:Topic own: {'component': 'mine', 'feature': 'search'}",
            "aws:autoscaling/group:Group list-tags: "
            + str(dict.fromkeys(["component", "cost-center", "environment", "feature", "owner", "project"])),
        ]
    )

    def tags(name: str) -> dict[str, str]:
        return tagged.named(name).plain_inputs.get("tags") or {}

    assert tags("loose")["component"] == "shared"
    assert tags("own") == {**base, "component": "mine", "feature": "search", "extra": "kept"}
    assert tags("from-output") == {**base, "component": "shared", "feature": "functions", "extra": "kept"}
    for nested in ("vault-bucket", "vault-key", "vault-helper-topic"):
        assert tags(nested)["component"] == "backup", nested
    assert "tags" not in tagged.named("untaggable").plain_inputs
    assert tagged.named("list-tags").plain_inputs.get("tags") is None


def test_scratch_program_without_central_tags_fails_the_coverage_check(scratch: tuple[Evaluation, Evaluation]):
    _, untagged = scratch
    problems = tag_problems(untagged, {"project": "functions-platform"})
    assert len(problems) == 7, problems  # every resource that takes tags
