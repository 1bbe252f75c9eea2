"""The house stays standing: no app imports an app of its own layer or of a layer above it.

The import graph is read from the source (ast, every `tadiao.<app>` import, inside functions too; migrations
excluded). An app that needs something from above takes it through a registry the upper app fills in its
AppConfig.ready() — see docs/architecture.md ("Layers").
"""

import ast
from pathlib import Path

import tadiao

# Lowest first. An app may import only apps of the layers before its own.
LAYERS: list[list[str]] = [
    ["lib"],
    ["formats"],  # Django's FORMAT_MODULE_PATH: date formats, built on lib
    ["audit"],
    ["org"],
    ["notifications"],
    ["projects"],
    ["reporting"],
    ["imports"],
    ["attraction", "economy"],
    ["indicators"],
    ["coordination", "bulletins", "gis", "oc4ids"],  # oc4ids: the open-data export (projects, reporting, org)
    ["weekly"],  # its problems go into coordination
    ["dashboard", "demo", "api"],  # api: the open API (/api/v1/) over every app's gates, queries and services
]

# Upward imports allowed for now, each named with its file and why; remove the entry when the cause goes.
TEMPORARY_EXCEPTIONS: dict[tuple[str, str], str] = {}

ROOT = Path(tadiao.__file__).parent


def _apps() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists())


def _imported_modules(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            if node.module == "tadiao":  # from tadiao import projects
                found += [(f"tadiao.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return found


def import_graph() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → the places, as "path:line"."""
    apps = set(_apps())
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        source = parts[0]
        for module, line in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            names = module.split(".")
            if names[0] == "tadiao" and len(names) > 1 and names[1] in apps and names[1] != source:
                edges.setdefault((source, names[1]), []).append(f"{path.relative_to(ROOT.parent)}:{line}")
    return edges


def test_every_app_has_a_layer():
    placed = {app for layer in LAYERS for app in layer}
    assert set(_apps()) - placed == set(), "a new app must be given its place in LAYERS (and in docs/architecture.md)"
    assert placed - set(_apps()) == set(), "LAYERS names an app that no longer exists"


def test_no_app_imports_its_own_layer_or_one_above():
    level = {app: n for n, layer in enumerate(LAYERS) for app in layer}
    wrong = [
        f"{source} → {target}: {', '.join(places)}"
        for (source, target), places in sorted(import_graph().items())
        if level[target] >= level[source] and (source, target) not in TEMPORARY_EXCEPTIONS
    ]
    assert wrong == [], "imports that point up (or sideways) the layers:\n" + "\n".join(wrong)


def test_temporary_exceptions_are_still_needed():
    """An exception whose import has gone must go too, so the list only shrinks."""
    edges = import_graph()
    assert [pair for pair in TEMPORARY_EXCEPTIONS if pair not in edges] == []


def test_the_graph_is_read_from_the_source():
    """The reader itself: a known downward import and a function-level import are both found."""
    edges = import_graph()
    assert ("projects", "org") in edges
    assert ("coordination", "projects") in edges  # CoordinationConfig.ready() imports inside a method
