"""Dependencies point one way: ingest imports nothing from assistant; assistant's packages and core modules import
ingest and each other without a cycle; only the surfaces (cli, web) import the surfaces. Every import counts:
at the top of a module, inside a function, under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURFACES = ("assistant.cli", "assistant.web")


def _modules() -> dict[str, Path]:
    found = {}
    for top in ("ingest", "assistant"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The project modules a module imports (a package's __init__ when the name is a package)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # from package import module
                found.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module)
    return {m for m in found if m.split(".")[0] in ("assistant", "ingest")}


GRAPH = {name: _imports(name) for name in MODULES}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _unit(name: str) -> str:
    """What a dependency is counted between: ingest, a package of assistant, or one of assistant's core modules."""
    parts = name.split(".")
    return "ingest" if parts[0] == "ingest" else ".".join(parts[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member, or with an edge to themselves (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_modules_are_found_and_read():
    assert {
        "ingest.pipeline",
        "ingest.settings",
        "assistant.cli",
        "assistant.pack.loader",
        "assistant.draft.model",
        "assistant.web.app",
    } <= set(MODULES)
    assert "assistant.draft.model" in GRAPH["assistant.draft.docx"]  # a writer imports the model it writes


def test_ingest_imports_nothing_from_assistant():
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if _within(name, "ingest")
        for target in targets
        if _within(target, "assistant")
    )
    assert upward == []


def test_only_the_surfaces_import_the_surfaces():
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if not any(_within(name, s) for s in SURFACES)
        for target in targets
        if any(_within(target, s) for s in SURFACES)
    )
    assert upward == []
    assert not any(
        _within(t, "assistant.cli")
        for name, targets in GRAPH.items()
        if _within(name, "assistant.web")
        for t in targets
    )


def test_no_module_imports_itself_back():
    assert _cycles(GRAPH) == []


def test_the_packages_depend_on_each_other_one_way():
    units: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        units.setdefault(_unit(name), set()).update(_unit(t) for t in targets if _unit(t) != _unit(name))
    assert _cycles(units) == []


def test_the_check_sees_a_cycle_and_an_upward_import():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"a"}}) == [["a"]]
    assert _unit("assistant.draft.model") == "assistant.draft" and _unit("ingest.walk") == "ingest"


def test_every_package_says_what_it_offers():
    silent = [
        name
        for name, path in MODULES.items()
        if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert silent == []
