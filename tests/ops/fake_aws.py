"""A stand-in for the AWS CLI: only `aws s3 cp --recursive s3://bucket/prefix/ DIR [options]`, served from
$FAKE_S3_ROOT/bucket/prefix; every invocation is logged to $FAKE_AWS_LOG."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    with open(os.environ["FAKE_AWS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(argv) + "\n")
    if argv[:3] != ["s3", "cp", "--recursive"]:
        sys.exit(f"fake aws does not know {argv}")
    positional, rest = [], iter(argv[3:])
    for arg in rest:
        if arg in ("--region", "--profile", "--endpoint-url"):
            next(rest)
        elif not arg.startswith("--"):
            positional.append(arg)
    source, target = positional
    local = Path(os.environ["FAKE_S3_ROOT"]) / source[len("s3://") :]
    if local.is_dir():  # like the real CLI, an empty prefix copies nothing and succeeds
        shutil.copytree(local, target, dirs_exist_ok=True)


if __name__ == "__main__":
    main(sys.argv[1:])
