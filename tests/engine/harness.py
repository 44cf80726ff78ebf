"""The real Pulumi CLI on a file backend in a temporary folder, with stub provider plugins as the cloud.

Everything on our side of the provider boundary is real: config and secrets (passphrase provider), the engine's
plan, policy enforcement, protect and retain, state, history, export and import. The providers are
`stub_provider.py` (a test double), so nothing here deploys anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.repository import REPO

BUILD_SCRIPT = REPO / "tools" / "engine" / "build.sh"
AUTOMATION = REPO / "ops" / "automation.py"
STUB = Path(__file__).resolve().parent / "stub_provider.py"
PROVIDERS = ("aws", "github", "cloudflare")
PASSPHRASE = "engine-test-passphrase"
REQUIRE_ENV = "REQUIRE_ENGINE_TESTS"
# What a program copy needs: the program and its settings (and, when asked, the policy pack). Never `ops/` or the
# tests: evaluating a copy in-process evicts the modules whose names the copy defines, and a second `ops` or
# `policies` would leave two classes of every error in this process.
_NEVER_COPIED = (
    ".git",
    ".venv",
    ".venv-checkov",
    "venv",
    "ops",
    "tests",
    "tools",
    "docs",
    "schema",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)


def locate_cli() -> Path | None:
    """The pinned CLI if it is at hand (built by `make engine` or on PATH); None otherwise."""
    done = subprocess.run([str(BUILD_SCRIPT), "--locate"], capture_output=True, text=True, check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def copy_program(destination: Path, source: Path = REPO, *, with_policy_pack: bool = False) -> Path:
    ignored = _NEVER_COPIED if with_policy_pack else (*_NEVER_COPIED, "policies")
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*ignored))
    return destination


@dataclass
class Engine:
    """One isolated CLI environment: its own PULUMI_HOME, state folder, passphrase and stub plugins."""

    cli: Path
    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, cli: Path, root: Path) -> Engine:
        plugins = root / "plugins"
        plugins.mkdir(parents=True)
        for name in PROVIDERS:
            launcher = plugins / f"pulumi-resource-{name}"
            launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STUB}" {name} "$@"\n')
            launcher.chmod(0o755)
        (root / "state").mkdir()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PULUMI_", "AWS_", "GITHUB_", "CLOUDFLARE_"))
        }
        env.update(
            PATH=os.pathsep.join([str(plugins), str(cli.parent), env.get("PATH", "")]),
            PULUMI_HOME=str(root / "home"),
            PULUMI_BACKEND_URL=f"file://{root / 'state'}",
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK="true",
            STUB_PROVIDER_LOG=str(root / "stub-calls.jsonl"),
            PYTHONPATH=str(REPO),
        )
        return cls(cli=cli, root=root, env=env)

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    def pulumi(
        self, *args: str, cwd: Path, check: bool = True, timeout: int = 300, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.cli), *args, "--non-interactive"],
            cwd=cwd,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def run_program(
        self,
        operation: str,
        program: Path,
        stack: str,
        *,
        policy_pack: Path | None = None,
        message: str | None = None,
        events: Path | None = None,
        timeout: int = 600,
    ) -> subprocess.CompletedProcess[str]:
        """`preview` or `up` through ops/automation.py (the Automation API's inline path)."""
        args = [sys.executable, str(AUTOMATION), operation, "--cwd", str(program), "--stack", stack]
        if policy_pack is not None:
            args += ["--policy-pack", str(policy_pack)]
        if message is not None:
            args += ["--message", message]
        if events is not None:
            args += ["--event-log", str(events)]
        return subprocess.run(
            args, cwd=program, env=self.env, capture_output=True, text=True, check=False, timeout=timeout
        )

    def init_stack(self, program: Path, stack: str) -> None:
        self.pulumi("stack", "init", stack, "--secrets-provider", "passphrase", cwd=program)

    def set_secret(self, program: Path, stack: str, key: str, value: str) -> None:
        # The value goes on stdin, never on the command line, as the docs tell users to do.
        self.pulumi("config", "set", "--secret", "--stack", stack, key, cwd=program, stdin=value)

    def stub_calls(self) -> list[dict[str, Any]]:
        log = Path(self.env["STUB_PROVIDER_LOG"])
        if not log.is_file():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    def clear_stub_calls(self) -> None:
        Path(self.env["STUB_PROVIDER_LOG"]).unlink(missing_ok=True)

    def export(self, program: Path, stack: str) -> dict[str, Any]:
        return json.loads(self.pulumi("stack", "export", "--stack", stack, cwd=program).stdout)

    def history(self, program: Path, stack: str) -> list[dict[str, Any]]:
        out = self.pulumi("stack", "history", "--stack", stack, "--json", "--show-secrets=false", cwd=program).stdout
        return json.loads(out)


def resources_of(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    return list(deployment.get("deployment", {}).get("resources") or [])


def program_resources(urn_types: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """(urn, type) pairs a program registered: the stack itself and the engine's default providers left out."""
    return {
        (urn, type_)
        for urn, type_ in urn_types
        if type_ != "pulumi:pulumi:Stack" and not (type_.startswith("pulumi:providers:") and "::default" in urn)
    }
