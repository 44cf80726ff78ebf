"""Each component declares its outputs once, in its record: `register_outputs` receives the record's fields and
the stack exports them under `<export_prefix>_<field>`, in the order the components are built."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
from pulumi.runtime.stack import Stack

from components.shared.outputs import WHEN_PRESENT, OutputRecord, output_values, stack_exports
from ops.offline import Evaluation, evaluate
from tests.support.programs import evaluate_with
from tests.support.repository import REPO

# --- the helpers on their own ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample(OutputRecord):
    export_prefix = "sample"

    name: str
    note: str | None  # a plain field: an output even when None
    roles: dict[str, str] = field(metadata=WHEN_PRESENT)


@dataclass(frozen=True)
class Unprefixed(OutputRecord):
    export_prefix = ""

    environment: str


@dataclass(frozen=True)
class Nested(OutputRecord):
    arn: str


def test_a_when_present_field_is_an_output_only_when_it_holds_something() -> None:
    assert output_values(Sample(name="a", note=None, roles={})) == {"name": "a", "note": None}
    assert output_values(Sample(name="a", note="n", roles={"app": "r"})) == {
        "name": "a",
        "note": "n",
        "roles": {"app": "r"},
    }


def test_stack_exports_prefix_each_field_and_keep_the_order_of_records_and_fields() -> None:
    exports = stack_exports(Unprefixed(environment="staging"), Sample(name="a", note=None, roles={"app": "r"}))
    assert list(exports.items()) == [
        ("environment", "staging"),
        ("sample_name", "a"),
        ("sample_note", None),
        ("sample_roles", {"app": "r"}),
    ]


def test_a_nested_record_or_a_name_exported_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="Nested is not exported"):
        stack_exports(Nested(arn="x"))
    with pytest.raises(ValueError, match="two records export 'sample_name'"):
        stack_exports(Sample(name="a", note=None, roles={}), Sample(name="b", note=None, roles={}))


# --- the real program ------------------------------------------------------------------------------------


@dataclass
class Recorded:
    evaluation: Evaluation
    exported: dict[str, Any]  # stack output name -> the value handed to pulumi.export
    registered: list[tuple[pulumi.ComponentResource, dict[str, Any]]]  # in the order of register_outputs


def _record_run(monkeypatch: pytest.MonkeyPatch, run: Any) -> Recorded:
    exported: dict[str, Any] = {}
    registered: list[tuple[pulumi.ComponentResource, dict[str, Any]]] = []
    real_export, real_register = pulumi.export, pulumi.ComponentResource.register_outputs

    def export(name: str, value: Any) -> None:
        exported[name] = value
        real_export(name, value)

    def register_outputs(component: pulumi.ComponentResource, outputs: Any) -> None:
        if not isinstance(component, Stack):  # the root stack registers the exports themselves
            registered.append((component, outputs))
        real_register(component, outputs)

    with monkeypatch.context() as patch:
        patch.setattr(pulumi, "export", export)
        patch.setattr(pulumi.ComponentResource, "register_outputs", register_outputs)
        evaluation = run()
    return Recorded(evaluation, exported, registered)


def _with_every_optional_output(config: dict[str, Any]) -> None:
    """A web ACL and deploy roles: the outputs that the committed stacks do not have."""
    config["functions-platform:edge"]["aws_waf"] = {
        "protected_resource_arns": ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/1"]
    }
    config["functions-platform:github"]["oidc"]["deploy_policy_arns"] = ["arn:aws:iam::123456789012:policy/deploy"]


@pytest.fixture(scope="module", params=["production", "staging with every optional output"])
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    with pytest.MonkeyPatch.context() as monkeypatch:
        if request.param == "production":
            return _record_run(monkeypatch, lambda: evaluate(REPO, "production"))
        tmp_path = tmp_path_factory.mktemp("outputs")
        return _record_run(monkeypatch, lambda: evaluate_with(tmp_path, "staging", _with_every_optional_output))


def test_every_component_registers_its_record_and_nothing_else(recorded: Recorded) -> None:
    components = [r for r in recorded.evaluation.resources if not r.custom and r.type.startswith("platform:")]
    assert len(recorded.registered) == len(components)
    for component, outputs in recorded.registered:
        record = getattr(component, "outputs", None)
        # A frozen OutputRecord dataclass (by name: a copied program's modules are imported afresh).
        assert dataclasses.is_dataclass(record), type(component).__name__
        assert "OutputRecord" in {base.__name__ for base in type(record).__mro__}
        assert type(record).__dataclass_params__.frozen  # pyright: ignore[reportAttributeAccessIssue]
        by_name = {item.name: item for item in dataclasses.fields(record)}
        assert set(outputs) <= set(by_name)
        for name, item in by_name.items():
            value = getattr(record, name)
            if name in outputs:
                assert outputs[name] is value, name
            else:  # left out only where the record says an empty value is no output
                assert item.metadata == WHEN_PRESENT, name
                assert not value, name


def test_the_stack_exports_the_registered_records_under_their_prefixes_in_build_order(recorded: Recorded) -> None:
    expected: dict[str, Any] = {}
    for component, outputs in recorded.registered:
        prefix = component.outputs.export_prefix  # pyright: ignore[reportAttributeAccessIssue]
        if prefix is not None:  # a nested component reaches the stack through its parent's record
            expected.update({f"{prefix}_{name}": value for name, value in outputs.items()})
    exported = dict(recorded.exported)
    assert list(exported)[:2] == ["environment", "aws_account_id"]
    assert exported.pop("environment") == recorded.evaluation.stack
    exported.pop("aws_account_id")
    assert list(exported) == list(expected)
    for name, value in expected.items():
        assert exported[name] is value, name
    assert list(recorded.evaluation.outputs) == list(recorded.exported)


def test_the_optional_outputs_are_exported_where_the_stack_has_them(recorded: Recorded) -> None:
    names = set(recorded.exported)
    assert {"backup_writer_role_arns", "backup_reader_role_arns"} <= names
    optional = {"edge_web_acl_arn", "github_deploy_role_arns"}
    if recorded.evaluation.stack == "staging":  # evaluated with a web ACL and deploy roles
        assert optional <= names
    else:
        assert not optional & names
