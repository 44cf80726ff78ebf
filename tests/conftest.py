"""Evaluations of the real stacks are computed once per test session and shared (read-only)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from ops.offline import Evaluation, evaluate
from tests.support.repository import REPO

# CI runs the same examples every time (a red build is reproducible); locally hypothesis explores.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def staging() -> Evaluation:
    return evaluate(REPO, "staging")


@pytest.fixture(scope="session")
def production() -> Evaluation:
    return evaluate(REPO, "production")


@pytest.fixture(scope="session", params=["staging", "production"])
def stack(request: pytest.FixtureRequest, staging: Evaluation, production: Evaluation) -> Evaluation:
    return staging if request.param == "staging" else production
