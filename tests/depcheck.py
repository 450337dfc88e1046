"""Dependency rules as tests (as go-containerregistry's ``depcheck_test.go``): the import graph of one of our
packages, read from the source with ``ast`` (imports inside functions count too), and the three checks the
per-package tests make with it:

- ``cycles(package)``: groups of modules that import each other, directly or through others;
- ``upward_imports(package, layers)``: an import from a sub-package to one listed *above* it (``layers``
  lists the sub-packages from the bottom up; a module may import its own layer and those below);
- ``forbidden_imports(package, prefixes)``: imports of other distributions or packages it must never use
  (``image_pipeline`` never imports ``aws_cdk``; the sandbox never imports the product's rules).

Each returns readable lines (empty when the rule holds), so a failing test names every offending import.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted name as written (absolute), resolved to a module of ours when it is one
    line: int


def modules(package: str, root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` (a package is its ``__init__``)."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    parts = base.split(".")
    parent = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{parent}.{node.module}" if node.module else parent


def imports(package: str, root: Path = ROOT) -> list[Import]:
    """Every import statement of ``package``'s modules, ``from X import Y`` counted as X.Y when X.Y is a module."""
    known = modules(package, root)
    everything = set(known)
    found = []
    for module, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, path, node)
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in everything else base for a in node.names]
            else:
                continue
            found.extend(Import(module, name, node.lineno) for name in dict.fromkeys(names))
    return found


def _own(name: str, known: Iterable[str]) -> str | None:
    """The module of ours that ``name`` (a module, or a name inside one) refers to."""
    known = set(known)
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def graph(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    known = modules(package, root)
    edges: dict[str, set[str]] = {m: set() for m in known}
    for item in imports(package, root):
        target = _own(item.imported, known)
        # a module "imports" its own package's __init__ only when it names it; parents are not edges
        if target and target != item.importer and not item.importer.startswith(target + "."):
            edges[item.importer].add(target)
    return edges


def cycles(package: str, root: Path = ROOT) -> list[str]:
    """One line per import cycle (Tarjan's strongly connected components of more than one module)."""
    edges = graph(package, root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [" <-> ".join(component) for component in found]


def layer_of(module: str, package: str, layers: Sequence[str]) -> str | None:
    """The sub-package (first component after ``package``) a module lives in; None for the package's own
    top-level modules (``__init__``, ``__main__``), which may import anything."""
    rest = module.removeprefix(package).lstrip(".")
    head = rest.split(".", 1)[0]
    return head if head in layers else None


def upward_imports(package: str, layers: Sequence[str], root: Path = ROOT) -> list[str]:
    """Imports that go up the stack ``layers`` (bottom first), and modules outside every layer."""
    problems = []
    rank = {name: position for position, name in enumerate(layers)}
    known = modules(package, root)
    for module in known:
        rest = module.removeprefix(package).lstrip(".")
        if rest and "." not in rest and rest not in rank and rest not in ("__main__",):
            problems.append(f"{module} is in no layer (layers: {', '.join(layers)})")
    for item in imports(package, root):
        target = _own(item.imported, known)
        if target is None:
            continue
        source_layer = layer_of(item.importer, package, layers)
        target_layer = layer_of(target, package, layers)
        if source_layer is None or target_layer is None:
            continue
        if rank[target_layer] > rank[source_layer]:
            problems.append(f"{item.importer} (layer {source_layer}) imports {target} (layer {target_layer}, "
                            f"above it), line {item.line}")
    return problems


def forbidden_imports(package: str, prefixes: Sequence[str], root: Path = ROOT,
                      allowed: Sequence[str] = ()) -> list[str]:
    """Imports of a name starting with one of ``prefixes`` (a whole dotted component: ``aws_cdk`` matches
    ``aws_cdk.aws_ecr``, not ``aws_cdkx``), except the exact names in ``allowed``."""
    problems = []
    for item in imports(package, root):
        for prefix in prefixes:
            if (item.imported == prefix or item.imported.startswith(prefix + ".")) and item.imported not in allowed:
                problems.append(f"{item.importer} imports {item.imported}, line {item.line}")
    return problems
