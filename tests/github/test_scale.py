"""Scale: every managed repository adds exactly the same resources, so plan work grows linearly with the list."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from ops.offline import Evaluation
from tests.helpers import NAMESPACE, evaluate_with

REPOSITORIES = 5  # `ops.bench.github_scale` times 50; the per-repository resources are the same


def per_repository(evaluation: Evaluation) -> dict[str, Counter[str]]:
    """Repository component name -> resource types under it (itself included)."""
    components = {r.urn: r.name for r in evaluation.resources if r.type == "platform:github:RepositoryDelivery"}
    counts: dict[str, Counter[str]] = {name: Counter() for name in components.values()}
    for r in evaluation.resources:
        owner = r.urn if r.urn in components else r.parent
        if owner in components:
            counts[components[owner]][r.type] += 1
    return counts


def outside_repositories(evaluation: Evaluation) -> Counter[str]:
    return Counter(r.type for r in evaluation.resources if "platform:github:RepositoryDelivery" not in r.urn)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    def edit(config: dict[str, Any]) -> None:
        github = config[f"{NAMESPACE}:github"]
        github["repositories"] = [f"lodgetix/app-{i:02d}" for i in range(REPOSITORIES)]

    return evaluate_with(tmp_path_factory.mktemp("scale"), "production", edit)


def test_each_repository_adds_the_same_resources(many: Evaluation, production: Evaluation):
    [single] = per_repository(production).values()
    repositories = per_repository(many)
    assert len(repositories) == REPOSITORIES
    assert all(counts == single for counts in repositories.values())
    # Nothing outside the repositories grows with their number.
    assert outside_repositories(many) == outside_repositories(production)
    assert len(many.resources) - len(production.resources) == (REPOSITORIES - 1) * single.total()
