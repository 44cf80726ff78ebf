"""State backends as `ops rollback` sees them: which kind, and the DIY on-disk layout it reads.

DIY layout (project-scoped, what the CLI writes since 3.61):
  .pulumi/stacks/<project>/<stack>.json                         current checkpoint
  .pulumi/history/<project>/<stack>/<stack>-<unixnano>.history.json      one per update, refresh, destroy
  .pulumi/history/<project>/<stack>/<stack>-<unixnano>.checkpoint.json   the checkpoint right after it
  .pulumi/locks/organization/<project>/<stack>/<lock-id>.json   present while an operation runs
Older non-project layouts drop the `<project>/` (and `organization/`) parts; both are read.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .pulumi_cli import PulumiCli, RollbackError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
HISTORY_SUFFIXES = (".history.json", ".history.json.gz", ".history.json.zst")


@dataclass(frozen=True)
class Backend:
    kind: str  # "cloud" (Pulumi Cloud or self-hosted service), "file", "s3", or "other" (gs://, azblob://, ...)
    url: str

    @property
    def diy(self) -> bool:
        return self.kind != "cloud"


def classify(url: str) -> Backend:
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        return Backend("cloud", url)
    if scheme in ("file", "s3"):
        return Backend(scheme, url)
    return Backend("other", url)


def detect_backend(cli: PulumiCli, environ: dict[str, str]) -> Backend:
    """The backend the CLI is logged in to (`whoami` already honours PULUMI_BACKEND_URL and Pulumi.yaml)."""
    try:
        answer = cli.capture_json(["whoami", "--json"])
    except RollbackError:
        answer = {}
    url = answer.get("url") if isinstance(answer, dict) else None
    url = url if isinstance(url, str) else ""
    url = url or environ.get("PULUMI_BACKEND_URL", "")
    if not url:
        raise RollbackError(
            "cannot tell the state backend: `pulumi whoami --json` failed and PULUMI_BACKEND_URL is unset"
        )
    return classify(url)


def file_root(url: str, cwd: Path) -> Path:
    """The directory that holds `.pulumi/` for a file:// URL (`file://~`, `file:///abs`, `file://rel`)."""
    raw = url[len("file://") :].split("?", 1)[0]
    path = Path(raw).expanduser() if raw.startswith("~") else Path(raw)
    return path if path.is_absolute() else (cwd / path).resolve()


def decode(data: bytes, name: str) -> Any:
    """A history or checkpoint file's JSON (plain or gzip); a corrupt file is refused by name."""
    if data.startswith(ZSTD_MAGIC):
        raise RollbackError(f"{name} is zstd-compressed; decompress it with `zstd -d` and import it by hand")
    try:
        if data.startswith(GZIP_MAGIC):
            data = gzip.decompress(data)
        return json.loads(data)
    except (OSError, EOFError, ValueError) as exc:  # BadGzipFile is an OSError, JSONDecodeError a ValueError
        raise RollbackError(f"{name} is corrupt ({type(exc).__name__}); it cannot be used for a rollback") from None


@dataclass(frozen=True)
class HistoryFile:
    """One update as the DIY backend stored it: the `backend.UpdateInfo` JSON and its checkpoint copy."""

    history: dict[str, Any]
    checkpoint: Path


class DiyStore:
    """Reads a DIY backend laid out under `root/.pulumi` (a file:// backend, or an S3 prefix copied locally)."""

    def __init__(self, root: Path, project: str, stack: str) -> None:
        self.root = root
        self.project = project
        self.stack = stack

    def history_dir(self) -> Path:
        scoped = self.root / ".pulumi" / "history" / self.project / self.stack
        return scoped if scoped.is_dir() else self.root / ".pulumi" / "history" / self.stack

    def history(self) -> list[HistoryFile]:
        """Newest first, in the order `pulumi stack history` lists them (file names sort by unixnano)."""
        directory = self.history_dir()
        if not directory.is_dir():
            return []
        entries: list[HistoryFile] = []
        for path in sorted(directory.iterdir(), key=lambda p: p.name, reverse=True):
            suffix = next((s for s in HISTORY_SUFFIXES if path.name.endswith(s)), None)
            if suffix is None:
                continue
            base = path.name[: -len(suffix)]
            checkpoint = directory / (base + ".checkpoint" + suffix[len(".history") :])
            history = decode(path.read_bytes(), path.name)
            if not isinstance(history, dict):
                raise RollbackError(f"{path.name} holds no history entry (not a JSON object)")
            entries.append(HistoryFile(history, checkpoint))
        return entries

    def locks(self) -> list[Path]:
        locks = self.root / ".pulumi" / "locks"
        candidates = [locks / "organization" / self.project / self.stack, locks / self.stack]
        return sorted(p for d in candidates if d.is_dir() for p in d.iterdir() if p.is_file())

    def import_document(self, checkpoint: Path) -> dict[str, Any]:
        """`apitype.VersionedCheckpoint` -> the `apitype.UntypedDeployment` that `pulumi stack import` reads."""
        if not checkpoint.is_file():
            raise RollbackError(f"the checkpoint file {checkpoint} is missing; the history entry cannot be restored")
        document = decode(checkpoint.read_bytes(), checkpoint.name)
        if not isinstance(document, dict):
            raise RollbackError(f"{checkpoint} is not a JSON object; refusing to import it")
        inner = document.get("checkpoint")
        latest = inner.get("latest") if isinstance(inner, dict) else None
        if not isinstance(latest, dict):
            raise RollbackError(f"{checkpoint} holds no deployment (`checkpoint.latest`); refusing to import it")
        wrapped: dict[str, Any] = {"version": document.get("version", 3), "deployment": latest}
        if document.get("features"):
            wrapped["features"] = document["features"]
        return wrapped


def s3_store(url: str, project: str, stack: str, workdir: Path, environ: dict[str, str]) -> DiyStore:
    """Copy one stack's history and lock objects from an s3:// backend with the AWS CLI, then read them locally.

    Pulumi has no command that reads old checkpoints of a DIY backend, and boto3 is not a dependency here;
    the AWS CLI uses the same credentials as the backend itself.
    """
    aws = shutil.which("aws", path=environ.get("PATH"))
    if aws is None:
        raise RollbackError(
            "an s3:// backend needs the AWS CLI (`aws`) to read its history objects; install it, or copy "
            f".pulumi/history/{project}/{stack}/ with `aws s3 cp --recursive` and use a file:// backend URL"
        )
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    options: list[str] = []
    for key, flag in (("region", "--region"), ("profile", "--profile"), ("endpoint", "--endpoint-url")):
        if query.get(key):
            options += [flag, query[key][0]]
    prefix = f"s3://{parts.netloc}/{parts.path.strip('/') + '/' if parts.path.strip('/') else ''}.pulumi"
    for sub in (f"history/{project}/{stack}", f"locks/organization/{project}/{stack}"):
        target = workdir / ".pulumi" / sub
        target.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [aws, "s3", "cp", "--recursive", "--only-show-errors", f"{prefix}/{sub}/", str(target), *options],
            capture_output=True,
            text=True,
            check=False,
            env=environ,
        )
        if done.returncode != 0:
            raise RollbackError(f"`aws s3 cp {prefix}/{sub}/` failed: {done.stderr.strip()[-500:]}")
    return DiyStore(workdir, project, stack)
