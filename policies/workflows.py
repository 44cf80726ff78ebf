"""A model of GitHub Actions files committed by the stack (`RepositoryFile`): workflows under
`.github/workflows/` and composite actions (`action.yml` / `action.yaml` anywhere), with what a reviewer asks
of them: which events trigger a workflow, what each job may write, which steps check out which ref, which
`uses:` are pinned, and which `run:` scripts expand attacker-controlled expressions.

YAML 1.1 reads the key `on` as the boolean True; the model accepts both spellings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from .common import as_list, value_at

# Only reading here: PyYAML's safe loader in C (libyaml) where the wheel has it, else the same in Python.
SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PINNED = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
PINNED_DOCKER = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
# Contexts whose values the author of a pull request, issue, comment or branch name controls.
UNTRUSTED = re.compile(r"github\.event\.|github\.head_ref", re.I)
HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.|github\.head_ref|github\.event\.workflow_run\.head_|refs/pull/|"
    r"github\.event\.issue\.pull_request",
    re.I,
)
GIT_HEAD = re.compile(r"\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull/", re.I)
PRIVILEGED_TRIGGERS = {"pull_request_target", "workflow_run", "issue_comment"}
ALL_SCOPES = (
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
)


def is_workflow_path(path: str) -> bool:
    return path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))


def is_action_path(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in ("action.yml", "action.yaml")


@dataclass(frozen=True)
class Step:
    where: str
    uses: str | None
    run: str | None
    with_: Mapping[str, Any]

    def is_checkout(self) -> bool:
        return bool(self.uses) and str(self.uses).lower().split("@")[0] == "actions/checkout"

    def checks_out_head(self) -> bool:
        """Fetches the pull request's code: checkout of its head ref, or git/gh commands that do the same."""
        if self.is_checkout():
            return bool(HEAD_REF.search(str(self.with_.get("ref") or "") + str(self.with_.get("repository") or "")))
        script = self.run or ""
        return bool(GIT_HEAD.search(script)) or (
            re.search(r"\bgit\s+(fetch|checkout|pull|clone|switch)\b", script) is not None
            and HEAD_REF.search(script) is not None
        )

    def expands_untrusted(self) -> list[str]:
        """Expressions of untrusted contexts inside a shell script (or a github-script body)."""
        scripts = [self.run or ""]
        if self.uses and self.uses.lower().startswith("actions/github-script@"):
            scripts.append(str(self.with_.get("script") or ""))
        return [e.strip() for s in scripts for e in EXPRESSION.findall(s) if UNTRUSTED.search(e)]


def permission_writes(value: Any) -> list[str] | None:
    """Scopes a permissions value grants write to; None when it is not declared."""
    if value is None:
        return None
    if value == "write-all":
        return list(ALL_SCOPES)
    if isinstance(value, Mapping):
        return sorted(str(k) for k, v in value.items() if str(v) == "write")
    return []


@dataclass
class Job:
    name: str
    permissions: Any
    uses: str | None
    steps: list[Step] = field(default_factory=list)


@dataclass
class ActionFile:
    """A parsed workflow or composite action; `error` says why it could not be read."""

    path: str
    kind: str  # "workflow" or "action"
    doc: Mapping[str, Any]
    error: str = ""

    @property
    def triggers(self) -> set[str]:
        on = self.doc.get("on", self.doc.get(True))  # pyright: ignore[reportArgumentType]
        if isinstance(on, str):
            return {on}
        if isinstance(on, Mapping):
            return {str(k) for k in on}
        return {str(t) for t in as_list(on)}

    @property
    def permissions(self) -> Any:
        return self.doc.get("permissions")

    @property
    def jobs(self) -> list[Job]:
        if self.kind == "action":
            steps = [s for s in as_list(value_at(self.doc, "runs", "steps")) if isinstance(s, Mapping)]
            return [Job("(composite action)", None, None, [_step(self.path, s) for s in steps])]
        jobs = self.doc.get("jobs")
        if not isinstance(jobs, Mapping):
            return []
        out = []
        for name, job in jobs.items():
            if not isinstance(job, Mapping):
                continue
            steps = [_step(f"{self.path} job {name}", s) for s in as_list(job.get("steps")) if isinstance(s, Mapping)]
            uses = job.get("uses")
            out.append(Job(str(name), job.get("permissions"), str(uses) if uses else None, steps))
        return out

    def uses(self) -> list[tuple[str, str]]:
        """(where, reference) of every `uses:` (job-level reusable workflows and steps)."""
        found = []
        for job in self.jobs:
            if job.uses:
                found.append((f"{self.path} job {job.name}", job.uses))
            found += [(s.where, s.uses) for s in job.steps if s.uses]
        return found

    def untrusted_checkouts(self) -> list[Step]:
        if not self.triggers & PRIVILEGED_TRIGGERS:
            return []
        return [s for job in self.jobs for s in job.steps if s.checks_out_head()]


def _step(where: str, raw: Mapping[str, Any]) -> Step:
    with_ = raw.get("with")
    uses, run = raw.get("uses"), raw.get("run")
    return Step(
        where=f"{where} step {raw.get('name') or raw.get('id') or uses or 'run'}",
        uses=str(uses) if uses else None,
        run=str(run) if run is not None else None,
        with_=with_ if isinstance(with_, Mapping) else {},
    )


def parse_file(path: str, content: Any) -> ActionFile | None:
    """The model of a committed workflow or action file; None for other files."""
    return _parse(path, str(content or ""))


@lru_cache(maxsize=256)  # four rules read the same files; parsing YAML dominates their cost
def _parse(path: str, content: str) -> ActionFile | None:
    kind = "workflow" if is_workflow_path(path) else "action" if is_action_path(path) else ""
    if not kind:
        return None
    try:
        doc = yaml.load(content, Loader=SAFE_LOADER)  # noqa: S506 - CSafeLoader or SafeLoader
    except yaml.YAMLError:
        return ActionFile(path, kind, {}, "not valid YAML")
    if not isinstance(doc, Mapping):
        return ActionFile(path, kind, {}, "not a YAML mapping")
    return ActionFile(path, kind, doc)


def is_pinned(reference: str) -> bool:
    return reference.startswith("./") or bool(PINNED.match(reference) or PINNED_DOCKER.match(reference))


def local_action_path(reference: str) -> str | None:
    """`./.github/actions/x` -> `.github/actions/x` (the directory holding action.yml); None if not local."""
    if not reference.startswith("./") or reference.endswith((".yml", ".yaml")):
        return None
    return reference.removeprefix("./").rstrip("/")
