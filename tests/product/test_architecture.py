"""Layering: data flows one way, files -> rotas -> store and solver -> services -> calendars -> CLI and UI.

Every module is found on disk (not listed by hand), so a new module is checked the day it is added, and
every import is read from the source (including imports inside functions, which load lazily), so an
upward import fails here even when no test happens to run it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# What each stage may import, besides itself. The foundations (scheduler.errors, paths, fastimport) serve all.
FOUNDATIONS = "scheduler"
_BASE = {"rotas", FOUNDATIONS}
_DATA = {*_BASE, "scheduler.store", "scheduler.solver", "scheduler.services"}
_FACES = {*_DATA, "scheduler.calendars"}
MAY_IMPORT: dict[str, set[str]] = {
    "rotas": set(),
    FOUNDATIONS: {"rotas"},
    "scheduler.store": _BASE,
    "scheduler.solver": _BASE,
    "scheduler.services": _DATA,
    "scheduler.calendars": _DATA,
    "scheduler.synthetic": _DATA,
    "scheduler.ui": _FACES,
    "scheduler.cli": {*_FACES, "scheduler.synthetic", "scheduler.ui"},
    "scheduler.__main__": {"scheduler.cli"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(package: str, *, skip: str | None = None) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        name = module_name(path)
        if name.endswith("__main__"):  # runs the CLI when imported
            continue
        if skip is None or not (name == skip or name.startswith(skip + ".")):
            found.append(name)
    return found


def stage_of(module: str) -> str:
    """The stage a module belongs to: the longest key of MAY_IMPORT that it is, or lies inside."""
    stages = [s for s in MAY_IMPORT if module == s or module.startswith(s + ".")]
    return max(stages, key=len)


def imports_in(path: Path, module: str) -> set[str]:
    """Every rotas/scheduler module the file imports, at the top or inside a function."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            # "from scheduler.services import scheduling" imports the submodule scheduler.services.scheduling.
            found.update(f"{base}.{alias.name}" for alias in node.names)
            found.add(base)
    return {m for m in found if m.split(".")[0] in ("rotas", "scheduler")}


def upward_imports(sources: dict[str, Path]) -> list[str]:
    """Each import, of the modules given (name -> file), that goes to a stage its own may not import."""
    bad = []
    for module, path in sources.items():
        mine = stage_of(module)
        for target in sorted(imports_in(path, module)):
            theirs = stage_of(target)
            if theirs != mine and theirs not in MAY_IMPORT[mine]:
                bad.append(f"{module} ({mine}) imports {target} ({theirs})")
    return bad


def all_sources() -> dict[str, Path]:
    paths = sorted([*(ROOT / "rotas").rglob("*.py"), *(ROOT / "scheduler").rglob("*.py")])
    return {module_name(path): path for path in paths}


def imported_by(modules: list[str]) -> set[str]:
    """What importing ``modules`` (in a fresh interpreter) pulls in."""
    code = f"import json, sys\nfor m in {modules!r}: __import__(m)\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(done.stdout))


def test_every_import_goes_down_the_stages() -> None:
    sources = all_sources()
    stages = {stage_of(module) for module in sources}
    assert stages == set(MAY_IMPORT), "every stage has modules, and every package belongs to a stage"
    assert upward_imports(sources) == []


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    """The check itself can fail: a store module that imports the solver (even lazily) is reported."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from scheduler.solver import greedy\n", encoding="utf-8")
    found = upward_imports({**all_sources(), "scheduler.store.probe": probe})
    assert found == [
        "scheduler.store.probe (scheduler.store) imports scheduler.solver (scheduler.solver)",
        "scheduler.store.probe (scheduler.store) imports scheduler.solver.greedy (scheduler.solver)",
    ]


def test_nothing_outside_the_ui_imports_textual() -> None:
    domain = modules_of("rotas") + modules_of("scheduler", skip="scheduler.ui")
    assert "scheduler.cli" in domain and "scheduler.services.deadlines" in domain and len(domain) > 30
    assert not {m for m in imported_by(domain) if m == "textual" or m.startswith("textual.")}


def test_rotas_touches_no_database_and_no_scheduler() -> None:
    modules = imported_by(modules_of("rotas"))
    assert "rotas.availability" in modules and "rotas.folder" in modules
    assert not {m for m in modules if m.startswith("scheduler")}
    assert "sqlite3" not in modules and "sqlite_utils" not in modules


def test_the_cli_and_the_ui_are_imported_by_nothing_but_the_entry_point() -> None:
    """The CLI and the UI are two faces over the services: no other module reaches into them."""
    for module, path in all_sources().items():
        mine = stage_of(module)
        for target in imports_in(path, module):
            if stage_of(target) == "scheduler.ui":
                assert mine in ("scheduler.ui", "scheduler.cli"), path
            if stage_of(target) == "scheduler.cli":
                assert mine in ("scheduler.cli", "scheduler.__main__"), path
