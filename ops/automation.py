"""Preview or update a stack of a Pulumi Python program through the Automation API's inline path.

`python ops/automation.py preview|up --cwd DIR --stack NAME [--policy-pack DIR] [--message TEXT]`

The inline path serves the program from this Python process, so the CLI needs no Python language host
(`pulumi-language-python`). The CLI still does everything else: it reads `DIR/Pulumi.yaml` and
`DIR/Pulumi.NAME.yaml`, decrypts config, runs the policy packs, records git metadata of `DIR` and writes the
state. `ops rollback` runs this file as a script with the interpreter of the live checkout, so it imports nothing
from `ops` and runs whatever commit is checked out in DIR.

Policy packs: a CLI that has the Python language host runs a pack directory as it is. One that lacks it (a CLI built
from its Go module) is handed an executable launcher instead, which the engine starts as a binary analyzer plugin;
the launcher runs the pack's `__main__.py` with this interpreter.

Exit status: 0 on success, 1 when the operation failed (the CLI's own message is printed), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from pulumi import automation as auto

LANGUAGE_HOST = "pulumi-language-python"


def has_language_host(pulumi_binary: str | None) -> bool:
    """True when the CLI can start Python plugins (policy packs) itself: its language host is on PATH or beside it."""
    if shutil.which(LANGUAGE_HOST):
        return True
    return bool(pulumi_binary) and (Path(pulumi_binary).resolve().parent / LANGUAGE_HOST).is_file()


@contextmanager
def policy_pack_arguments(packs: list[Path], pulumi_binary: str | None) -> Iterator[list[str]]:
    """The `--policy-pack` values for this CLI: the directories, or executable launchers of them."""
    if not packs or has_language_host(pulumi_binary):
        yield [str(pack) for pack in packs]
        return
    with tempfile.TemporaryDirectory(prefix="policy-launchers-") as scratch:
        launchers = []
        for number, pack in enumerate(packs):
            launcher = Path(scratch) / f"pack-{number}" / "pulumi-analyzer-policy"
            launcher.parent.mkdir()
            # The engine passes its address as the first argument; PolicyPack reads it and prints its port.
            launcher.write_text(f'#!/bin/sh\ncd "{pack}"\nexec "{sys.executable}" "{pack / "__main__.py"}" "$@"\n')
            launcher.chmod(0o700)
            launchers.append(str(launcher))
        yield launchers


def inline_program(program_dir: Path) -> Callable[[], None]:
    """The program's `__main__.py`, run as `pulumi` would run it: from its directory, with it first on sys.path."""
    main = program_dir / "__main__.py"

    def run() -> None:
        previous = Path.cwd()
        sys.path.insert(0, str(program_dir))
        os.chdir(program_dir)
        try:
            runpy.run_path(str(main), run_name="__main__")
        finally:
            os.chdir(previous)
            sys.path.remove(str(program_dir))

    return run


def step_logger(path: Path) -> Callable[[auto.EngineEvent], None]:
    """Records which resources the engine planned (no property values, so no secrets)."""

    def record(event: auto.EngineEvent) -> None:
        step = event.resource_pre_event
        if step is None:
            return
        entry = {"op": str(step.metadata.op.value), "urn": step.metadata.urn, "type": step.metadata.type}
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")

    return record


def project_name(program_dir: Path) -> str:
    document = yaml.safe_load((program_dir / "Pulumi.yaml").read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise SystemExit(f"{program_dir / 'Pulumi.yaml'}: no project name")
    return document["name"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ops/automation.py", description="Preview or update a stack, inline.")
    parser.add_argument("operation", choices=["preview", "up"])
    parser.add_argument("--cwd", type=Path, required=True, help="the Pulumi program directory")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--policy-pack", type=Path, action="append", default=[], dest="policy_packs")
    parser.add_argument("--message", help="update message (up only)")
    parser.add_argument("--event-log", type=Path, help="append each step's operation, URN and type as JSON lines")
    args = parser.parse_args(argv)

    program_dir = args.cwd.resolve()
    binary = shutil.which("pulumi")
    command = auto.PulumiCommand(root=str(Path(binary).resolve().parent.parent)) if binary else None
    stack = auto.select_stack(
        args.stack,
        project_name=project_name(program_dir),
        program=inline_program(program_dir),
        opts=auto.LocalWorkspaceOptions(work_dir=str(program_dir), pulumi_command=command),
    )
    packs = [pack.resolve() for pack in args.policy_packs]
    on_event = step_logger(args.event_log) if args.event_log else None
    try:
        with policy_pack_arguments(packs, binary) as policy_packs:
            if args.operation == "preview":
                stack.preview(policy_packs=policy_packs, on_output=print, on_event=on_event, color="never")
            else:
                stack.up(
                    policy_packs=policy_packs,
                    message=args.message,
                    on_output=print,
                    on_event=on_event,
                    color="never",
                    show_secrets=False,
                )
    except auto.CommandError as exc:
        # The CLI's own output was printed as it came; its error text names the failing step.
        print(str(exc).strip().splitlines()[-1] if str(exc).strip() else "pulumi failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
