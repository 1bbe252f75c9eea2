"""The background tasks call the services; the services never import the tasks back (issue 13, point 2).

Read from the source with `ast`, every import counted wherever it stands (a function-level import still closes
a circle). The services of an app are its `services.py` or every module of its `services/` package.
"""

import ast
import pathlib

import pytest

import tadiao

SOURCE = pathlib.Path(tadiao.__file__).parent
APPS = ["bulletins", "notifications", "imports", "coordination"]


def modules(root: pathlib.Path, app: str) -> dict[str, pathlib.Path]:
    """{dotted name: file} of an app's modules, migrations and tests left out."""
    found = {}
    for path in sorted((root / app).rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if "migrations" in parts or "tests" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """The modules of `known` that the module `name` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets.add(base)
            # `from package import module` imports the module; `from module import name` only the module.
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in known and t != name}


def graph(root: pathlib.Path, app: str) -> dict[str, set[str]]:
    found = modules(root, app)
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def is_service(name: str, app: str) -> bool:
    services = f"tadiao.{app}.services"
    return name == services or name.startswith(f"{services}.")


def reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        for nxt in edges.get(current, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def problems(root: pathlib.Path, app: str) -> list[str]:
    """What is wrong with an app's services and tasks, in words; empty when the tasks only point down."""
    edges = graph(root, app)
    tasks = f"tadiao.{app}.tasks"
    services = sorted(n for n in edges if is_service(n, app))
    found = []
    for name in services:
        if tasks in edges[name]:
            found.append(f"{name} imports {tasks}")
    if tasks in edges and not any(is_service(n, app) for n in edges[tasks]):
        found.append(f"{tasks} does not call the services")
    for name in [*services, tasks]:
        if name in edges and reaches(edges, name, name):
            found.append(f"{name} is on an import circle")
    return found


@pytest.mark.parametrize("app", APPS)
def test_tasks_call_the_services_and_no_service_imports_the_tasks(app):
    assert problems(SOURCE, app) == []


def test_the_check_sees_an_import_inside_a_function_and_a_relative_one(tmp_path):
    """The circle this issue removed: `request_generation` imported the tasks inside its body."""
    app = tmp_path / "tadiao" / "shop"
    app.mkdir(parents=True)
    (tmp_path / "tadiao" / "__init__.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "tasks.py").write_text("from tadiao.shop import services\n")
    (app / "services.py").write_text("def request():\n    from tadiao.shop import tasks\n")
    assert problems(tmp_path / "tadiao", "shop") == [
        "tadiao.shop.services imports tadiao.shop.tasks",
        "tadiao.shop.services is on an import circle",
        "tadiao.shop.tasks is on an import circle",
    ]
    (app / "services.py").unlink()
    (app / "services").mkdir()
    (app / "services" / "__init__.py").write_text("from .delivery import run\n")
    (app / "services" / "delivery.py").write_text("from ..tasks import book\n\ndef run():\n    book()\n")
    assert "tadiao.shop.services.delivery imports tadiao.shop.tasks" in problems(tmp_path / "tadiao", "shop")
    (app / "services" / "delivery.py").write_text("def run():\n    pass\n")
    assert problems(tmp_path / "tadiao", "shop") == []
