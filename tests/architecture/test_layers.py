"""The import rules of docs/architecture.md, checked on the real source.

`lint-imports` (pyproject's `[tool.importlinter]`, run by `make lint`) fails on a backward import
between layers; this test adds what import-linter does not check: no two modules import each
other, directly or round a longer loop, inside any package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("healthpredict", "backend", "baseline", "pipeline")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(module: str) -> None:
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_module_imports_back_into_a_module_that_imports_it() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_planted_loop(tmp_path: Path) -> None:
    """The finder itself: a two-module loop and a three-module loop are both reported."""
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from planted import b\n")
    (package / "b.py").write_text("from planted import a\n")
    (package / "c.py").write_text("from planted import d\n")
    (package / "d.py").write_text("from planted import e\n")
    (package / "e.py").write_text("from planted import c\n")
    (package / "f.py").write_text("from planted import a\n")
    sys.path.insert(0, str(tmp_path))
    try:
        groups = _cycles(grimp.build_graph("planted"))
    finally:
        sys.path.remove(str(tmp_path))
    assert sorted(groups) == [
        ["planted.a", "planted.b"],
        ["planted.c", "planted.d", "planted.e"],
    ]


def test_lint_imports_refuses_a_planted_backward_import(tmp_path: Path) -> None:
    """The layer contracts fail on pipeline -> backend, and pass on the tree as it is."""
    lint = Path(sys.executable).parent / "lint-imports"
    kept = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert kept.returncode == 0, kept.stdout[-2000:]

    # A copy of the source with one backward import planted in the lowest layer.
    copy = tmp_path / "tree"
    copy.mkdir()
    for name in (*PACKAGES, "pyproject.toml"):
        source = ROOT / name
        target = copy / name
        if source.is_dir():
            subprocess.run(["cp", "-r", str(source), str(target)], check=True)
        else:
            target.write_text(source.read_text())
    errors = copy / "pipeline" / "core" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom backend import settings  # planted\n")
    broken = subprocess.run(
        [str(lint)],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy)},
    )
    assert broken.returncode == 1
    assert "pipeline is not allowed to import backend" in broken.stdout
    assert "pipeline.core.errors -> backend.settings" in broken.stdout
