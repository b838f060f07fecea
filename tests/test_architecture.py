"""Layering: rotas is pure; nothing outside the UI imports Textual."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DOMAIN_MODULES = [
    "rotas",
    "rotas.folder",
    "rotas.availability",
    "rotas.overlap",
    "scheduler.storage",
    "scheduler.services",
    "scheduler.scheduling",
    "scheduler.cpsat",
    "scheduler.export",
    "scheduler.publish",
    "scheduler.replies",
    "scheduler.cli",
]


def imported_by(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_never_imports_textual(module: str) -> None:
    assert not {m for m in imported_by(module) if m == "textual" or m.startswith("textual.")}


def test_rotas_touches_no_database_and_no_scheduler() -> None:
    modules = imported_by("rotas")
    assert not {m for m in modules if m.startswith("scheduler")}
    assert "sqlite3" not in modules and "sqlite_utils" not in modules
