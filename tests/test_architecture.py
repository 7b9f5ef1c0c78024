"""The package's shape (docs/architecture.md): no import cycles, short modules, no private names across modules.

Imports are read from the source with ``ast``, including those inside functions (they hide cycles
at import time, not in the design); imports under ``if TYPE_CHECKING:`` are for type checkers only
and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support.paths import ROOT

PACKAGE = ROOT / "optimizer"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path) -> list[tuple[str, str, int]]:
    """(module imported, name imported or "", line) for every optimizer import in the file."""
    tree = ast.parse(path.read_text())
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
            for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("optimizer")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("optimizer"):
            found += [(node.module, a.name, node.lineno) for a in node.names]
    return found


def _graph() -> dict[str, set[str]]:
    """Module → the optimizer modules it imports (``from pkg import submodule`` counts as the submodule)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, name, _ in _imports(path):
            full = f"{target}.{name}"
            graph[module].add(full if full in MODULES else target)
    for module, targets in graph.items():
        targets.discard(module)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    graph = _graph()
    # the package's __init__ only re-exports (lazily); it is the top, never imported from inside
    inside = {m: {t for t in targets if t != "optimizer"} for m, targets in graph.items()}
    assert _cycles(inside) == []


def test_the_checker_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_the_package_root() -> None:
    offenders = [(m, line) for m, path in MODULES.items() if m != "optimizer"
                 for target, _, line in _imports(path) if target == "optimizer"]
    assert offenders == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_short(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


def test_no_private_name_is_imported_from_another_module() -> None:
    offenders = [f"{m}:{line} imports {target}.{name}" for m, path in MODULES.items()
                 for target, name, line in _imports(path) if name.startswith("_") and name != "__version__"]
    assert offenders == []


def test_only_the_command_line_imports_the_terminal_views() -> None:
    offenders = [f"{m}:{line}" for m, path in MODULES.items() if not m.startswith("optimizer.terminal")
                 for target, _, line in _imports(path) if target.startswith("optimizer.terminal")]
    assert offenders == []


def test_reading_folders_does_not_need_the_solver() -> None:
    """report and compare read solution folders: nothing they import reaches Pyomo or HiGHS."""
    graph = _graph()
    heavy = {m for m, path in MODULES.items()
             if any(line.strip().startswith(("import pyomo", "from pyomo", "import highspy"))
                    for line in path.read_text().splitlines())}
    seen: set[str] = set()
    todo = ["optimizer.report.plan", "optimizer.report.compare", "optimizer.report.compare_page"]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo += sorted(graph.get(m, ()))
    assert sorted(seen & heavy) == []
