"""docs/architecture.md and docs/cost.md hold what the offline plan gives: a stale picture or table fails here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ops import stack_docs
from ops.boundary import InputError
from ops.offline import Evaluation


@pytest.fixture
def evaluations(staging: Evaluation, production: Evaluation) -> dict[str, Evaluation]:
    return {"staging": staging, "production": production}


def test_committed_pictures_and_cost_tables_are_current(evaluations: dict[str, Evaluation]) -> None:
    assert stack_docs.stale(evaluations) == [], "run `python -m ops stack-docs --write`"


@pytest.fixture
def copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setattr(stack_docs, "REPO_ROOT", tmp_path)
    paths: dict[str, Path] = {}
    generators = dict(stack_docs.GENERATORS)
    for kind, (path, generate) in stack_docs.GENERATORS.items():
        (tmp_path / "docs").mkdir(exist_ok=True)
        copy = tmp_path / "docs" / path.name
        shutil.copy(path, copy)
        generators[kind] = (copy, generate)
        paths[kind] = copy
    monkeypatch.setattr(stack_docs, "GENERATORS", generators)
    readme = tmp_path / "README.md"
    shutil.copy(stack_docs.README, readme)
    monkeypatch.setattr(stack_docs, "README", readme)
    paths["readme"] = readme
    return paths


def test_an_edited_table_or_picture_is_stale_until_rewritten(
    copies: dict[str, Path], evaluations: dict[str, Evaluation]
) -> None:
    cost = copies["cost"]
    cost.write_text(cost.read_text().replace("**Fixed total**", "**Fixed totl**", 1))
    picture = copies["architecture"]
    picture.write_text(picture.read_text().replace("SNS topic production-alerts-high", "SNS topic renamed"))
    readme = copies["readme"]
    readme.write_text(
        readme.read_text().replace(
            "| [`staging`](docs/cost.md#staging) | ", "| [`staging`](docs/cost.md#staging) | 1", 1
        )
    )
    assert stack_docs.stale(evaluations) == [
        "docs/architecture.md: architecture:production",
        "docs/cost.md: cost:staging",
        "README.md: summary:stacks",
    ]
    text_around = "How the estimate is counted from the plan"
    stack_docs.write(evaluations)
    assert stack_docs.stale(evaluations) == []
    assert text_around in cost.read_text()  # only the generated blocks are rewritten


def test_a_missing_block_is_stale_and_write_names_it(
    copies: dict[str, Path], evaluations: dict[str, Evaluation]
) -> None:
    cost = copies["cost"]
    cost.write_text(cost.read_text().replace("<!-- /generated:cost:production -->", ""))
    assert "docs/cost.md: cost:production" in stack_docs.stale(evaluations)
    with pytest.raises(InputError, match=r"docs/cost.md: no `<!-- generated:cost:production -->`"):
        stack_docs.write(evaluations)
