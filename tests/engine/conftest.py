"""Engine tests need the pinned Pulumi CLI (`make engine` builds it). Without it they skip with one line, unless
REQUIRE_ENGINE_TESTS=1 (set by CI), which turns the skip into a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.engine.harness import REQUIRE_ENV, Engine, locate_cli

_CLI = locate_cli()
_MISSING = "engine tests skipped: no pinned pulumi CLI (run `make engine`, which needs Go, or put it on PATH)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    engine_items = [item for item in items if item.get_closest_marker("engine")]
    if _CLI is not None or not engine_items:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        raise pytest.UsageError(f"{REQUIRE_ENV}=1 but {_MISSING.removeprefix('engine tests skipped: ')}")
    skip = pytest.mark.skip(reason=_MISSING)
    for item in engine_items:
        item.add_marker(skip)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    assert _CLI is not None
    return Engine.create(_CLI, tmp_path / "engine")
