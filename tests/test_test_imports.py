"""The test suite's own layout: test modules never import each other; shared helpers live in ``tests/support/``.

``tests/`` is on ``sys.path`` while the tests run (the rootdir conftest), so any module there is
importable by its bare name. The only ones a test may import are ``conftest`` (fixtures and
re-exported names) and the ``support`` package. Imports are read from the source with ``ast``,
including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
HELPERS = {"conftest", "support"}
TEST_MODULES = sorted(TESTS.glob("test_*.py"))
SUPPORT = sorted((TESTS / "support").glob("*.py"))
LOCAL = {p.stem for p in TESTS.glob("*.py")} | {p.name for p in TESTS.iterdir() if (p / "__init__.py").exists()}
"""Every name that resolves to a file of tests/ when imported: its modules and its packages."""


def _imported(path: Path) -> list[tuple[str, int]]:
    """(top-level module name, line) of every absolute import in the file; relative ones as ``"."``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(("." if node.level else (node.module or "").split(".")[0], node.lineno))
    return found


def test_the_layout_is_what_this_test_expects() -> None:
    assert (TESTS / "conftest.py").exists() and (TESTS / "support" / "__init__.py").exists()
    assert len(TEST_MODULES) > 30 and TESTS / "test_test_imports.py" in TEST_MODULES
    assert not (TESTS / "__init__.py").exists(), "tests/ is not a package: its modules import by bare name"


def test_test_modules_import_helpers_only_from_conftest_or_support() -> None:
    offenders = [f"{path.name}:{line}: {name}" for path in TEST_MODULES for name, line in _imported(path)
                 if name == "." or (name in LOCAL and name not in HELPERS)]
    assert offenders == [], "test modules never import each other; move what they share to tests/support/"


def test_no_module_of_tests_is_a_helper_outside_support() -> None:
    """A module of tests/ is conftest.py or a test module: a shared helper goes into the support package."""
    stray = sorted(p.name for p in TESTS.glob("*.py") if p.stem != "conftest" and not p.stem.startswith("test_"))
    assert stray == []


def test_support_never_imports_a_test_module_or_conftest() -> None:
    offenders = [f"support/{path.name}:{line}: {name}" for path in SUPPORT for name, line in _imported(path)
                 if name in LOCAL and name != "support"]
    assert offenders == []


def test_the_feasibility_checker_is_independent_of_the_optimizer() -> None:
    """support/feasibility.py reads only the instance JSON and solution.json: the standard library, nothing else."""
    import sys

    imported = {name for name, _ in _imported(TESTS / "support" / "feasibility.py")}
    assert imported - {"__future__"} <= set(sys.stdlib_module_names), imported
