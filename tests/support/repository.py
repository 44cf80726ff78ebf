"""This repository: its root, and the text files git tracks in it."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def tracked_text_files() -> list[Path]:
    """Every file git tracks that exists and is text (no NUL byte in its first 4 KiB)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    paths = [REPO / p for p in listed.decode().split("\0") if p]
    return [p for p in paths if p.is_file() and b"\0" not in p.read_bytes()[:4096]]
