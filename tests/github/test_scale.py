"""Scale: every managed repository adds exactly the same resources, so plan work grows linearly with the list."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from ops.offline import Evaluation
from tests.support.programs import evaluate_with
from tests.support.stack_files import NAMESPACE

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
def many_repositories(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    def edit(config: dict[str, Any]) -> None:
        github = config[f"{NAMESPACE}:github"]
        github["repositories"] = [f"lodgetix/app-{i:02d}" for i in range(REPOSITORIES)]

    return evaluate_with(tmp_path_factory.mktemp("scale"), "production", edit)


def test_each_repository_adds_the_same_resources(many_repositories: Evaluation, production: Evaluation):
    [single] = per_repository(production).values()
    repositories = per_repository(many_repositories)
    assert len(repositories) == REPOSITORIES
    assert all(counts == single for counts in repositories.values())
    # Outside the repositories only the backup vault grows: each app has its own job roles, their policies,
    # and its freshness and drill alarms (one backup per app).
    per_app_backup = Counter(
        {"aws:iam/role:Role": 2, "aws:iam/rolePolicy:RolePolicy": 2, "aws:cloudwatch/metricAlarm:MetricAlarm": 5}
    )
    extra = REPOSITORIES - 1
    growth = outside_repositories(many_repositories)
    growth.subtract(outside_repositories(production))
    assert +growth == Counter({kind: count * extra for kind, count in per_app_backup.items()})
    assert not -growth, "nothing outside the repositories shrinks"
    assert len(many_repositories.resources) - len(production.resources) == extra * (
        single.total() + per_app_backup.total()
    )
