"""The rooms of the package and what each may import (docs/architecture.md says why); the test
modules share code only through tests/helpers.py and conftest.py.

Data flows one way: a room imports only rooms below it in the pipeline, so a reader never
learns about rules and a rule never reaches back into a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "reportparse"

# room -> the rooms it may import (besides itself); a room is a top-level module or folder
MAY_IMPORT: dict[str, set[str]] = {
    "model": set(),
    "filenames": set(),
    "version": set(),
    "roster": set(),
    "document": {"model"},
    "normalize": {"model"},
    "limits": set(),
    "extraction": {"model"},
    "findings": {"model"},
    "serialize": {"model", "findings"},
    "templates": {"model", "document", "normalize"},
    "readers": {"model", "document", "normalize", "limits", "extraction", "templates"},
    "extract": {"model", "document", "normalize", "extraction", "templates", "readers", "filenames"},
    "rules": {"model", "findings", "extraction", "normalize", "templates"},
    "config": {"model", "rules"},
    "history": {"model", "findings", "rules"},
    "batch": {
        "model", "findings", "extraction", "limits", "serialize", "config", "readers", "extract", "rules",
        "filenames", "history", "version", "roster",
    },
    "render": {"model", "findings", "serialize", "templates", "rules", "batch", "filenames", "__init__"},
    "cli": {
        "model", "findings", "serialize", "config", "readers", "extract", "rules", "batch", "render",
        "filenames", "limits", "__init__", "history", "version", "roster", "serve",
    },
    # the web application (docs/serve.md): on top of the batch engine, the store and the renderers;
    # only cli imports it
    "serve": {
        "model", "findings", "serialize", "config", "readers", "rules", "batch", "render", "templates",
        "filenames", "limits", "history", "version",
    },
    "__main__": {"cli"},
}  # fmt: skip

# What a room's methods may also import inside their bodies, at call time: conveniences of the
# data types for a notebook — the reprs of Report and TableData and TableData.to_frame (model),
# AuditRun.findings_frame and cells_frame (batch) — live in render/notebook.py, which needs the
# templates, the CSV rows and pandas. Importing the room imports none of it, so no module
# imports a room above it when it is loaded and there is no import circle.
AT_CALL_TIME: dict[str, set[str]] = {"model": {"render"}, "batch": {"render"}}


def rooms_imported(path: Path, *, at_call_time: bool = False) -> set[str]:
    """The rooms a module imports by relative import (`__init__` for the package itself): those
    imported when it is loaded, or (`at_call_time`) those imported only inside a function."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = parts[:-1]
    found: set[str] = set()
    for node, in_function in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if node.level == 0 or in_function != at_call_time:
            continue
        base = package[: len(package) - (node.level - 1)]
        target = base + (node.module.split(".") if node.module else [])
        found.add(target[0] if target else "__init__")
    return found


def _imports(node: ast.AST, in_function: bool = False) -> list[tuple[ast.ImportFrom, bool]]:
    """Every `from … import` under `node`, and whether it is inside a function body."""
    found: list[tuple[ast.ImportFrom, bool]] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ImportFrom):
            found.append((child, in_function))
        inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        found += _imports(child, inside)
    return found


def room_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_every_room_is_known() -> None:
    rooms = {room_of(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    assert rooms == set(MAY_IMPORT)


def test_rooms_import_only_what_they_may() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        room = room_of(path)
        if room == "__init__":
            continue
        for other in rooms_imported(path) - {room} - MAY_IMPORT[room]:
            wrong.append(f"{path.relative_to(PACKAGE)} imports {other}")
        late = MAY_IMPORT[room] | AT_CALL_TIME.get(room, set())
        for other in rooms_imported(path, at_call_time=True) - {room} - late:
            wrong.append(f"{path.relative_to(PACKAGE)} imports {other} in a function")
    assert wrong == []


def test_call_time_imports_are_used() -> None:
    """Each call-time exception is still needed (and so still true)."""
    used = {
        room: set().union(
            *(rooms_imported(p, at_call_time=True) for p in PACKAGE.rglob("*.py") if room_of(p) == room)
        )
        for room in AT_CALL_TIME
    }
    assert {room: AT_CALL_TIME[room] & used[room] for room in AT_CALL_TIME} == AT_CALL_TIME


def test_no_module_over_the_size_limit() -> None:
    """Small modules named after what they do: none much over 500 lines."""
    big = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 560
    }
    assert big == {}


def test_no_test_module_imports_another() -> None:
    """What several test modules share lives in tests/helpers.py (or conftest.py): importing a
    test module from another runs its module-level code twice and hides what the tests share."""
    tests = ROOT / "tests"
    wrong = []
    for path in sorted(tests.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            wrong += [f"{path.name} imports {n}" for n in names if n.split(".")[0].startswith("test_")]
    assert wrong == []
