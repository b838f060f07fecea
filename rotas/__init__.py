"""Who is on duty when: partnership files in, timezone-aware on-duty intervals out.

This package is pure: it reads a partnership folder and computes rosters,
availability and overlaps. It never imports ``scheduler``, never touches a
database and never imports a UI toolkit, so the solver, the CLI and the UI can
all trust the same answers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Where each public name lives. They are imported on first use (PEP 562), so `import rotas.clock`
# does not pay for the whole package: the CLI and the UI start faster. The functions named like their
# modules (availability, on_duty, overlap, roster) are imported from those modules, e.g.
# `from rotas.availability import availability`: a package attribute would be shadowed by the module.
_HOME = {
    "load_folder": "rotas.folder",
    "OverlapReport": "rotas.overlap",
    "Problem": "rotas.problems",
    "RosterDay": "rotas.roster",
    **dict.fromkeys(
        [
            "Absence",
            "Agency",
            "CyclePattern",
            "DutyOverride",
            "Partnership",
            "Person",
            "Shift",
            "Team",
            "Term",
            "WeeklyPattern",
            "WeeklyRule",
        ],
        "rotas.model",
    ),
}

if TYPE_CHECKING:
    from rotas.folder import load_folder
    from rotas.model import (
        Absence,
        Agency,
        CyclePattern,
        DutyOverride,
        Partnership,
        Person,
        Shift,
        Team,
        Term,
        WeeklyPattern,
        WeeklyRule,
    )
    from rotas.overlap import OverlapReport
    from rotas.problems import Problem
    from rotas.roster import RosterDay


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'rotas' has no attribute {name!r}")


__all__ = [
    "Absence",
    "Agency",
    "CyclePattern",
    "DutyOverride",
    "OverlapReport",
    "Partnership",
    "Person",
    "Problem",
    "RosterDay",
    "Shift",
    "Team",
    "Term",
    "WeeklyPattern",
    "WeeklyRule",
    "load_folder",
]
