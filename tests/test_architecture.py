"""Layering: rotas is pure; nothing outside the UI imports Textual.

Every module is found on disk (not listed by hand), so a new module is checked the day it is added.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules_of(package: str, *, skip: str | None = None) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if parts[-1] == "__main__":  # runs the CLI when imported
            continue
        if skip is None or not (name == skip or name.startswith(skip + ".")):
            found.append(name)
    return found


def imported_by(modules: list[str]) -> set[str]:
    """What importing ``modules`` (in a fresh interpreter) pulls in."""
    code = f"import json, sys\nfor m in {modules!r}: __import__(m)\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(done.stdout))


def test_nothing_outside_the_ui_imports_textual() -> None:
    domain = modules_of("rotas") + modules_of("scheduler", skip="scheduler.ui")
    assert "scheduler.cli" in domain and "scheduler.deadlines" in domain and len(domain) > 30
    assert not {m for m in imported_by(domain) if m == "textual" or m.startswith("textual.")}


def test_rotas_touches_no_database_and_no_scheduler() -> None:
    modules = imported_by(modules_of("rotas"))
    assert "rotas.availability" in modules and "rotas.folder" in modules
    assert not {m for m in modules if m.startswith("scheduler")}
    assert "sqlite3" not in modules and "sqlite_utils" not in modules


def test_the_ui_is_imported_by_nothing_but_the_cli() -> None:
    """The UI is one face over the services: no other module reaches into it."""
    for path in [*(ROOT / "rotas").rglob("*.py"), *(ROOT / "scheduler").rglob("*.py")]:
        if "ui" in path.relative_to(ROOT).parts or path.name == "cli.py":
            continue
        assert "scheduler.ui" not in path.read_text(encoding="utf-8"), path
