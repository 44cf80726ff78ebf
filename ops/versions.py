"""The one place the Pulumi CLI version comes from: the locked `pulumi` SDK.

The engine is built from the Go module github.com/pulumi/pulumi/pkg/v3, which is not published for every
SDK release. The CLI version is the first version of that module at or above the locked SDK version;
`pulumi_engine_versions.txt` beside this file holds the module's versions (`make lock` refreshes it with
`go list -m -versions`). The README, the CI workflows and the engine build use this version, and a test
checks that they agree with it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCK_FILE = REPO_ROOT / "requirements-dev.txt"
ENGINE_VERSIONS_FILE = Path(__file__).resolve().parent / "pulumi_engine_versions.txt"
ENGINE_MODULE = "github.com/pulumi/pulumi/pkg/v3"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


class VersionError(Exception):
    """The lock or the engine version list cannot answer (a message that says what to run)."""


def locked_versions(lock: Path = LOCK_FILE) -> dict[str, str]:
    """Package name (normalised: lower case, `-`) -> exact locked version."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in _PIN.findall(lock.read_text())}


def locked_version(package: str, lock: Path = LOCK_FILE) -> str:
    versions = locked_versions(lock)
    if package not in versions:
        raise VersionError(f"{lock.name} locks no {package}; run `make lock`")
    return versions[package]


def engine_versions(path: Path = ENGINE_VERSIONS_FILE) -> list[Version]:
    return sorted(Version(line.strip().removeprefix("v")) for line in path.read_text().splitlines() if line.strip())


def cli_version_for(sdk: str, available: list[Version]) -> str:
    """The first engine version at or above the SDK version."""
    wanted = Version(sdk)
    for version in sorted(available):
        if version >= wanted:
            return str(version)
    raise VersionError(f"no {ENGINE_MODULE} version at or above the locked pulumi {sdk}; run `make lock`")


def pulumi_cli_version() -> str:
    """The Pulumi CLI version every tool of this repository uses."""
    return cli_version_for(locked_version("pulumi"), engine_versions())


def refresh_engine_versions(path: Path = ENGINE_VERSIONS_FILE) -> list[str]:
    """Rewrite the engine version list from the Go module proxy (through the `go` command)."""
    try:
        listed = subprocess.run(
            ["go", "list", "-m", "-versions", ENGINE_MODULE], capture_output=True, text=True, check=True, timeout=120
        ).stdout.split()[1:]
    except (OSError, subprocess.SubprocessError) as exc:
        raise VersionError(f"`go list -m -versions {ENGINE_MODULE}` failed: {exc}") from None
    # Only stable 3.x releases from the SDK's floor on keep the file short.
    kept = [v for v in listed if re.fullmatch(r"v3\.\d+\.\d+", v) and Version(v[1:]) >= Version("3.200")]
    path.write_text("\n".join(sorted(kept, key=lambda v: Version(v[1:]))) + "\n")
    return kept


def run_versions(*, cli_only: bool, refresh: bool) -> int:
    """`python -m ops versions`: exit 0 with the versions, 2 with a message when they cannot be derived."""
    try:
        if refresh:
            refresh_engine_versions()
        cli = pulumi_cli_version()
        sdk = locked_version("pulumi")
    except (VersionError, OSError) as exc:
        print(f"versions: {exc}", file=sys.stderr)
        return 2
    print(cli if cli_only else f"pulumi SDK {sdk} (locked), Pulumi CLI {cli}")
    return 0
