"""The import graph of the product's packages: circles, and imports made inside functions.

    python scripts/import_graph.py [--packages webapp workers] [--inside]

Reads the source (an AST walk, nothing is imported). An edge A → B is an `import B` or `from B import x`
(or `from A's package import B` when B is a module) at the top of A, outside `if TYPE_CHECKING:`; and an
edge A → P for each package P above B that is not above A (loading B runs P's __init__.py first). Prints
every circle among those edges, then, with `--inside`, every import made inside a function and whether
it would close a circle if it were made at the top (an import moved into a function to dodge a circle).
Exit status 1 when there is a circle among the top-level imports, or an import inside a function that
dodges one.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    top: set[str] = field(default_factory=set)  # modules imported at the top
    inside: list[tuple[int, str]] = field(default_factory=list)  # (line, module) imported in a function


def discover(packages: list[str], root: Path = ROOT) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            name = ".".join(parts)
            modules[name] = Module(name, path, is_package)
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: Module, known: dict[str, Module]) -> list[str]:
    """The product's modules an import statement loads (others are ignored)."""
    found: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = module.name.split(".")
            anchor = anchor if module.is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        names = []
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            names.append(sub if sub in known else base)
    own = _packages_of(module.name)
    for name in names:
        # `import a.b.c` names a.b.c; the nearest known module is what it loads from us
        parts = name.split(".")
        while parts and ".".join(parts) not in known:
            parts.pop()
        if parts:
            found.append(".".join(parts))
            # Loading a.b.c runs a/__init__.py and a/b/__init__.py first: an edge to each package that is
            # not already loading (the importer's own packages are)
            found.extend(p for p in _packages_of(".".join(parts)) if p in known and p not in own)
    return found


def _packages_of(name: str) -> list[str]:
    """a.b.c → [a, a.b]: the packages whose __init__ runs before a.b.c loads."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def read_imports(modules: dict[str, Module]) -> None:
    for module in modules.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
        _walk(tree.body, module, modules, in_function=False)


def _walk(body: list[ast.stmt], module: Module, known: dict[str, Module], *, in_function: bool) -> None:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module, known):
                if target == module.name:
                    continue
                if in_function:
                    if (node.lineno, target) not in module.inside:
                        module.inside.append((node.lineno, target))
                else:
                    module.top.add(target)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            continue  # for the type checker only: never run
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _walk(node.body, module, known, in_function=True)
        else:
            for child_body in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, child_body, None)
                if isinstance(children, list):
                    stmts = [c for c in children if isinstance(c, ast.stmt | ast.ExceptHandler)]
                    flat: list[ast.stmt] = []
                    for c in stmts:
                        flat.extend(c.body if isinstance(c, ast.ExceptHandler) else [c])
                    _walk(flat, module, known, in_function=in_function)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        v = todo.pop()
        if v == goal:
            return True
        for w in graph.get(v, ()):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return False


@dataclass(frozen=True)
class Report:
    circles: list[list[str]]
    inside: list[tuple[str, int, str, bool]]  # (module, line, imported, would close a circle)

    @property
    def dodges(self) -> list[tuple[str, int, str, bool]]:
        return [i for i in self.inside if i[3]]


def analyse(packages: list[str], root: Path = ROOT) -> Report:
    modules = discover(packages, root)
    read_imports(modules)
    graph = {name: set(m.top) for name, m in modules.items()}
    inside = [
        (m.name, line, target, reaches(graph, target, m.name))
        for m in modules.values()
        for line, target in m.inside
    ]
    return Report(circles(graph), sorted(inside))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", nargs="+", default=["webapp", "workers"])
    parser.add_argument("--inside", action="store_true", help="list the imports made inside functions")
    args = parser.parse_args()
    report = analyse(args.packages)
    for circle in report.circles:
        print("circle: " + " → ".join([*circle, circle[0]]))
    if not report.circles:
        print(f"no circle among the top-level imports of {', '.join(args.packages)}")
    if args.inside:
        for module, line, target, dodge in report.inside:
            note = "  ← would close a circle at the top" if dodge else ""
            print(f"inside a function: {module}:{line} imports {target}{note}")
    print(f"{len(report.inside)} import(s) inside functions, {len(report.dodges)} of them dodging a circle")
    return 1 if report.circles or report.dodges else 0


if __name__ == "__main__":
    sys.exit(main())
