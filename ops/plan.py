"""`python -m ops plan`: the offline plan of a stack and its policy results (the evaluator contract in README.md)."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from .boundary import EXIT_FAILED, EXIT_INPUT, EXIT_OK
from .delivery import print_delivery
from .offline import REDACTED, Evaluation, evaluate, redact_secrets
from .policy_check import Violation, load_policies, run_policies
from .policy_config import read_policy_config

EXIT_MANDATORY, EXIT_UNEVALUABLE = EXIT_FAILED, EXIT_INPUT
__all__ = ["EXIT_MANDATORY", "EXIT_OK", "EXIT_UNEVALUABLE", "exit_code", "plan_document", "run_plan"]


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


def shown(text: Any) -> str:
    """A name or value as printed: control characters (newlines, terminal escapes) escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in str(text))


def _line(*parts: str | tuple[str, str]) -> Text:
    """Text built from plain parts and (text, style) pairs: names and values are never read as markup."""
    return Text.assemble(*((shown(p), "") if isinstance(p, str) else (shown(p[0]), p[1]) for p in parts))


def _print_human(evaluation: Evaluation, violations: list[Violation]) -> None:
    console = Console(highlight=False, emoji=False, markup=False)
    children: dict[str, list[Any]] = defaultdict(list)
    urns = {r.urn for r in evaluation.resources}
    for r in evaluation.resources:
        children[r.parent if r.parent in urns else ""].append(r)

    root = Tree(_line((f"{evaluation.project}-{evaluation.stack}", "bold"), " (pulumi:pulumi:Stack)"))

    def add(node: Tree, parent: str) -> None:
        for r in children.get(parent, []):
            flags = [(f" {f}", "yellow") for f, on in (("protect", r.protect), ("retain", r.retain_on_delete)) if on]
            branch = node.add(_line(r.name, (f" ({r.type})", "dim"), *flags))
            add(branch, r.urn)

    add(root, "")
    console.print(root)
    counts = Counter(r.type for r in evaluation.resources if r.custom)
    components = len(evaluation.resources) - sum(counts.values())
    console.print()
    console.print(_line((f"{sum(counts.values())} resources", "bold"), f" in {components} components"))
    for type_, count in sorted(counts.items()):
        console.print(_line(f"  {count:3d}  {type_}"))
    console.print()
    console.print(_line(("Outputs", "bold")))
    for key, value in evaluation.outputs.items():
        value_text = REDACTED if key in evaluation.secret_outputs else json.dumps(value, default=str)
        console.print(_line(f"  {key}: {value_text}"))
    print_delivery(console, evaluation)
    console.print()
    console.print(_line(("Policies", "bold")))
    if not violations:
        console.print(_line("  no violations"))
    for level in ("mandatory", "advisory"):
        found = [v for v in violations if v.enforcement == level]
        if found:
            console.print(_line("  ", (level, "bold"), f" ({len(found)})"))
            for v in found:
                console.print(_line(f"    [{v.severity or '-'}] {v.policy}: {v.message}"))
                console.print(_line("      ", (v.urn, "dim")))


def run_plan(stack: str, program: Path, as_json: bool, policy_config: Path | None = None) -> int:
    """Plan `stack`; bad input raises `InputError` (exit 2 at the command's boundary) before the program runs."""
    policies = load_policies()
    config = read_policy_config(policy_config, policies) if policy_config else {}
    evaluation = evaluate(program, stack)
    violations = run_policies(evaluation, policies, config)
    if as_json:
        json.dump(plan_document(evaluation, violations), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        _print_human(evaluation, violations)
    return exit_code(violations)
