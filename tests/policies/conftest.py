"""The two policy fixture programs, evaluated once per session (each evaluation is read-only)."""

from __future__ import annotations

import pytest

from ops.offline import Evaluation, evaluate
from ops.policy_check import Violation, load_policies, run_policies
from tests.helpers import write_program

from .programs import INSECURE, SECURE


@pytest.fixture(scope="session")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return evaluate(write_program(tmp_path_factory.mktemp("secure"), SECURE, stack="production"), "production")


@pytest.fixture(scope="session")
def insecure(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return evaluate(write_program(tmp_path_factory.mktemp("insecure"), INSECURE, stack="production"), "production")


@pytest.fixture(scope="session")
def insecure_staging(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return evaluate(write_program(tmp_path_factory.mktemp("staging"), INSECURE, stack="staging"), "staging")


@pytest.fixture(scope="session")
def insecure_violations(insecure: Evaluation) -> list[Violation]:
    return run_policies(insecure, load_policies())
