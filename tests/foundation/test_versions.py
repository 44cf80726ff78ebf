"""Locked dependencies: the lock files satisfy the source ranges, carry hashes, agree with each other and with
the venv; the Pulumi CLI version is derived from the locked SDK, and docs/deploying.md and CI use exactly it."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from ops import versions
from tests.support.repository import REPO

LOCKS = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}


def _requirements(source: Path) -> list[Requirement]:
    found = []
    for raw in source.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += _requirements(source.parent / line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


@pytest.mark.parametrize(("source", "lock"), LOCKS.items())
def test_every_source_range_is_locked_to_a_version_inside_it(source: str, lock: str) -> None:
    locked = versions.locked_versions(REPO / lock)
    for requirement in _requirements(REPO / source):
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in locked, f"{lock} does not lock {requirement}; run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), f"{lock}: {name}=={locked[name]}"


@pytest.mark.parametrize("lock", LOCKS.values())
def test_every_locked_package_has_hashes(lock: str) -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", (REPO / lock).read_text().split("\n", 2)[2])
    pinned = [entry for entry in entries if "==" in entry.split("\n", 1)[0]]
    assert len(pinned) == len(versions.locked_versions(REPO / lock)) > 10
    for entry in pinned:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), entry.split("\n", 1)[0]


def test_the_runtime_lock_is_the_dev_lock_s_runtime_part() -> None:
    runtime = versions.locked_versions(REPO / "requirements.txt")
    dev = versions.locked_versions(REPO / "requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_venv_holds_exactly_the_locked_versions() -> None:
    """`make` installs from the dev lock with --require-hashes: what runs the tests is what is locked."""
    wrong = {}
    for name, version in versions.locked_versions().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            # Platform-conditional packages (for example colorama on Windows) are locked but not installed here.
            continue
        if Version(installed) != Version(version):
            wrong[name] = (installed, version)
    assert wrong == {}, "the venv differs from requirements-dev.txt: `make clean` then `make`"


def test_make_installs_only_from_the_lock_with_hashes() -> None:
    makefile = (REPO / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]
    # The program's and tools' environment, and Checkov's own (its pins would downgrade ours): both locked.
    assert installs == [
        "$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.txt",
        "$(CHECKOV_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements-checkov.txt",
    ]


def test_the_cli_version_is_the_first_engine_version_at_or_above_the_sdk() -> None:
    available = [Version(v) for v in ("3.260.0", "3.274.0", "3.274.1", "3.275.0")]
    assert versions.cli_version_for("3.272.0", available) == "3.274.0"
    assert versions.cli_version_for("3.274.0", available) == "3.274.0"
    assert versions.cli_version_for("3.274.1", available) == "3.274.1"
    with pytest.raises(versions.VersionError, match="run `make lock`"):
        versions.cli_version_for("3.276.0", available)
    sdk = versions.locked_version("pulumi")
    assert Version(versions.pulumi_cli_version()) >= Version(sdk) == Version(metadata.version("pulumi"))


def test_the_deploy_guide_installs_exactly_the_cli_version() -> None:
    readme = (REPO / "docs" / "deploying.md").read_text()
    assert re.findall(r"get\.pulumi\.com \| sh -s -- --version (\S+)`", readme) == [versions.pulumi_cli_version()]


@pytest.mark.parametrize("workflow", sorted((REPO / ".github" / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_every_pulumi_action_runs_the_cli_version(workflow: Path) -> None:
    text = workflow.read_text()
    steps = re.findall(r"uses: pulumi/actions@[^\n]*\n\s+with:\n((?:\s{10,}\S[^\n]*\n)+)", text)
    assert len(steps) == text.count("uses: pulumi/actions@")
    for block in steps:
        assert re.findall(r"pulumi-version: (\S+)", block) == [versions.pulumi_cli_version()]


def test_the_engine_build_uses_the_cli_version() -> None:
    engine = REPO / "tools" / "engine"
    if not engine.is_dir():
        pytest.skip("no tools/engine in this checkout")
    mentioned = {
        match
        for path in engine.rglob("*")
        if path.is_file() and path.suffix in {".mod", ".sh", ".txt", ".py", ".mk", ""}
        for match in re.findall(r"pulumi/pkg/v3 v(3\.\d+\.\d+)", path.read_text(errors="replace"))
    }
    assert mentioned <= {versions.pulumi_cli_version()}
