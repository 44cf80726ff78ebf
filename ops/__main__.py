"""Command line of the operations tools: `python -m ops plan|bench ...`."""

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

    commands.add_parser("bench", help="median plan time against the import floor")

    docs = commands.add_parser("settings-doc", help="print (or --write into README.md) the settings reference")
    docs.add_argument("--write", action="store_true", help="rewrite the README block")

    args = parser.parse_args(argv)
    if args.command == "plan":
        from .plan import run_plan

        return run_plan(args.stack, args.program, args.json, args.policy_config)
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
