"""Building blocks shared by the workflows: pinned steps, expressions, least-privilege defaults."""

from __future__ import annotations

from typing import Any

from components.shared.delivery_contract import WORKFLOW_FILES

from .actions import uses

RUNNER = "ubuntu-latest"
# Every workflow grants nothing at the top; each job asks for exactly what it uses.
NO_PERMISSIONS: dict[str, str] = {}
READ_CONTENTS = {"contents": "read"}
# Strict bash for every run step, so a failed command in a pipeline fails the step loudly.
BASH_DEFAULTS = {"run": {"shell": "bash"}}
STRICT = "set -euo pipefail\n"

Step = dict[str, Any]
Job = dict[str, Any]


def workflow_path(file_name: str) -> str:
    """The committed path of one of delivery_contract.WORKFLOW_FILES, by file name."""
    for path in WORKFLOW_FILES:
        if path.rsplit("/", 1)[-1] == file_name:
            return path
    raise KeyError(f"{file_name} is not one of delivery_contract.WORKFLOW_FILES")


def expr(expression: str) -> str:
    """A GitHub expression, for `env:`, `with:` and `if:` values only (never inside `run:`)."""
    return "${{ " + expression + " }}"


def var(name: str) -> str:
    return expr(f"vars.{name}")


def secret(name: str) -> str:
    return expr(f"secrets.{name}")


def script(*lines: str) -> str:
    """A `run:` body: strict bash first; values arrive through `env:`, never as `${{ }}` in the text."""
    return STRICT + "\n".join(lines) + "\n"


def checkout(*, full_history: bool = False) -> Step:
    step: Step = {
        "name": "Check out the repository",
        "uses": uses("actions/checkout"),
        # The job's token must not stay in .git/config for later steps (zizmor: artipacked).
        "with": {"persist-credentials": False},
    }
    if full_history:
        step["with"]["fetch-depth"] = 0
    return step


def setup_node(node_version: str) -> Step:
    return {"name": "Set up Node.js", "uses": uses("actions/setup-node"), "with": {"node-version": node_version}}


def aws_credentials(name: str, role_variable: str, region: str) -> Step:
    """Short-lived AWS credentials through GitHub OIDC (the job needs `id-token: write`)."""
    return {
        "name": name,
        "uses": uses("aws-actions/configure-aws-credentials"),
        "with": {
            "role-to-assume": var(role_variable),
            "aws-region": region,
            "role-session-name": "github-${{ github.run_id }}-${{ github.run_attempt }}",
        },
    }
