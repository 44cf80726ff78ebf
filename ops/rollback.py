"""`python -m ops rollback`: put a stack back to what an earlier update deployed.

Two procedures (README "Operating the stacks"), neither of them an "undo":
- code rollback (default): redeploy the git commit the target update recorded (`git.head`), checked out in a
  temporary `git worktree` with the stack file of that commit, through `pulumi preview` and `pulumi up`;
- state rollback (`--state-only`, break-glass for a corrupted state): import the checkpoint the target update
  left behind. It rewrites Pulumi's record only; a `pulumi refresh` and a preview must follow.
Both back the current state up first, outside the repository, and refuse with no change when unsafe.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .backends import Backend, DiyStore, detect_backend, file_root, s3_store
from .boundary import OpsError, printable
from .pulumi_cli import (
    PulumiCli,
    RollbackError,
    StepFailedError,
    git,
    git_toplevel,
    require_clean_tree,
    require_commit,
)
from .stack_files import load_project, stack_short_name
from .strict_yaml import read_yaml

HISTORY_PAGE_SIZE = 100  # the CLI lists 10 entries unless told otherwise
BACKUP_DIR_ENV = "PULUMI_ROLLBACK_BACKUP_DIR"
DEFAULT_BACKUP_ROOT = "~/.pulumi-rollback-backups"
EXIT_OK, EXIT_STEP_FAILED, EXIT_REFUSED = 0, 1, 2
AUTOMATION_SCRIPT = Path(__file__).resolve().parent / "automation.py"


@dataclass(frozen=True)
class Options:
    stack: str
    to: str | None = None
    dry_run: bool = False
    yes: bool = False
    state_only: bool = False
    cwd: Path = Path()


@dataclass(frozen=True)
class Update:
    """One entry of `pulumi stack history --json`; `index` is its position, 0 being the newest."""

    index: int
    version: int
    kind: str
    result: str
    start: datetime | None
    message: str
    environment: dict[str, str]
    config: dict[str, Any]

    @classmethod
    def from_json(cls, index: int, raw: dict[str, Any]) -> Update:
        """One history entry; anything of the wrong shape is refused naming the entry (never a traceback)."""
        where = f"`pulumi stack history --json` entry @{index}"
        version = raw.get("version") or 0
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise RollbackError(f"{where}: `version` is not a whole number")
        environment, config = raw.get("environment") or {}, raw.get("config") or {}
        if not isinstance(environment, dict) or not all(isinstance(v, str) for v in environment.values()):
            raise RollbackError(f"{where}: `environment` is not a mapping of strings")
        if not isinstance(config, dict):
            raise RollbackError(f"{where}: `config` is not a mapping")
        message = raw.get("message") or ""
        return cls(
            index=index,
            version=version,
            kind=str(raw.get("kind", "")),
            result=str(raw.get("result", "")),
            start=_start_time(raw.get("startTime"), where),
            message=str(message).splitlines()[0] if str(message).strip() else "",
            environment={str(k): v for k, v in environment.items()},
            config=dict(config),
        )

    @property
    def commit(self) -> str:
        return self.environment.get("git.head", "")

    @property
    def dirty(self) -> bool:
        return self.environment.get("git.dirty") == "true"

    def label(self) -> str:
        version = f"version {self.version}, " if self.version else ""
        return f"@{self.index} ({version}{self.kind} {self.result}, commit {self.commit[:12] or '-'})"


def _start_time(value: Any, where: str) -> datetime | None:
    """The CLI prints `startTime` as an ISO 8601 string (file backend and Pulumi Cloud alike)."""
    if value in (None, ""):
        return None
    moment = _parse_time(value) if isinstance(value, str) else None
    if moment is None:
        raise RollbackError(f"{where}: `startTime` {str(value)[:40]!r} is not an ISO 8601 time")
    return moment


def parse_history(raw: Any) -> list[Update]:
    if not isinstance(raw, list):
        raise RollbackError("`pulumi stack history --json` did not print a list")
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise RollbackError(f"`pulumi stack history --json` entry @{index} is not an object")
    return [Update.from_json(i, entry) for i, entry in enumerate(raw)]


# --- target selection -------------------------------------------------------------------------------------------

_POSITION = re.compile(r"^@(\d+)$")
_VERSION = re.compile(r"^\d{1,6}$")
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _usable(update: Update, how: str) -> Update:
    if update.kind != "update":
        raise RollbackError(f"{how} selects {update.label()}, which is a {update.kind}, not an update")
    if update.result != "succeeded":
        raise RollbackError(f"{how} selects {update.label()}, which did not succeed; pick a succeeded update")
    return update


def default_target(updates: list[Update]) -> Update:
    """The newest succeeded update older than the current one (the newest `update` entry, whatever its result)."""
    current = next((u for u in updates if u.kind == "update"), None)
    if current is None:
        raise RollbackError("the stack has no update in its history; there is nothing to roll back to")
    for update in updates[current.index + 1 :]:
        if update.kind == "update" and update.result == "succeeded":
            return update
    raise RollbackError(f"no succeeded update is older than the current one, {current.label()}")


def select_target(updates: list[Update], spec: str | None, backend: Backend) -> Update:
    """Resolve `--to` (see README): @N position, version number, commit prefix, or ISO time."""
    if not updates:
        raise RollbackError("the stack has no update history")
    if spec is None:
        return default_target(updates)
    spec = spec.strip()
    if match := _POSITION.match(spec):
        position = int(match.group(1))
        if position >= len(updates):
            raise RollbackError(f"--to {spec}: the history lists only @0 to @{len(updates) - 1}")
        return _usable(updates[position], f"--to {spec}")
    if _VERSION.match(spec):
        if backend.diy or not any(u.version for u in updates):
            raise RollbackError(
                f"--to {spec}: this backend ({backend.url}) numbers every update 0; select by position (@N), "
                "commit prefix or ISO time instead"
            )
        found = [u for u in updates if u.version == int(spec)]
        if not found:
            raise RollbackError(f"--to {spec}: no update with version {spec} in the last {len(updates)} entries")
        return _usable(found[0], f"--to {spec}")
    if _COMMIT.match(spec):
        matches = [u for u in updates if u.kind == "update" and u.commit.lower().startswith(spec.lower())]
        if not matches:
            raise RollbackError(f"--to {spec}: no update in the history deployed a commit starting with {spec}")
        if len({u.commit for u in matches}) > 1:
            raise RollbackError(f"--to {spec}: the prefix matches several commits; give more characters")
        succeeded = [u for u in matches if u.result == "succeeded"]
        return _usable((succeeded or matches)[0], f"--to {spec}")
    moment = _parse_time(spec)
    if moment is None:
        raise RollbackError(
            f"--to {spec}: not a position (@2), version number (42), commit prefix (7+ hex digits) or ISO time"
        )
    earlier = [u for u in updates if u.kind == "update" and u.start is not None and u.start <= moment]
    if not earlier:
        raise RollbackError(f"--to {spec}: no update started at or before {moment.isoformat()}")
    return _usable(earlier[0], f"--to {spec}")


def history_table(updates: list[Update], target: Update | None) -> str:
    lines = [f"   {'#':>4}  {'version':>7}  {'started (UTC)':<19}  {'kind':<8} {'result':<11} {'commit':<12}  message"]
    for u in updates:
        mark = "->" if target is not None and u.index == target.index else "  "
        started = u.start.strftime("%Y-%m-%d %H:%M:%S") if u.start else "-"
        lines.append(
            f"{mark} {'@' + str(u.index):>4}  {u.version or '-':>7}  {started:<19}  {u.kind:<8} {u.result:<11} "
            f"{u.commit[:12] or '-':<12}  {u.message[:60]}"
        )
    return "\n".join(lines)


# --- backups ----------------------------------------------------------------------------------------------------


def backup_directory(project: str, stack: str, repo: Path, environ: dict[str, str]) -> Path:
    """`~/.pulumi-rollback-backups/<project>/<stack>`; never inside the repository (created by `backup_state`)."""
    root = Path(environ.get(BACKUP_DIR_ENV) or DEFAULT_BACKUP_ROOT).expanduser().resolve()
    directory = root / project / stack
    if directory.is_relative_to(repo):
        raise RollbackError(
            f"the backup directory {directory} is inside the repository; set {BACKUP_DIR_ENV} elsewhere"
        )
    return directory


def private_file(directory: Path, name: str) -> Path:
    """Create an empty 0600 file before anything writes state into it (no window with wider permissions)."""
    path = directory / name
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def export_to(cli: PulumiCli, stack: str, path: Path, version: int | None = None) -> None:
    """`pulumi stack export` without --show-secrets: secrets stay ciphertext, and `stack import` takes it back."""
    args = ["stack", "export", "--stack", stack, "--file", str(path)]
    if version is not None:
        args += ["--version", str(version)]
    try:
        cli.capture(args)
        path.chmod(0o600)
        document = json.loads(path.read_text())
    except (RollbackError, json.JSONDecodeError) as exc:
        path.unlink(missing_ok=True)
        raise RollbackError(f"could not export the state of {stack} ({exc}); nothing was changed") from None
    if not isinstance(document, dict) or "deployment" not in document:
        path.unlink(missing_ok=True)
        raise RollbackError(f"`pulumi stack export` of {stack} wrote no deployment; nothing was changed")


def backup_state(cli: PulumiCli, stack: str, directory: Path) -> Path:
    for level in (directory.parent.parent, directory.parent, directory):  # root, project, stack: all 0700
        level.mkdir(mode=0o700, exist_ok=True)
        level.chmod(0o700)
    path = private_file(directory, f"{_stamp()}-before-rollback.json")
    export_to(cli, stack, path)
    print(f"Backed up the current state of {stack} to {path} (mode 0600; restore with `pulumi stack import --file`).")
    return path


# --- code rollback ----------------------------------------------------------------------------------------------


@contextmanager
def worktree(repo: Path, commit: str) -> Iterator[Path]:
    parent = Path(tempfile.mkdtemp(prefix="ops-rollback-"))
    path = parent / "src"
    git(repo, "worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(path)], check=False)
        shutil.rmtree(parent, ignore_errors=True)
        subprocess.run(["git", "-C", str(repo), "worktree", "prune"], check=False)


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, dict | list) else str(value)


def config_drift(recorded: dict[str, Any], stack_file: Path, label: str) -> list[str]:
    """Differences between the config an update recorded and the stack file of its commit (values not shown)."""
    document = read_yaml(stack_file, label) or {}
    committed = document.get("config") if isinstance(document, dict) else None
    if not isinstance(committed, dict | None):
        raise RollbackError(f"{label}: `config:` is not a mapping; that commit cannot be redeployed")
    committed = committed or {}
    notes: list[str] = []
    for key, entry in sorted(recorded.items()):
        if key not in committed:
            notes.append(f"{key}: set when the update ran, absent from the commit's stack file")
            continue
        if not isinstance(entry, dict) or entry.get("secret"):
            continue
        was = entry.get("objectValue", entry.get("value"))
        now = committed[key]
        if _plain(now) != was and not (isinstance(now, dict | list) and json.dumps(now) == was):
            notes.append(f"{key}: differs between the update's record and the commit's stack file")
    notes += [
        f"{key}: in the commit's stack file, not in the update's record"
        for key in sorted(set(committed) - set(recorded))
    ]
    return notes


def policy_packs(project_dir: Path) -> list[str]:
    pack = project_dir / "policies"
    return ["--policy-pack", str(pack)] if (pack / "PulumiPolicy.yaml").is_file() else []


def run_program(cli: PulumiCli, operation: str, project_dir: Path, stack: str, *extra: str) -> None:
    """`preview` or `up` of the checked-out commit through the Automation API's inline path (ops/automation.py).

    The program runs in this checkout's interpreter and virtualenv, so the worktree needs no `.venv` of its own
    (a symlinked one would show as untracked and the update would be recorded `git.dirty`), and the CLI needs no
    Python language host.
    """
    args = [sys.executable, str(AUTOMATION_SCRIPT), operation, "--cwd", str(project_dir), "--stack", stack, *extra]
    done = subprocess.run(args, cwd=project_dir, env=cli.env, check=False)
    if done.returncode != 0:
        raise StepFailedError(f"`pulumi {operation}` of {project_dir.name} exited with status {done.returncode}")


# --- the command ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What every step of one rollback needs."""

    cli: PulumiCli
    opts: Options
    backend: Backend
    store: DiyStore | None
    repo: Path
    backups: Path
    ask: Callable[[str], str] | None


