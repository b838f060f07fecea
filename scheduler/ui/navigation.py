"""The app's screens, their keys and what each is for: the one list the app's modes, its bindings, the bar
under the title and the command palette are all built from."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class Destination:
    """One screen a key goes to: its mode, key, title, what the palette says it does, and its class
    (named by module, so this list can be read before the screens are imported: they import it too)."""

    mode: str
    key: str
    title: str
    purpose: str
    screen: str  # "module:Class" under scheduler.ui.screens

    def load(self) -> Any:
        module, name = self.screen.split(":")
        return getattr(import_module(f"scheduler.ui.screens.{module}"), name)


SCREENS = [
    Destination(
        "dashboard",
        "d",
        "Dashboard",
        "Requests by state and deadline; attendance by agency",
        "dashboard:DashboardScreen",
    ),
    Destination("requests", "a", "Requests", "The meetings to arrange: add, change, remove", "requests:RequestsScreen"),
    Destination("rotas", "r", "Rotas", "Who is on which shift, week by week", "rotas:RotasScreen"),
    Destination("overlap", "o", "Overlap", "Heatmap: when are the agencies on duty together?", "overlap:OverlapScreen"),
    Destination("solve", "v", "Solve", "Place the pending requests with the solver", "solve:SolveScreen"),
    Destination("schedule", "s", "Schedule", "Placed meetings: inspect, move, lock, cancel", "schedule:ScheduleScreen"),
    Destination(
        "export", "e", "Export", "Write invites and team calendars, or publish to CalDAV", "export:ExportScreen"
    ),
    Destination(
        "whatif",
        "t",
        "What if",
        "Compare the rotas with a scenario's changes; a report for the board",
        "whatif:WhatIfScreen",
    ),
]
