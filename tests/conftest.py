"""Evaluations of the real stacks are computed once per test session and shared (read-only)."""

from __future__ import annotations

import pytest

from ops.offline import Evaluation, evaluate
from tests.helpers import REPO


@pytest.fixture(scope="session")
def staging() -> Evaluation:
    return evaluate(REPO, "staging")


@pytest.fixture(scope="session")
def production() -> Evaluation:
    return evaluate(REPO, "production")


@pytest.fixture(scope="session", params=["staging", "production"])
def stack(request: pytest.FixtureRequest, staging: Evaluation, production: Evaluation) -> Evaluation:
    return staging if request.param == "staging" else production