def _confirm(stack: str, action: str, opts: Options, ask: Callable[[str], str] | None) -> None:
    if opts.yes:
        return
    if ask is None:
        if not sys.stdin.isatty():
            raise RollbackError(f"confirmation needed to {action}; pass --yes when running without a terminal")
        ask = input
    try:
        answer = ask(f"Type the stack name ({stack}) to {action}: ").strip()
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer != stack:
        raise RollbackError("not confirmed; the stack was not changed")


def _project_name(cwd: Path) -> str:
    if not (cwd / "Pulumi.yaml").is_file() and not (cwd / "Pulumi.yml").is_file():
        raise RollbackError(f"{cwd} holds no Pulumi.yaml; pass --cwd with the Pulumi project directory")
    return load_project(cwd).name


def _store(
    backend: Backend, cwd: Path, *, project: str, stack: str, scratch: Path, environ: dict[str, str]
) -> DiyStore | None:
    if backend.kind == "file":
        return DiyStore(file_root(backend.url, cwd), project, stack)
    if backend.kind == "s3":
        return s3_store(backend.url, project, stack, scratch, environ)
    return None


def _refuse_if_busy(updates: list[Update], store: DiyStore | None, stack: str) -> None:
    if updates and updates[0].result == "in-progress":
        raise RollbackError(
            f"an update of {stack} is in progress ({updates[0].label()}); wait for it or `pulumi cancel`"
        )
    if store is not None and (locks := store.locks()):
        raise RollbackError(
            f"{stack} is locked by another operation ({', '.join(p.name for p in locks)}); wait for it to end, "
            "or run `pulumi cancel` if it crashed"
        )


