"""`python -m ops plan`: the offline plan of a stack and its policy results (DESIGN.md's evaluator contract)."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .delivery import print_delivery
from .offline import REDACTED, Evaluation, ProgramError, evaluate, redact_secrets
from .policy_check import Violation, load_policies, run_policies

EXIT_OK, EXIT_MANDATORY, EXIT_UNEVALUABLE = 0, 1, 2


def plan_document(evaluation: Evaluation, violations: list[Violation]) -> dict[str, Any]:
    """The `--json` document; secret values are redacted."""
    return {
        "stack": evaluation.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "provider": r.provider,
                "protect": r.protect,
                "retain_on_delete": r.retain_on_delete,
                "depends_on": r.depends_on,
                "inputs": redact_secrets(r.inputs),
            }
            for r in evaluation.resources
        ],
        "outputs": {k: (REDACTED if k in evaluation.secret_outputs else v) for k, v in evaluation.outputs.items()},
        "violations": [
            {
                "policy": v.policy,
                "enforcement": v.enforcement,
                "severity": v.severity,
                "urn": v.urn,
                "message": v.message,
            }
            for v in violations
        ],
    }


def exit_code(violations: list[Violation]) -> int:
    return EXIT_MANDATORY if any(v.enforcement == "mandatory" for v in violations) else EXIT_OK


def _print_human(evaluation: Evaluation, violations: list[Violation]) -> None:
    from rich.console import Console
    from rich.tree import Tree

    console = Console(highlight=False)
    children: dict[str, list[Any]] = defaultdict(list)
    urns = {r.urn for r in evaluation.resources}
    for r in evaluation.resources:
        children[r.parent if r.parent in urns else ""].append(r)

    root = Tree(f"[bold]{evaluation.project}-{evaluation.stack}[/] (pulumi:pulumi:Stack)")

    def add(node: Tree, parent: str) -> None:
        for r in children.get(parent, []):
            flags = "".join(
                f" [yellow]{f}[/]" for f, on in (("protect", r.protect), ("retain", r.retain_on_delete)) if on
            )
            branch = node.add(f"{r.name} [dim]({r.type})[/]{flags}")
            add(branch, r.urn)

    add(root, "")
    console.print(root)
    counts = Counter(r.type for r in evaluation.resources if r.custom)
    console.print(
        f"\n[bold]{sum(counts.values())} resources[/] in {len(evaluation.resources) - sum(counts.values())} components"
    )
    for type_, count in sorted(counts.items()):
        console.print(f"  {count:3d}  {type_}")
    console.print("\n[bold]Outputs[/]")
    for key, value in evaluation.outputs.items():
        shown = REDACTED if key in evaluation.secret_outputs else json.dumps(value, default=str)
        console.print(f"  {key}: {shown}")
    print_delivery(console, evaluation)
    console.print("\n[bold]Policies[/]")
    if not violations:
        console.print("  no violations")
    for level in ("mandatory", "advisory"):
        found = [v for v in violations if v.enforcement == level]
        if found:
            console.print(f"  [bold]{level}[/] ({len(found)})")
            for v in found:
                console.print(f"    [{v.severity or '-'}] {v.policy}: {v.message}\n      [dim]{v.urn}[/]")


def run_plan(stack: str, program: Path, as_json: bool, policy_config: Path | None = None) -> int:
    try:
        evaluation = evaluate(program, stack)
    except ProgramError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_UNEVALUABLE
    config = json.loads(policy_config.read_text()) if policy_config else {}
    violations = run_policies(evaluation, load_policies(), config)
    if as_json:
        json.dump(plan_document(evaluation, violations), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        _print_human(evaluation, violations)
    return exit_code(violations)
