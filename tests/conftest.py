"""Fixtures shared by the test modules, and the hypothesis profiles.

Helpers that a test imports (paths, instance builders, the independent feasibility checker,
``solve_checked``, ...) live in ``tests/support/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from support.instances import write
from support.paths import EXAMPLES, INSTANCES
from support.solving import solve_checked
from typer.testing import CliRunner

import optimizer

# Hypothesis profiles for tests/test_properties.py. "ci" (the default) is bounded and reproducible;
# choose another with `--hypothesis-profile=long` or PROCURE_HYPOTHESIS=long.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("PROCURE_HYPOTHESIS", "ci"))


@pytest.fixture
def examples_dir() -> Path:
    """The spec's examples folder; the test is skipped where the spec is not checked out beside the project."""
    if not (EXAMPLES / "expected.json").exists():
        pytest.skip(f"the spec's examples are not at {EXAMPLES}")
    return EXAMPLES


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    """A Typer/Click test runner for ``cli.app`` (it keeps no state between invocations)."""
    return CliRunner()


@pytest.fixture
def write_instance(tmp_path: Path) -> Callable[..., Path]:
    """``write_instance(data, name="instance.json")``: the instance dict written into the test's tmp_path."""
    return lambda data, name="instance.json": write(tmp_path, data, name)


@pytest.fixture(scope="session")
def shipped_plan() -> Callable[[str], optimizer.Solution]:
    """``shipped_plan(NAME)``: the plan of ``instances/NAME`` with the default options, solved once per
    session and re-checked by the independent checker (:func:`support.solving.solve_checked`).

    The same :class:`optimizer.Solution` is handed to every test that asks: read it, never change it.
    """
    plans: dict[str, optimizer.Solution] = {}

    def plan(name: str) -> optimizer.Solution:
        if name not in plans:
            plans[name] = solve_checked(INSTANCES / name)
        return plans[name]

    return plan
