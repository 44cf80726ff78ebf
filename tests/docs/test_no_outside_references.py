"""No comment, docstring, message or doc names a file outside the repository: a reader cannot follow it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.repository import REPO, tracked_text_files

# Names of the planning notes, runbook copies and tracker references that live beside the repository, not in it
# (`components/shared/` is the program's own folder of shared helpers).
OUTSIDE = re.compile(
    r"DESIGN\.md|(?<!components/)\bshared/|\breference/|reference\.md|pinned-actions\.json|issue #\d+", re.I
)
THIS_FILE = Path(__file__).resolve()


def outside_references(text: str) -> list[str]:
    return [m.group(0) for m in OUTSIDE.finditer(text)]


def test_no_tracked_file_names_a_file_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {hit}"
        for path in tracked_text_files()
        if path.resolve() != THIS_FILE  # it names them, to catch them
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
        for hit in outside_references(line)
    ]
    assert found == []


def test_each_kind_of_outside_reference_is_caught() -> None:
    for text in (
        "see DESIGN.md",
        "shared/seeds/000.txt",
        "/work/shared/seeds/000.txt",
        "the shared/reference notes",
        "issue #7",
        "Issue #12",
    ):
        assert outside_references(text), text
    for text in (
        "docs/cli.md",
        "policies/README.md",
        "components/workflows/pinned_actions.json",
        "issues",
        "components/shared/pulumi_internals.py",
        "components/shared/kms_actions.py",
    ):
        assert outside_references(text) == [], text
