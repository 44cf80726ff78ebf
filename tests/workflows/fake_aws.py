"""A fake `aws` for the backup and restore-drill scripts: a folder as S3, a file as CloudWatch.

It understands exactly the calls the scripts make and fails on anything else, so a script that starts
calling something new fails its test instead of passing silently:
- `s3api list-objects-v2 --bucket B --prefix P --query 'Contents[].Key' --output text`: the keys under P,
  tab-separated, or `None` when there are none (what the real CLI prints);
- `s3 cp SRC DST` between local paths and `s3://bucket/key` (uploads need `--checksum-algorithm SHA256`;
  FAKE_S3_REFUSE=1 makes S3 refuse them, as it does on a checksum mismatch);
- `cloudwatch put-metric-data`: one JSON line per call in FAKE_METRICS;
- `cloudwatch get-metric-statistics`: prints FAKE_NEWEST_DRILL (default `None`).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

FAKE_AWS = r"""#!/usr/bin/env bash
set -euo pipefail
service="$1"; operation="$2"; shift 2
declare -A option=()
positional=()
dimensions=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only-show-errors) shift ;;
    --dimensions) shift; while [ $# -gt 0 ] && [[ "$1" != --* ]]; do dimensions+=("$1"); shift; done ;;
    --*) option[$1]="$2"; shift 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
local_path() { local url="${1#s3://}"; echo "${FAKE_S3}/${url}"; }
case "${service} ${operation}" in
  "s3api list-objects-v2")
    keys=()
    root="${FAKE_S3}/${option[--bucket]}"
    if [ -d "${root}" ]; then
      while IFS= read -r key; do
        [[ "${key}" == "${option[--prefix]:-}"* ]] && keys+=("${key}")
      done < <(cd "${root}" && find . -type f | sed 's|^\./||' | sort -r)
    fi
    if [ "${#keys[@]}" -eq 0 ]; then echo None; else (IFS=$'\t'; echo "${keys[*]}"); fi
    ;;
  "s3 cp")
    source="${positional[0]}"; target="${positional[1]}"
    if [[ "${target}" == s3://* ]]; then
      [ "${option[--checksum-algorithm]:-}" = SHA256 ] || { echo "upload without a SHA-256 checksum" >&2; exit 3; }
      [ "${FAKE_S3_REFUSE:-0}" = 1 ] && { echo "BadDigest: checksum mismatch" >&2; exit 1; }
      mkdir -p "$(dirname "$(local_path "${target}")")"
      cp "${source}" "$(local_path "${target}")"
    else
      cp "$(local_path "${source}")" "${target}"
    fi
    ;;
  "cloudwatch put-metric-data")
    printf '{"region": "%s", "namespace": "%s", "metric": "%s", "dimensions": "%s", "value": "%s"}\n' \
      "${option[--region]}" "${option[--namespace]}" "${option[--metric-name]}" "${dimensions[*]}" \
      "${option[--value]}" >> "${FAKE_METRICS}"
    ;;
  "cloudwatch get-metric-statistics")
    echo "${FAKE_NEWEST_DRILL:-None}"
    ;;
  *) echo "fake aws: unexpected call: ${service} ${operation}" >&2; exit 2 ;;
esac
"""


def install_fake_aws(tmp_path: Path) -> dict[str, str]:
    """Put the fake on tmp_path/bin and return the environment it reads (an empty S3 and metrics file)."""
    tool = tmp_path / "bin" / "aws"
    tool.parent.mkdir(exist_ok=True)
    tool.write_text(FAKE_AWS)
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "s3").mkdir(exist_ok=True)
    return {"FAKE_S3": str(tmp_path / "s3"), "FAKE_METRICS": str(tmp_path / "metrics.jsonl")}


def published(tmp_path: Path) -> list[dict[str, Any]]:
    """The metrics the fake received, in order."""
    metrics = tmp_path / "metrics.jsonl"
    if not metrics.exists():
        return []
    return [json.loads(line) for line in metrics.read_text().splitlines()]
