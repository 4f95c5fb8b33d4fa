"""The import graph of docs/architecture.md ("Who may import what") is a tree of layers: no module
imports itself round a circle, and no package of tutor imports one that imports it back. Every
import counts, inside functions and TYPE_CHECKING blocks too."""

from __future__ import annotations

import ast
from pathlib import Path

import tutor

PACKAGE = Path(tutor.__file__).parent


def module_files() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    files: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports (`from a import b` is a.b where b is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                         for alias in node.names)
    return {module for module in found if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    return {name: imports_of(name, path, set(files)) for name, path in files.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of `graph` with more than one member (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return found


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Imports between tutor's packages (tutor.ui, tutor.runner, ...; a top module is its own)."""
    def package(name: str) -> str:
        return ".".join(name.split(".")[:2])
    packages: dict[str, set[str]] = {package(name): set() for name in graph}
    for name, imported in graph.items():
        packages[package(name)].update(package(other) for other in imported
                                       if package(other) != package(name))
    return packages


def test_no_module_imports_itself_round_a_circle() -> None:
    assert circles(import_graph()) == []


def test_no_package_imports_one_that_imports_it_back() -> None:
    assert circles(package_graph(import_graph())) == []


def test_the_circle_finder_finds_a_circle_and_only_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]


def test_the_graph_sees_relative_and_late_imports() -> None:
    graph = import_graph()
    assert "tutor.ui.app" in graph["tutor.commands.app"]  # imported inside a function
    assert graph["tutor.runner.zygote"]


def test_the_grading_package_names_every_export_and_loads_only_what_is_used() -> None:
    """tutor.grading loads its names on first use: the progress store reads quiz_state without
    the whole grader (tutor/grading/__init__.py)."""
    import importlib
    import subprocess
    import sys

    grading = importlib.import_module("tutor.grading")
    for name in grading.__all__:
        assert getattr(grading, name) is not None, name
    code = ("import sys, tutor.grading.quiz_state\n"
            "print('tutor.grading.grader' in sys.modules, 'tutor.grading.compare' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.split() == ["False", "False"], proc.stderr
