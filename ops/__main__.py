"""Command line of the operations tools: `python -m ops [--debug] plan|scan|cost|diagram|stack-docs|bench|rollback|check-stacks|settings-doc ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .boundary import EXIT_OK, guarded

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
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

    cost = commands.add_parser("cost", help="monthly cost of a stack at list prices (an estimate; see docs/cost.md)")
    cost.add_argument("--stack", required=True, help="stack name; reads Pulumi.<stack>.yaml")
    cost.add_argument("--program", type=Path, default=REPO_ROOT, help="Pulumi program directory")
    cost.add_argument("--full-dump-gb", type=float, default=1.0, help="size of one full dump per app (example)")
    cost.add_argument("--incremental-dump-gb", type=float, default=0.1, help="size of one incremental dump (example)")

    diagram = commands.add_parser("diagram", help="architecture picture of a stack as Mermaid in Markdown")
    diagram.add_argument("--stack", required=True, help="stack name; reads Pulumi.<stack>.yaml")
    diagram.add_argument("--program", type=Path, default=REPO_ROOT, help="Pulumi program directory")

    stack_docs = commands.add_parser("stack-docs", help="print (or --write into docs/) each stack's picture and cost")
    stack_docs.add_argument("--write", action="store_true", help="rewrite the generated blocks under docs/")

    docs = commands.add_parser(
        "settings-doc", help="print the settings reference (--write: docs/settings.md and the stack file schema)"
    )
    docs.add_argument("--write", action="store_true", help="rewrite docs/settings.md and schema/")

    check = commands.add_parser("check-stacks", help="refuse stacks that collide in one AWS account or repository")
    check.add_argument("--program", type=Path, default=REPO_ROOT, help="Pulumi program directory")

    versions = commands.add_parser("versions", help="the locked pulumi SDK and the Pulumi CLI version derived from it")
    versions.add_argument("--cli", action="store_true", help="print only the CLI version (for scripts)")
    versions.add_argument("--refresh", action="store_true", help="re-read the engine versions (`go list`)")

    back = commands.add_parser("rollback", help="roll a stack back to an earlier update (see docs/operations.md)")
    back.add_argument("--stack", required=True, help="stack name")
    back.add_argument("--to", help="target: @N (position, 0 = newest), version number, commit prefix, or ISO time")
    back.add_argument("--dry-run", action="store_true", help="stop after the preview; change nothing")
    back.add_argument("--yes", action="store_true", help="do not ask for confirmation (CI)")
    back.add_argument("--state-only", action="store_true", help="break-glass: import the target's state checkpoint")
    back.add_argument("--cwd", type=Path, default=Path(), help="Pulumi project directory (default: current)")

    args = parser.parse_args(argv)
    return guarded(args.command, lambda: _run(args), debug=args.debug)


def _rollback(args: argparse.Namespace) -> int:
    from .rollback import RollbackOptions, run_rollback

    return run_rollback(RollbackOptions(args.stack, args.to, args.dry_run, args.yes, args.state_only, args.cwd))


def _plan(args: argparse.Namespace) -> int:
    from .plan import run_plan

    return run_plan(args.stack, args.program, args.json, args.policy_config)


def _check_stacks(args: argparse.Namespace) -> int:
    from .check_stacks import run_check_stacks

    return run_check_stacks(args.program)


def _versions(args: argparse.Namespace) -> int:
    from .versions import run_versions

    return run_versions(cli_only=args.cli, refresh=args.refresh)


def _scan(args: argparse.Namespace) -> int:
    from .scan import run_scan

    return run_scan(args.stack, args.program, args.format, args.output, args.exceptions)


def _settings_doc(args: argparse.Namespace) -> int:
    from .settings_doc import render, write

    if args.write:
        write()
    else:
        print(render())
    return EXIT_OK


def _cost(args: argparse.Namespace) -> int:
    from .cost import run_cost

    return run_cost(args.stack, args.program, args.full_dump_gb, args.incremental_dump_gb)


def _diagram(args: argparse.Namespace) -> int:
    from .diagram import run_diagram

    return run_diagram(args.stack, args.program)


def _stack_docs(args: argparse.Namespace) -> int:
    from .stack_docs import run_stack_docs

    return run_stack_docs(write_files=args.write)


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    return run_bench()


# Each command imports what it needs only when it runs (the plan stays fast without rich, checkov, ...).
COMMANDS = {
    "rollback": _rollback,
    "plan": _plan,
    "check-stacks": _check_stacks,
    "versions": _versions,
    "scan": _scan,
    "settings-doc": _settings_doc,
    "cost": _cost,
    "diagram": _diagram,
    "stack-docs": _stack_docs,
    "bench": _bench,
}


def _run(args: argparse.Namespace) -> int:
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
