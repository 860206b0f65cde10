"""The layers of docs/architecture.md, checked on every import in src/schouders.

sources -> warehouse -> indicators -> service -> web; platform -> instruments. A layer imports
only layers to its left (and the shared base modules); the web renders and routes only, so it
never opens the warehouse or the indicator engine itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "schouders"
BASE = {"config", "errors", "atomic_duckdb", "__init__"}
ALLOWED: dict[str, set[str]] = {
    "sources": set(),
    "testing": {"sources"},
    "warehouse": {"sources"},
    "indicators": {"warehouse", "sources"},
    "service": {"indicators", "warehouse"},
    "web": {"service", "instruments"},
    "platform": set(),
    "instruments": {"platform", "web", "warehouse"},
    "cli": {"sources", "warehouse", "indicators", "service", "web", "instruments", "platform"},
    "cli_support": set(),
}


def layer_of(path: Path) -> str:
    part = path.relative_to(SRC).parts[0]
    return part.removesuffix(".py")


def imported_layers(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "schouders" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def test_every_import_follows_the_layers() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        own = layer_of(path)
        if own in BASE:
            continue
        allowed = ALLOWED[own] | BASE | {own, "cli_support"}
        for line, target in imported_layers(path):
            if target not in allowed:
                problems.append(f"{path.relative_to(SRC)}:{line} ({own}) imports {target}")
    assert not problems, "imports against docs/architecture.md:\n" + "\n".join(problems)


def test_web_never_opens_warehouse_or_engine() -> None:
    """The web asks the service facade; DuckDB and the engine are below it."""
    problems = []
    for path in sorted((SRC / "web").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in ("import duckdb", "schouders.indicators", "schouders.warehouse"):
            if word in text:
                problems.append(f"{path.relative_to(SRC)}: {word}")
    assert not problems, problems
