"""The stack's update history as `pulumi stack history --json` prints it: read, validated entry by entry, listed.

Each entry is validated here and a malformed one refused by name (ops/pulumi_cli.py says why the CLI is called
directly for this). The listing marks the target the rollback selected.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ops.pulumi_cli import PulumiCli, RollbackError

HISTORY_PAGE_SIZE = 100  # the CLI lists 10 entries unless told otherwise
MESSAGE_WIDTH = 60  # the listing shows the first characters of each update's message


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


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time in UTC (a time without a zone is taken as UTC), or None when `text` is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _start_time(value: Any, where: str) -> datetime | None:
    """The CLI prints `startTime` as an ISO 8601 string (file backend and Pulumi Cloud alike)."""
    if value in (None, ""):
        return None
    moment = parse_time(value) if isinstance(value, str) else None
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


def read_history(cli: PulumiCli, stack: str) -> list[Update]:
    """The newest `HISTORY_PAGE_SIZE` entries of the stack's history, secrets not shown."""
    args = ["stack", "history", "--stack", stack, "--json", "--show-secrets=false"]
    return parse_history(cli.capture_json([*args, "--page-size", str(HISTORY_PAGE_SIZE)]))


def history_table(updates: list[Update], target: Update | None) -> str:
    """The history as a plain-text table, newest first; `->` marks the target."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    table.add_column("", no_wrap=True, min_width=2)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("version", justify="right", no_wrap=True)
    table.add_column("started (UTC)", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("commit", no_wrap=True)
    table.add_column("message", no_wrap=True)
    for u in updates:
        table.add_row(
            "->" if target is not None and u.index == target.index else "",
            f"@{u.index}",
            str(u.version or "-"),
            u.start.strftime("%Y-%m-%d %H:%M:%S") if u.start else "-",
            u.kind,
            u.result,
            u.commit[:12] or "-",
            u.message[:MESSAGE_WIDTH],
        )
    # Wide enough for every column whatever the terminal: a history line must never wrap or lose its commit.
    buffer = io.StringIO()
    console = Console(file=buffer, width=250, markup=False, highlight=False, emoji=False, color_system=None)
    console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())
