"""Who is on duty when: partnership files in, timezone-aware on-duty intervals out.

This package is pure: it reads a partnership folder and computes rosters,
availability and overlaps. It never imports ``scheduler``, never touches a
database and never imports a UI toolkit, so the solver, the CLI and the UI can
all trust the same answers.
"""

from rotas.availability import availability, on_duty
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
from rotas.overlap import OverlapReport, overlap
from rotas.problems import Problem
from rotas.roster import RosterDay, roster

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
    "availability",
    "load_folder",
    "on_duty",
    "overlap",
    "roster",
]