def _code_rollback(run: Run, target: Update) -> None:
    cli, opts, repo, backups, ask = run.cli, run.opts, run.repo, run.backups, run.ask
    if not target.commit:
        raise RollbackError(f"{target.label()} recorded no git commit (git.head); roll back by hand from git")
    require_commit(repo, target.commit)
    if target.dirty:
        print(
            f"WARNING: {target.label()} ran from a work tree with uncommitted changes; the commit is only close to it."
        )
    relative = opts.cwd.relative_to(repo)
    with worktree(repo, target.commit) as checkout:
        project_dir = checkout / relative
        stack_file = project_dir / f"Pulumi.{opts.stack}.yaml"
        if not stack_file.is_file():
            raise RollbackError(f"commit {target.commit[:12]} has no {relative / stack_file.name}; cannot redeploy it")
        label = f"{relative / stack_file.name} of commit {target.commit[:12]}"
        load_project(project_dir)  # the target commit's Pulumi.yaml must be readable before anything runs
        for note in config_drift(target.config, stack_file, label):
            print(f"WARNING: config {note}")
        policies = policy_packs(project_dir)
        if not opts.dry_run:
            backup_state(cli, opts.stack, backups)
        print(f"Previewing commit {target.commit[:12]} with its {stack_file.name} ...")
        run_program(cli, "preview", project_dir, opts.stack, *policies)
        if opts.dry_run:
            print("Dry run: stopped after the preview; nothing was changed.")
            return
        _confirm(opts.stack, f"deploy commit {target.commit[:12]} to it", opts, ask)
        message = f"rollback to {target.label()}"
        run_program(cli, "up", project_dir, opts.stack, *policies, "--message", message)
    print(f"Rolled {opts.stack} back to {target.label()}. The branch still holds the newer code: revert it in git too.")


