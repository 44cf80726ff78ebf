"""A stand-in for the `pulumi` CLI, for `ops rollback` tests (the real CLI is not on the build machines).

Installed as `pulumi` first on PATH. It logs every invocation (argv, cwd, the stack file it would use) to
$FAKE_PULUMI_LOG as JSON lines, and answers from:
- a file:// or s3:// backend ($FAKE_PULUMI_URL; s3://bucket is $FAKE_S3_ROOT/bucket) laid out as the DIY backend lays it out: `stack history` reads
  `.pulumi/history/<project>/<stack>/*.history.json`, `stack export` / `stack import` read and write
  `.pulumi/stacks/<project>/<stack>.json`, and `stack export --version` fails as the real CLI does there;
- or, for an https:// URL (Pulumi Cloud), fixture files in $FAKE_PULUMI_CLOUD: history.json, state.json,
  versions/<N>.json.
$FAKE_PULUMI_FAIL lists verbs (preview, up, import, export) that exit non-zero.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any


def _flag(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _fail(message: str, code: int = 255) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def _diy_root(url: str) -> Path:
    """file:///path, or s3://bucket/prefix mapped to $FAKE_S3_ROOT/bucket/prefix (what the fake `aws` serves)."""
    if url.startswith("s3://"):
        return Path(os.environ["FAKE_S3_ROOT"]) / url[len("s3://") :].split("?", 1)[0]
    return Path(url[len("file://") :]).expanduser()


def _is_diy(url: str) -> bool:
    return url.startswith(("file://", "s3://"))


def _project() -> str:
    # Started with `python -S` (fast, no site-packages), so no YAML parser: the fixtures write `name:` plainly.
    match = re.search(r"^name: *(\S+)", Path("Pulumi.yaml").read_text(), re.MULTILINE)
    return match.group(1) if match else ""


def _config_json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and "secure" in value:
        return {"secret": True}
    if isinstance(value, dict | list):
        return {"value": json.dumps(value), "objectValue": value, "secret": False}
    return {"value": str(value), "secret": False}


def _when(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def _diy_history(root: Path, stack: str, page_size: int) -> list[dict[str, Any]]:
    directory = root / ".pulumi" / "history" / _project() / stack
    files = sorted((p for p in directory.glob("*.history.json")), key=lambda p: p.name, reverse=True)
    out = []
    for path in files[:page_size]:
        info = json.loads(path.read_text())
        out.append(
            {
                "version": info.get("version", 0),
                "kind": info["kind"],
                "startTime": _when(info["startTime"]),
                "message": info.get("message", ""),
                "environment": info.get("environment", {}),
                "config": {k: _config_json(v) for k, v in (info.get("config") or {}).items()},
                "result": info["result"],
                "endTime": _when(info["endTime"]),
                "resourceChanges": info.get("resourceChanges", {}),
            }
        )
    return out


def _export(argv: list[str], stack: str, url: str, cloud: Path) -> None:
    version, target = _flag(argv, "--version"), Path(_flag(argv, "--file") or "/dev/stdout")
    if _is_diy(url):
        if version is not None:
            _fail(f"the current backend ({url}) does not provide the ability to export previous deployments")
        checkpoint = json.loads((_diy_root(url) / ".pulumi" / "stacks" / _project() / f"{stack}.json").read_text())
        document = {"version": checkpoint["version"], "deployment": checkpoint["checkpoint"]["latest"]}
    else:
        source = cloud / "versions" / f"{version}.json" if version else cloud / "state.json"
        if not source.is_file():
            _fail(f"no deployment found for version {version}")
        document = json.loads(source.read_text())
    target.write_text(json.dumps(document, indent=4))


def _import(argv: list[str], stack: str, url: str, cloud: Path) -> None:
    document = json.loads(Path(_flag(argv, "--file") or "").read_text())
    if _is_diy(url):
        path = _diy_root(url) / ".pulumi" / "stacks" / _project() / f"{stack}.json"
        checkpoint = {
            "version": document["version"],
            "checkpoint": {"stack": f"organization/{_project()}/{stack}", "latest": document["deployment"]},
        }
        path.write_text(json.dumps(checkpoint))
    else:
        (cloud / "state.json").write_text(json.dumps(document))
    print("Import complete.")


def main(argv: list[str]) -> None:
    stack = _flag(argv, "--stack") or ""
    stack_file = Path(f"Pulumi.{stack}.yaml")
    with open(os.environ["FAKE_PULUMI_LOG"], "a", encoding="utf-8") as log:
        record = {
            "argv": argv,
            "cwd": os.getcwd(),
            "stack_file": stack_file.read_text() if stack and stack_file.is_file() else None,
            "venv": Path(".venv").is_symlink(),
        }
        log.write(json.dumps(record) + "\n")
    url = os.environ.get("FAKE_PULUMI_URL", "file://~")
    failing = set(filter(None, os.environ.get("FAKE_PULUMI_FAIL", "").split(",")))
    words = [a for a in argv if not a.startswith("-")][:2]
    verb = " ".join(words) if words[:1] == ["stack"] else (words[0] if words else "")
    cloud = Path(os.environ.get("FAKE_PULUMI_CLOUD", "/nonexistent"))
    if verb.split(" ")[-1] in failing:
        _fail(f"{verb} failed", 1)

    if verb == "version":
        print("v3.272.0")
    elif verb == "whoami":
        print(json.dumps({"user": "tester", "organizations": [], "url": url}))
    elif verb in ("preview", "up", "refresh"):
        print(f"fake {verb} of {stack}")
    elif verb == "stack history":
        size = int(_flag(argv, "--page-size") or 10)
        history = (
            _diy_history(_diy_root(url), stack, size)
            if _is_diy(url)
            else json.loads((cloud / "history.json").read_text())[:size]
        )
        print(json.dumps(history, indent=4))
    elif verb == "stack export":
        _export(argv, stack, url, cloud)
    elif verb == "stack import":
        _import(argv, stack, url, cloud)
    else:
        _fail(f"fake pulumi does not know `{' '.join(argv)}`")


if __name__ == "__main__":
    main(sys.argv[1:])
