"""Layering: no import cycles among the modules of Schouders, and the platform never imports what
builds on it (instruments, registers, web).

Imports are read with ``ast``, including imports inside functions (a lazy import hides a cycle
from Python, not from the design). An import of a module's own ancestor package is left out: it
is imported before the module anyway, so it cannot start a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import schouders

ROOT = Path(schouders.__file__).parent
FORBIDDEN_FOR_PLATFORM = ("schouders.instruments", "schouders.web", "schouders.registers")


def module_files() -> dict[str, tuple[Path, bool]]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = ["schouders", *path.relative_to(ROOT).with_suffix("").parts]
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        modules[".".join(parts)] = (path, package)
    return modules


def import_graph(modules: dict[str, tuple[Path, bool]]) -> dict[str, set[str]]:
    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, (path, package) in modules.items():
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(known(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name if package else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in modules else known(base))
        graph[name] = {
            t for t in targets
            if t and t != name and t.startswith("schouders") and not name.startswith(t + ".")
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_detection_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_graph_reads_lazy_imports() -> None:
    graph = import_graph(module_files())
    # a lazy import inside a function counts (schouders.web.app mounts the instruments lazily)
    assert "schouders.instruments" in graph["schouders.web.app"]
    assert "schouders.platform.db" in graph["schouders.platform.migrate"]


def test_no_import_cycles_among_schouders_modules() -> None:
    assert cycles(import_graph(module_files())) == []


def test_platform_imports_nothing_that_builds_on_it() -> None:
    graph = import_graph(module_files())
    offending = sorted(
        (module, target)
        for module, targets in graph.items() if module.startswith("schouders.platform")
        for target in targets if target.startswith(FORBIDDEN_FOR_PLATFORM)
    )
    assert offending == []
