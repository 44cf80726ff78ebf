#!/usr/bin/env bash
# Prints the path of a `pulumi` CLI of the version go.mod pins, building it from its Go module when none is at hand.
#
#   tools/engine/build.sh            build if needed, print the binary's path (exit 3: no CLI and no Go toolchain)
#   tools/engine/build.sh --locate   print the path only if such a CLI already exists (exit 3 otherwise)
#   tools/engine/build.sh --version  print the pinned version
#
# A `pulumi` of the pinned version on PATH (a user's machine) is used as it is. Otherwise the CLI is built once per
# version into $PULUMI_ENGINE_CACHE (default ~/.cache/functions-platform/engine/<version>/bin), outside the clone, so
# a second run, or a fresh clone on the same machine, costs nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's#^require github.com/pulumi/pulumi/pkg/v3 \(v[0-9][0-9.]*\)$#\1#p' "$here/go.mod")
[ -n "$version" ] || { echo "engine: no pinned github.com/pulumi/pulumi/pkg/v3 version in $here/go.mod" >&2; exit 2; }
mode=${1:-build}
if [ "$mode" = "--version" ]; then echo "$version"; exit 0; fi

if on_path=$(command -v pulumi 2>/dev/null) && [ "$("$on_path" version 2>/dev/null)" = "$version" ]; then
  echo "$on_path"
  exit 0
fi

cache=${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/functions-platform/engine}/$version/bin
binary=$cache/pulumi
if [ -x "$binary" ] && [ "$("$binary" version 2>/dev/null)" = "$version" ]; then
  echo "$binary"
  exit 0
fi
if [ "$mode" = "--locate" ]; then exit 3; fi
if ! command -v go >/dev/null 2>&1; then
  echo "engine: no pulumi $version on PATH and no Go toolchain to build it" >&2
  exit 3
fi

mkdir -p "$cache"
started=$(date +%s)
echo "engine: building pulumi $version from its Go module into $cache (first time only; several minutes)" >&2
(
  cd "$here"
  CGO_ENABLED=0 go build -mod=readonly -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    -o "$binary.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
)
mv "$binary.partial" "$binary"
echo "engine: built $("$binary" version) in $(($(date +%s) - started)) s" >&2
echo "$binary"
