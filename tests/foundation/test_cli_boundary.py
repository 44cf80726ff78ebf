"""The error boundary of each `python -m ops` command: one message and a documented exit code, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops import bench, settings_doc
from ops.boundary import EXIT_BUG, EXIT_FAILED, EXIT_INPUT, EXIT_OK, OpsError
from tests.support.ops_cli import ops_in_process
from tests.support.programs import write_program

SECRET = "hunter2-very-secret"


def tiny_program(tmp_path: Path, source: str = "import pulumi\npulumi.export('ok', 1)\n") -> Path:
    return write_program(tmp_path, source)


# --- policy config: validated before the program runs -------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b"[]", "must be a JSON object keyed by policy name"),
        (
            b'{"s3-bucket-versoning": "mandatory"}',
            "no policy of that name in the pack (did you mean 's3-bucket-versioning'?)",
        ),
        (b'{"s3-bucket-versioning": "fatal"}', "enforcement level must be one of advisory, mandatory"),
        (b'{"s3-bucket-versioning": 3}', "must be an enforcement level or an object"),
        (b'{"s3-bucket-versioning": {"logBucketPatern": "x"}}', "unknown property 'logBucketPatern'"),
        (b'{"s3-bucket-versioning": {"logBucketPattern": 7}}', "7 is not of type 'string'"),
        (b'{"all": "mandatory", "all": "advisory"}', "duplicate key 'all'"),
        (b'{"s3-bucket-versioning": NaN}', "NaN is not a JSON number"),
    ],
)
def test_a_bad_policy_config_exits_2_before_the_program_runs(tmp_path: Path, content: bytes, fragment: str) -> None:
    marker = tmp_path / "ran"
    program = tiny_program(tmp_path, f"from pathlib import Path\nPath({str(marker)!r}).write_text('x')\n")
    config = tmp_path / "policy.json"
    config.write_bytes(content)
    code, _, err = ops_in_process("plan", "--stack", "test", "--program", str(program), "--policy-config", str(config))
    assert code == EXIT_INPUT
    assert fragment in err
    assert "Traceback" not in err
    assert not marker.exists(), "the program ran although the policy config was refused"


def test_a_valid_policy_config_with_all_applies_to_every_policy(tmp_path: Path) -> None:
    program = tiny_program(tmp_path, "import pulumi_aws as aws\naws.s3.Bucket('b')\n")
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"all": "advisory", "s3-bucket-versioning": {"enforcementLevel": "disabled"}}))
    code, out, err = ops_in_process(
        "plan", "--stack", "test", "--program", str(program), "--json", "--policy-config", str(config)
    )
    assert code == EXIT_OK, err
    violations = json.loads(out)["violations"]
    assert violations
    assert {v["enforcement"] for v in violations} == {"advisory"}
    assert "s3-bucket-versioning" not in {v["policy"] for v in violations}


# --- stack names and stack files -------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["../test", "a/../../test", "te st"])
def test_a_stack_name_outside_pulumis_rule_exits_2(tmp_path: Path, stack: str) -> None:
    code, _, err = ops_in_process("plan", "--stack", stack, "--program", str(tiny_program(tmp_path)))
    assert code == EXIT_INPUT
    assert f"stack {stack!r}" in err


def test_a_qualified_stack_name_reads_the_stack_file_of_its_stack(tmp_path: Path) -> None:
    code, out, err = ops_in_process(
        "plan", "--stack", "acme/fixture/test", "--program", str(tiny_program(tmp_path)), "--json"
    )
    assert code == EXIT_OK, err
    assert json.loads(out)["stack"] == "test"


def test_a_missing_stack_file_is_named(tmp_path: Path) -> None:
    code, _, err = ops_in_process("plan", "--stack", "other", "--program", str(tiny_program(tmp_path)))
    assert code == EXIT_INPUT
    assert "Pulumi.other.yaml: no such stack file" in err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            b"config:\n  fixture:a: 1\n  fixture:a: 2\n",
            "line 3: duplicate key 'config.fixture:a' (first defined on line 2)",
        ),
        (b"config: [1, 2]\n", "`config` must be a mapping"),
        (b"config:\n  7: x\n", "key '7' at config is not a string"),
        (b"config:\n  fixture:a: \xc3\x28\n", "not UTF-8 text"),
        (b"config:\n  fixtur:a: 1\n", "unknown namespace `fixtur` (did you mean `fixture`?)"),
    ],
)
def test_bad_stack_files_exit_2_naming_the_file(tmp_path: Path, content: bytes, fragment: str) -> None:
    program = tiny_program(tmp_path)
    (program / "Pulumi.test.yaml").write_bytes(content)
    code, _, err = ops_in_process("plan", "--stack", "test", "--program", str(program))
    assert code == EXIT_INPUT
    assert err.startswith("Pulumi.test.yaml")
    assert fragment in err
    assert "Traceback" not in err


def test_a_broken_project_file_exits_2(tmp_path: Path) -> None:
    program = tiny_program(tmp_path)
    (program / "Pulumi.yaml").write_bytes(b"name: [unclosed\n")
    code, _, err = ops_in_process("plan", "--stack", "test", "--program", str(program))
    assert code == EXIT_INPUT
    assert err.startswith("Pulumi.yaml, line")


# --- output: markup, control characters and secrets ------------------------------------------------------------


def test_tree_output_shows_markup_in_names_and_secret_outputs_literally(tmp_path: Path) -> None:
    program = tiny_program(
        tmp_path,
        """
        import pulumi
        import pulumi_aws as aws
        aws.s3.Bucket("data[/]x [bold]y", bucket="plain-name")
        aws.s3.Bucket("esc\\x1b[2Jname", bucket="other-name")
        pulumi.export("token", pulumi.Output.secret("s"))
        """,
    )
    code, out, err = ops_in_process("plan", "--stack", "test", "--program", str(program))
    assert code in (EXIT_OK, EXIT_FAILED), err
    assert "data[/]x [bold]y (aws:s3/bucket:Bucket)" in out
    assert "token: [secret]" in out
    assert "\x1b" not in out
    assert "esc\\x1b[2Jname" in out


def test_a_secret_bucket_name_plans_without_tracebacks_or_leaks(tmp_path: Path) -> None:
    program = tiny_program(
        tmp_path,
        f"""
        import pulumi
        import pulumi_aws as aws
        bucket = aws.s3.Bucket("data", bucket=pulumi.Output.secret({SECRET!r}))
        pulumi.export("arn", bucket.arn)
        pulumi.export("id", bucket.id)
        """,
    )
    for extra in ((), ("--json",)):
        code, out, err = ops_in_process("plan", "--stack", "test", "--program", str(program), *extra)
        assert code in (EXIT_OK, EXIT_FAILED), err
        assert err == ""
        assert SECRET not in out
    document = json.loads(out)
    assert document["resources"][0]["inputs"]["bucket"] == "[secret]"
    assert any("[secret]" in v["message"] for v in document["violations"]), "rules name the bucket, redacted"


def test_an_unexpected_error_is_reported_as_a_bug_without_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from ops import plan

    def broken(*_args: object) -> None:
        raise RuntimeError(f"leaking {SECRET}")

    monkeypatch.setattr(plan, "evaluate", broken)
    code, _, err = ops_in_process("plan", "--stack", "staging")
    assert code == EXIT_BUG
    assert "internal error (RuntimeError at tests/foundation/test_cli_boundary.py:" in err
    assert "This is a bug in ops" in err
    assert SECRET not in err
    assert "Traceback" not in err
    code, _, err = ops_in_process("--debug", "plan", "--stack", "staging")
    assert code == EXIT_BUG
    assert "Traceback" in err


# --- bench and settings-doc ------------------------------------------------------------------------------------


def test_bench_reports_a_failing_run_as_one_message() -> None:
    with pytest.raises(OpsError) as caught:
        bench._timed(["python3", "-c", "import sys; sys.exit('plan broke')"])  # pyright: ignore[reportPrivateUsage]
    assert caught.value.exit_code == EXIT_FAILED
    assert caught.value.message.endswith("exited 1: plan broke")


def test_bench_exits_1_with_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(_command: list[str]) -> float:
        raise OpsError("bench: `-m ops plan` exited 2: bad settings", EXIT_FAILED)

    monkeypatch.setattr(bench, "_median_seconds", failing)
    code, _, err = ops_in_process("bench")
    assert (code, err.strip()) == (EXIT_FAILED, "bench: `-m ops plan` exited 2: bad settings")


def test_settings_doc_that_cannot_write_its_files_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the docs folder should be\n")
    monkeypatch.setattr(settings_doc, "DOC_PATH", blocked / "settings.md")
    monkeypatch.setattr(settings_doc, "SCHEMA_PATH", tmp_path / "schema" / "stack-settings.schema.json")
    code, _, err = ops_in_process("settings-doc", "--write")
    assert code == EXIT_INPUT
    assert "cannot be written" in err
    assert "Traceback" not in err
    assert blocked.read_text() == "a file where the docs folder should be\n"


def test_settings_doc_prints_the_reference() -> None:
    code, out, _ = ops_in_process("settings-doc")
    assert code == EXIT_OK
    assert out.strip() == settings_doc.render().strip()


def test_a_program_with_its_own_ops_and_policies_folders_leaves_the_error_boundary_intact(tmp_path: Path) -> None:
    from ops.offline import evaluate

    other = tiny_program(tmp_path / "other", "import pulumi\nimport ops\nimport policies\n")
    for package in ("ops", "policies"):
        (other / package).mkdir()
        (other / package / "__init__.py").write_text("")
    evaluate(other, "test")
    config = tmp_path / "policy.json"
    config.write_bytes(b"{not json")
    code, _, err = ops_in_process(
        "plan", "--stack", "test", "--program", str(tiny_program(tmp_path)), "--policy-config", str(config)
    )
    assert code == EXIT_INPUT, err
    assert "not valid JSON" in err
