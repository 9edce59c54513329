"""The package's layers stay visible: no import cycles, no private names taken across modules.

The import graph is read from the source with :mod:`ast` (nothing is imported): every ``import``
and ``from ... import`` in a module counts, at the top level or inside a function, so an import
moved into a function to dodge a cycle is still a cycle here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "jaif_kg"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


@dataclass(frozen=True)
class Import:
    """One import of a ``jaif_kg`` module by another."""

    importer: str
    target: str
    names: tuple[str, ...]
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(known: dict[str, Path]) -> list[Import]:
    """Every import of a package module, resolved to the module it loads."""
    found: list[Import] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known:
                        found.append(Import(name, alias.name, (), node.lineno))
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(name, path.name == "__init__.py", node)
                if source not in known:
                    continue
                plain: list[str] = []
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    if submodule in known:  # from package import module
                        found.append(Import(name, submodule, (), node.lineno))
                    else:
                        plain.append(alias.name)
                if plain:
                    found.append(Import(name, source, tuple(plain), node.lineno))
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a self-import), by
    Tarjan's algorithm, each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_reader_finds_imports() -> None:
    """A guard for the guard: the reader sees the imports it must see."""
    found = imports(modules())
    pairs = {(i.importer, i.target) for i in found}
    assert ("jaif_kg.api.routes.sparql", "jaif_kg.api.deps") in pairs
    assert len(found) > 100


def test_cycles_are_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(edges) == [["a", "b", "c"], ["e"]]


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for imp in imports(modules()):
        if imp.target != imp.importer:
            edges.setdefault(imp.importer, set()).add(imp.target)
    found = cycles(edges)
    assert not found, "import cycles (a shared part belongs in a module below both):\n" + "\n".join(
        " <-> ".join(c) for c in found
    )


def test_no_private_names_imported_across_modules() -> None:
    offences = [
        f"{imp.importer} (line {imp.line}) imports {name} from {imp.target}"
        for imp in imports(modules())
        for name in imp.names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not offences, "private names imported from another module:\n" + "\n".join(offences)