def _state_rollback(run: Run, target: Update) -> None:
    cli, opts, backend, store, backups, ask = run.cli, run.opts, run.backend, run.store, run.backups, run.ask
    document: dict[str, Any] | None = None
    if backend.kind == "cloud":
        if target.version <= 0:
            raise RollbackError(f"{target.label()} has no version number; the service did not return one")
        source = f"`pulumi stack export --version {target.version}`"
    elif store is None:
        raise RollbackError(
            f"state rollback on {backend.url} is not supported here: copy the checkpoint from "
            f".pulumi/history/<project>/{opts.stack}/ by hand, wrap its `checkpoint.latest` as "
            '{"version": ..., "deployment": ...}, and `pulumi stack import --file` it'
        )
    else:
        files = store.history()
        entry = files[target.index] if target.index < len(files) else None
        recorded = entry.history if entry else {}
        start = int(target.start.timestamp()) if target.start else None
        if entry is None or (recorded.get("kind"), recorded.get("result"), recorded.get("startTime")) != (
            target.kind,
            target.result,
            start,
        ):
            raise RollbackError(f"the backend's history files do not match `pulumi stack history` at {target.label()}")
        document = store.import_document(entry.checkpoint)
        source = str(entry.checkpoint)
    resources = len((document or {}).get("deployment", {}).get("resources") or []) if document else None
    print(
        f"State to restore: the checkpoint after {target.label()}, from {source}"
        + (f" ({resources} resources)." if resources is not None else ".")
    )
    if opts.dry_run:
        print("Dry run: the state was not changed.")
        return
    backup_state(cli, opts.stack, backups)
    restore = private_file(backups, f"{_stamp()}-restore-{target.index}.json")
    if document is None:
        export_to(cli, opts.stack, restore, version=target.version)
    else:
        restore.write_text(json.dumps(document))
    _confirm(opts.stack, "replace its state with that checkpoint", opts, ask)
    cli.stream(["stack", "import", "--stack", opts.stack, "--file", str(restore)])
    print(
        f"Imported the state of {target.label()} into {opts.stack}. Only Pulumi's record changed, not the cloud: "
        f"run `pulumi refresh --stack {opts.stack}` and then `pulumi preview --stack {opts.stack}` before any `up`."
    )


