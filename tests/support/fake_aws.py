"""One stand-in for the AWS CLI: a folder as S3, a file as CloudWatch, a log of every call.

It understands exactly the calls that this repository's scripts and `ops rollback` make, and fails on
anything else, so code that starts calling something new fails its test instead of passing silently:
- `s3api list-objects-v2 --bucket B --prefix P --query 'Contents[].Key' --output text`: the keys under P,
  tab-separated, or `None` when there are none (what the real CLI prints);
- `s3 cp SRC DST` between local paths and `s3://bucket/key` (uploads need `--checksum-algorithm SHA256`;
  FAKE_S3_REFUSE=1 makes S3 refuse them, as it does on a checksum mismatch);
- `s3 cp --recursive s3://bucket/prefix/ DIR`: the prefix's objects into DIR (an empty prefix copies nothing
  and succeeds, like the real CLI);
- `cloudwatch put-metric-data`: one JSON line per call in FAKE_METRICS;
- `cloudwatch get-metric-statistics`: prints FAKE_NEWEST_DRILL (default `None`).
S3 is the folder FAKE_S3 (`s3://bucket/key` is `$FAKE_S3/bucket/key`); every call's arguments are one JSON
line in FAKE_AWS_LOG. `install_fake_aws` puts it on a PATH folder; this file is also the program it runs.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SWITCHES = {"--only-show-errors", "--recursive"}  # options that take no value
USAGE_ERROR = 2
NO_CHECKSUM = 3


@dataclass
class Call:
    """One invocation: `aws <service> <operation> [positional...] [--option value...]`."""

    service: str
    operation: str
    positional: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    switches: set[str] = field(default_factory=set)
    dimensions: list[str] = field(default_factory=list)


def parse(argv: list[str]) -> Call:
    call = Call(argv[0], argv[1])
    rest = argv[2:]
    while rest:
        arg = rest.pop(0)
        if arg in SWITCHES:
            call.switches.add(arg)
        elif arg == "--dimensions":  # `--dimensions A=1 B=2`: every value up to the next option
            while rest and not rest[0].startswith("--"):
                call.dimensions.append(rest.pop(0))
        elif arg.startswith("--"):
            call.options[arg] = rest.pop(0)
        else:
            call.positional.append(arg)
    return call


def local_path(url: str) -> Path:
    return Path(os.environ["FAKE_S3"]) / url.removeprefix("s3://")


def list_objects(call: Call) -> None:
    root = local_path(call.options["--bucket"])
    prefix = call.options.get("--prefix", "")
    keys = (
        sorted((str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()), reverse=True)
        if root.is_dir()
        else []
    )
    keys = [key for key in keys if key.startswith(prefix)]
    print("\t".join(keys) if keys else "None")


def copy(call: Call) -> None:
    source, target = call.positional
    if "--recursive" in call.switches:
        if local_path(source).is_dir():
            shutil.copytree(local_path(source), target, dirs_exist_ok=True)
    elif target.startswith("s3://"):
        if call.options.get("--checksum-algorithm") != "SHA256":
            print("upload without a SHA-256 checksum", file=sys.stderr)
            raise SystemExit(NO_CHECKSUM)
        if os.environ.get("FAKE_S3_REFUSE", "0") == "1":
            print("BadDigest: checksum mismatch", file=sys.stderr)
            raise SystemExit(1)
        local_path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, local_path(target))
    else:
        shutil.copy(local_path(source), target)


def put_metric(call: Call) -> None:
    metric = {
        "region": call.options["--region"],
        "namespace": call.options["--namespace"],
        "metric": call.options["--metric-name"],
        "dimensions": " ".join(call.dimensions),
        "value": call.options["--value"],
    }
    with open(os.environ["FAKE_METRICS"], "a", encoding="utf-8") as metrics:
        metrics.write(json.dumps(metric) + "\n")


def main(argv: list[str]) -> None:
    with open(os.environ["FAKE_AWS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(argv) + "\n")
    call = parse(argv)
    handlers = {
        ("s3api", "list-objects-v2"): list_objects,
        ("s3", "cp"): copy,
        ("cloudwatch", "put-metric-data"): put_metric,
        ("cloudwatch", "get-metric-statistics"): lambda _call: print(os.environ.get("FAKE_NEWEST_DRILL", "None")),
    }
    handler = handlers.get((call.service, call.operation))
    if handler is None:
        print(f"fake aws: unexpected call: {call.service} {call.operation}", file=sys.stderr)
        raise SystemExit(USAGE_ERROR)
    handler(call)


def install_fake_aws(tmp_path: Path) -> dict[str, str]:
    """Put the fake on tmp_path/bin as `aws`; return the environment it reads (an empty S3, no metrics, no calls)."""
    tool = tmp_path / "bin" / "aws"
    tool.parent.mkdir(exist_ok=True)
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" "$@"\n')
    tool.chmod(0o755)
    (tmp_path / "s3").mkdir(exist_ok=True)
    return {
        "FAKE_S3": str(tmp_path / "s3"),
        "FAKE_METRICS": str(tmp_path / "metrics.jsonl"),
        "FAKE_AWS_LOG": str(tmp_path / "aws-calls.jsonl"),
    }


def _json_lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def published_metrics(tmp_path: Path) -> list[dict[str, Any]]:
    """The metrics the fake received, in order."""
    return _json_lines(tmp_path / "metrics.jsonl")


def aws_calls(tmp_path: Path) -> list[list[str]]:
    """The arguments of every call the fake received, in order."""
    return _json_lines(tmp_path / "aws-calls.jsonl")


if __name__ == "__main__":
    main(sys.argv[1:])
