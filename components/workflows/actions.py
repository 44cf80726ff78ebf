"""Pinned third-party actions: every `uses:` is a commit SHA from pinned_actions.json, its tag kept as a comment.

The pins file lives inside the package, so the program never reads files outside the repository at run
time. To bump an action, change its SHA and tag there; the workflow tests check every `uses:` against it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PINS_FILE = Path(__file__).with_name("pinned_actions.json")


@dataclass(frozen=True)
class Pin:
    action: str
    tag: str
    sha: str

    @property
    def uses(self) -> str:
        return f"{self.action}@{self.sha}"


@cache
def pins() -> dict[str, Pin]:
    raw: dict[str, object] = json.loads(PINS_FILE.read_text())
    result: dict[str, Pin] = {}
    for action, entry in raw.items():
        if action.startswith("_") or not isinstance(entry, dict):
            continue  # `_about` and other annotations
        result[action] = Pin(action=action, tag=str(entry["tag"]), sha=str(entry["sha"]))
    return result


def uses(action: str) -> str:
    """`owner/name@<sha>` for an action in the pins file; an unpinned action is a programming error."""
    try:
        return pins()[action].uses
    except KeyError:
        raise KeyError(f"{action} is not in {PINS_FILE.name}: pin it to a commit SHA first") from None


@cache
def tag_comments() -> Mapping[str, str]:
    """`owner/name@<sha>` -> tag, for the trailing `# <tag>` comments (built once: the writer asks per mapping)."""
    return {pin.uses: pin.tag for pin in pins().values()}
