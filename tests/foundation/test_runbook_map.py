"""The runbook map (docs/runbook.md) summarises every item and names only files, folders and settings that exist."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from components.shared.delivery_contract import WORKFLOW_FILES
from ops import settings_doc
from tests.support.repository import REPO

MAP = re.search(
    r"<!-- section:runbook-map -->(.*?)<!-- /section:runbook-map -->", (REPO / "docs" / "runbook.md").read_text(), re.S
)


def _map_text() -> str:
    assert MAP is not None, "docs/runbook.md has no runbook-map section"
    return MAP.group(1)


def test_every_runbook_item_is_mapped() -> None:
    rows = [line for line in _map_text().splitlines() if line.startswith("| IF-")]
    assert [row.split()[1] for row in rows] == [f"IF-{n:03d}" for n in range(1, 14)]


def test_every_item_is_summarised_in_our_own_words() -> None:
    rows = [line for line in _map_text().splitlines() if line.startswith(("| IF-", "| README:"))]
    assert len(rows) == 19
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 4, row
        assert len(cells[1].split()) >= 8, f"no summary of what {cells[0]} asks for"


def _missing_paths(text: str) -> list[str]:
    paths = [t for t in re.findall(r"`([^`]+)`", text) if "/" in t and " " not in t]
    return [p for p in paths if not (REPO / p).exists()]


def test_named_files_and_folders_exist() -> None:
    assert "`components/" in _map_text(), "the map names files"
    assert _missing_paths(_map_text()) == []


def test_a_file_that_does_not_exist_is_caught() -> None:
    assert _missing_paths("see `components/backup/` and `components/nope.py`") == ["components/nope.py"]


def test_named_app_repository_files_are_committed_by_the_program() -> None:
    committed = {PurePosixPath(path).name for path in WORKFLOW_FILES}
    named = set(re.findall(r"\b([a-z-]+\.yml)\b", _map_text()))
    assert named
    assert named <= committed


def test_named_settings_exist() -> None:
    reference = settings_doc.render()
    keys = re.findall(r"`(functions-platform:[a-z_.]+)`", _map_text())
    assert len(keys) > 15
    assert [k for k in keys if f"`{k}`" not in reference] == []
