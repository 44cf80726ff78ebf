"""The generated parts of the docs: each stack's picture (`docs/architecture.md`), resource counts and cost
(`docs/cost.md`) and `pulumi import` commands (`docs/first-deploy.md`).

`python -m ops stack-docs --write` rewrites every block between `<!-- generated:KIND:STACK -->` and
`<!-- /generated:KIND:STACK -->`; the text around the blocks is kept. A test fails when a committed block
differs from what the offline plan gives, so the docs cannot go stale.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .boundary import EXIT_OK, InputError
from .cost import estimate, load_prices, render, render_counts
from .diagram import build, overview
from .imports import render as render_imports
from .offline import Evaluation, evaluate

REPO_ROOT = Path(__file__).resolve().parent.parent
STACKS = ("staging", "production")
ARCHITECTURE = REPO_ROOT / "docs" / "architecture.md"
COST = REPO_ROOT / "docs" / "cost.md"
FIRST_DEPLOY = REPO_ROOT / "docs" / "first-deploy.md"
README = REPO_ROOT / "README.md"


def _architecture(evaluation: Evaluation) -> str:
    return f"```mermaid\n{build(evaluation).mermaid()}\n```"


def _cost(evaluation: Evaluation) -> str:
    result = estimate(evaluation, load_prices())
    # The doc has its own heading per stack: the rendered `## ...` heading is dropped, `###` moves one level down.
    body = render(result).split("\n", 2)[2].replace("### ", "#### ")
    return f"#### Resources by kind\n\n{render_counts(result)}\n\n{body}"


def _overview(evaluation: Evaluation) -> str:
    return f"```mermaid\n{overview(build(evaluation)).mermaid()}\n```"


def _summary(evaluations: dict[str, Evaluation]) -> str:
    """One row per stack: what it creates and what it costs, as docs/cost.md details it."""
    rows = [
        "| Stack | Resources | Components | Fixed, USD a month | From the third year | Backups example, USD a month |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for stack in STACKS:
        evaluation = evaluations[stack]
        result = estimate(evaluation, load_prices())
        components = sum(1 for r in evaluation.resources if r.type.startswith("platform:"))
        rows.append(
            f"| [`{stack}`](docs/cost.md#{stack}) | {len(evaluation.resources)} | {components} "
            f"| {result.fixed_total:,.2f} | {result.fixed_total_after_rotations:,.2f} | {result.example.total:,.2f} |"
        )
    staging, production = (Counter(r.type for r in evaluations[s].resources) for s in STACKS)
    more = [
        f"{production[t] - staging[t]} `{t.split(':')[-1]}`" for t in sorted(production) if production[t] > staging[t]
    ]
    fewer = [
        f"{staging[t] - production[t]} `{t.split(':')[-1]}`" for t in sorted(staging) if staging[t] > production[t]
    ]
    rows += ["", "Production has, beyond staging: " + (", ".join(more) or "nothing") + "."]
    if fewer:
        rows[-1] += " Staging has more: " + ", ".join(fewer) + "."
    return "\n".join(rows)


GENERATORS: dict[str, tuple[Path, Callable[[Evaluation], str]]] = {
    "architecture": (ARCHITECTURE, _architecture),
    "cost": (COST, _cost),
    "imports": (FIRST_DEPLOY, render_imports),
}


def block_pattern(kind: str, stack: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated:{kind}:{stack} -->\n)(.*?)\n?(<!-- /generated:{kind}:{stack} -->)", re.S)


def rendered(evaluations: dict[str, Evaluation]) -> dict[Path, dict[str, str]]:
    """File -> block name -> the text the plan gives for it."""
    out: dict[Path, dict[str, str]] = {}
    for kind, (path, generate) in GENERATORS.items():
        out[path] = {f"{kind}:{stack}": generate(evaluations[stack]) for stack in STACKS}
    # The README shows production's overview and one summary row per stack.
    out[README] = {"overview:production": _overview(evaluations["production"]), "summary:stacks": _summary(evaluations)}
    return out


def committed(path: Path, name: str) -> str | None:
    """The committed text of one block, or None when the file or the block markers are missing."""
    kind, stack = name.split(":")
    try:
        match = block_pattern(kind, stack).search(path.read_text(encoding="utf-8"))
    except OSError:
        return None
    return match.group(2) if match else None


def stale(evaluations: dict[str, Evaluation]) -> list[str]:
    """Blocks whose committed text differs from the plan, as `file: block`."""
    return [
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path, blocks in rendered(evaluations).items()
        for name, text in blocks.items()
        if committed(path, name) != text
    ]


def write(evaluations: dict[str, Evaluation]) -> list[Path]:
    written: list[Path] = []
    for path, blocks in rendered(evaluations).items():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path.relative_to(REPO_ROOT)}: cannot be read ({exc.strerror})") from None
        for name, body in blocks.items():
            kind, stack = name.split(":")
            pattern = block_pattern(kind, stack)
            if not pattern.search(text):
                raise InputError(
                    f"{path.relative_to(REPO_ROOT)}: no `<!-- generated:{name} -->` ... `<!-- /generated:{name} -->` block"
                )
            text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(3), text)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def run_stack_docs(*, write_files: bool) -> int:
    evaluations = {stack: evaluate(REPO_ROOT, stack) for stack in STACKS}
    if write_files:
        for path in write(evaluations):
            print(f"wrote {path.relative_to(REPO_ROOT)}")
        return EXIT_OK
    for blocks in rendered(evaluations).values():
        for name, text in blocks.items():
            print(f"<!-- {name} -->\n{text}\n")
    return EXIT_OK
