"""Command line of the operations tools: `python -m ops plan|scan|bench|rollback ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("plan", help="offline plan and policy results of a stack")
    plan.add_argument("--stack", required=True, help="stack name; reads Pulumi.<stack>.yaml")
    plan.add_argument("--program", type=Path, default=REPO_ROOT, help="Pulumi program directory")
    plan.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    plan.add_argument("--policy-config", type=Path, help="JSON policy config, as `--policy-pack-config` takes")

    scan = commands.add_parser("scan", help="Checkov on the offline plan of a stack (see docs/scan.md)")
    scan.add_argument("--stack", required=True, help="stack name; reads Pulumi.<stack>.yaml")
    scan.add_argument("--program", type=Path, default=REPO_ROOT, help="Pulumi program directory")
    scan.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="report format")
    scan.add_argument("--output", type=Path, help="write the report to this file instead of stdout")
    scan.add_argument("--exceptions", type=Path, help="reviewed exceptions (default: DIR/scan-exceptions.yaml)")

    commands.add_parser("bench", help="median plan time against the import floor")

    docs = commands.add_parser("settings-doc", help="print (or --write into README.md) the settings reference")
    docs.add_argument("--write", action="store_true", help="rewrite the README block")

    back = commands.add_parser("rollback", help="roll a stack back to an earlier update (see README: operations)")
    back.add_argument("--stack", required=True, help="stack name")
    back.add_argument("--to", help="target: @N (position, 0 = newest), version number, commit prefix, or ISO time")
    back.add_argument("--dry-run", action="store_true", help="stop after the preview; change nothing")
    back.add_argument("--yes", action="store_true", help="do not ask for confirmation (CI)")
    back.add_argument("--state-only", action="store_true", help="break-glass: import the target's state checkpoint")
    back.add_argument("--cwd", type=Path, default=Path(), help="Pulumi project directory (default: current)")

    args = parser.parse_args(argv)
    if args.command == "rollback":
        from .rollback import Options, run_rollback

        return run_rollback(Options(args.stack, args.to, args.dry_run, args.yes, args.state_only, args.cwd))
    if args.command == "plan":
        from .plan import run_plan

        return run_plan(args.stack, args.program, args.json, args.policy_config)
    if args.command == "scan":
        from .scan import run_scan

        return run_scan(args.stack, args.program, args.format, args.output, args.exceptions)
    if args.command == "settings-doc":
        from .settings_doc import render, write

        if args.write:
            write()
        else:
            print(render())
        return 0
    from .bench import run_bench

    return run_bench()


if __name__ == "__main__":
    sys.exit(main())