def rollback(opts: Options, environ: dict[str, str] | None = None, ask: Callable[[str], str] | None = None) -> None:
    environ = dict(os.environ if environ is None else environ)
    opts = Options(**{**opts.__dict__, "cwd": opts.cwd.resolve()})
    project = _project_name(opts.cwd)
    # Validated before any path is built from it (backups, stack files): Pulumi's own rule, no `..`, no `/`.
    opts = Options(**{**opts.__dict__, "stack": stack_short_name(opts.stack, project)})
    cli = PulumiCli(opts.cwd, environ)
    repo = git_toplevel(opts.cwd)
    require_clean_tree(repo)
    backend = detect_backend(cli, environ)
    raw = cli.capture_json(
        [
            "stack",
            "history",
            "--stack",
            opts.stack,
            "--json",
            "--show-secrets=false",
            "--page-size",
            str(HISTORY_PAGE_SIZE),
        ]
    )
    updates = parse_history(raw)
    with tempfile.TemporaryDirectory(prefix="ops-rollback-state-") as scratch:
        try:
            store = _store(backend, opts.cwd, project=project, stack=opts.stack, scratch=Path(scratch), environ=environ)
        except RollbackError:
            if opts.state_only:
                raise
            print("WARNING: could not read the backend's lock files; `pulumi up` still refuses a locked stack.")
            store = None
        _refuse_if_busy(updates, store, opts.stack)
        target = select_target(updates, opts.to, backend)
        print(f"History of {project}/{opts.stack} on {backend.url} (newest first; -> marks the target):")
        print(history_table(updates, target))
        backups = backup_directory(project, opts.stack, repo, environ)
        run = Run(cli, opts, backend, store, repo, backups, ask)
        (_state_rollback if opts.state_only else _code_rollback)(run, target)


def run_rollback(opts: Options) -> int:
    try:
        rollback(opts)
    except RollbackError as exc:
        print(f"rollback refused: {printable(str(exc))}", file=sys.stderr)
        return EXIT_REFUSED
    except OpsError as exc:  # an unreadable Pulumi.yaml or stack file, a bad stack name
        print(f"rollback refused: {printable(exc.message)}", file=sys.stderr)
        return EXIT_REFUSED
    except StepFailedError as exc:
        print(f"rollback stopped: {exc}", file=sys.stderr)
        return EXIT_STEP_FAILED
    return EXIT_OK
