"""The pack's shape: names, metadata, config schemas, the PolicyPack arguments, and side-effect-free imports."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy

from components.settings.tags import COST_TAG_KEYS
from policies import tags
from policies.catalog import ALL_POLICIES, PACK_NAME
from tests.support.repository import REPO

POLICIES_DIR = REPO / "policies"
DOMAINS = {"s3", "kms", "sns", "cloudwatch", "cost", "iam", "edge", "github", "data-safety", "tags"}
RULE_MODULES = sorted(p.stem for p in POLICIES_DIR.glob("*.py") if p.stem not in ("__main__", "__init__"))


def test_names_descriptions_levels_severities() -> None:
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names)), "policy names must be unique"
    for policy in ALL_POLICIES:
        domain = next((d for d in DOMAINS if policy.name.startswith(f"{d}-")), None)
        assert domain, f"{policy.name} is not <domain>-<what>"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", policy.name)
        assert policy.description.startswith("Ensure ")
        assert policy.enforcement_level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY)
        assert policy.severity is not None
        assert policy.remediation_steps
        assert isinstance(policy, (ResourceValidationPolicy, StackValidationPolicy))


def test_every_rule_module_is_in_the_catalog() -> None:
    # By name: a test that evaluates a copy of the repository in-process re-imports the rule modules.
    listed = {p.name for p in ALL_POLICIES}
    for name in RULE_MODULES:
        module = importlib.import_module(f"policies.{name}")
        for policy in getattr(module, "POLICIES", []):
            assert policy.name in listed, f"{policy.name} of policies/{name}.py is not in ALL_POLICIES"


def test_config_schema_defaults_are_valid() -> None:
    for policy in ALL_POLICIES:
        if policy.config_schema is None:
            continue
        assert "enforcementLevel" not in policy.config_schema.properties
        for key, spec in policy.config_schema.properties.items():
            assert "default" in spec, f"{policy.name}.{key} needs a default (the engine applies it)"
            jsonschema.validate(spec["default"], spec)


def test_policy_pack_accepts_our_arguments() -> None:
    """PolicyPack validates name, policies, then enforcement_level before it serves; an invalid level, given
    last, proves the name and every policy passed (a valid call would block serving gRPC)."""
    with pytest.raises(TypeError, match="Expected enforcement_level to be an EnforcementLevel"):
        PolicyPack(PACK_NAME, list(ALL_POLICIES), enforcement_level="advisory")  # pyright: ignore[reportArgumentType]
    with pytest.raises(TypeError, match="Expected each policy"):
        PolicyPack(PACK_NAME, [*ALL_POLICIES, "not a policy"])  # pyright: ignore[reportArgumentType]
    with pytest.raises(TypeError, match="Invalid policy pack name"):
        PolicyPack("functions platform", list(ALL_POLICIES))


def test_pack_files() -> None:
    project = yaml.safe_load((POLICIES_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    requirements = (POLICIES_DIR / "requirements.txt").read_text()
    for package in ("pulumi-policy", "pulumi-aws", "PyYAML"):
        assert package in requirements
    main = (POLICIES_DIR / "__main__.py").read_text()
    assert "PolicyPack(" in main
    assert "sys.path.insert(0, str(Path(__file__).resolve().parent.parent))" in main
    others = [p for p in POLICIES_DIR.glob("*.py") if p.name != "__main__.py"]
    assert not [p.name for p in others if "PolicyPack(" in p.read_text()]


def _readme_rules() -> dict[str, tuple[str, str, str]]:
    text = (POLICIES_DIR / "README.md").read_text()
    table = text.split("## Rules and the external controls they cover", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([a-z0-9-]+) \| (resource|stack) \| ([MA]) / (\w+) \|", table, re.M)
    return {name: (kind, level, severity) for name, kind, level, severity in rows}


def test_the_readme_rule_table_is_the_pack() -> None:
    pack = {
        p.name: (
            "resource" if isinstance(p, ResourceValidationPolicy) else "stack",
            "M" if p.enforcement_level == EnforcementLevel.MANDATORY else "A",
            p.severity.value if p.severity else "",
        )
        for p in ALL_POLICIES
    }
    assert _readme_rules() == pack


def test_advisory_rules_say_why_in_their_description() -> None:
    for policy in ALL_POLICIES:
        if policy.enforcement_level == EnforcementLevel.ADVISORY:
            assert "Advisory:" in policy.description, policy.name


def test_cost_tag_keys_agree_with_the_program() -> None:
    assert list(COST_TAG_KEYS) == tags.COST_TAG_KEYS
    schema = tags.COST_TAGS.config_schema
    assert schema is not None
    assert schema.properties["requiredKeys"]["default"] == list(COST_TAG_KEYS)


def test_rule_modules_import_quickly_without_side_effects() -> None:
    """A fresh interpreter imports every module but __main__ (which would serve and block) within seconds."""
    code = "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\nprint('ok')"
    modules = ["policies", *(f"policies.{m}" for m in RULE_MODULES)]
    result = subprocess.run(
        [sys.executable, "-c", code, *modules], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    assert "policies.__main__" not in sys.modules


def test_the_pack_entry_point_finds_the_package_from_its_own_directory(tmp_path: Path) -> None:
    """The engine runs __main__.py with policies/ as cwd; its path bootstrap must make `policies` importable.
    Run the bootstrap lines only (everything before PolicyPack is constructed)."""
    main = (POLICIES_DIR / "__main__.py").read_text()
    bootstrap = main.split("PolicyPack(\n", 1)[0]
    script = tmp_path / "bootstrap.py"
    script.write_text(
        bootstrap.replace("__file__", repr(str(POLICIES_DIR / "__main__.py"))) + "\nprint(len(ALL_POLICIES))"
    )
    result = subprocess.run(
        [sys.executable, str(script)], cwd=POLICIES_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(ALL_POLICIES))
