"""The Quorum app: built by one factory, shared by the CLI and the tests, with its services injected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from scheduler.ui.screens.dashboard import DashboardScreen
from scheduler.ui.screens.export import ExportScreen
from scheduler.ui.screens.overlap import OverlapScreen
from scheduler.ui.screens.rotas import RotasScreen
from scheduler.ui.screens.schedule import ScheduleScreen
from scheduler.ui.screens.solve import SolveScreen


@dataclass
class UiServices:
    """What the screens need: where the data is and what 'today' is (frozen in tests)."""

    db_path: Path
    partnership: str | None = None
    today: date = field(default_factory=date.today)


class QuorumApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Quorum"
    MODES = {
        "dashboard": DashboardScreen,
        "rotas": RotasScreen,
        "overlap": OverlapScreen,
        "solve": SolveScreen,
        "schedule": ScheduleScreen,
        "export": ExportScreen,
    }
    DEFAULT_MODE = "dashboard"
    BINDINGS = [
        Binding("d", "switch_mode('dashboard')", "Dashboard", id="dashboard"),
        Binding("s", "switch_mode('schedule')", "Schedule", id="schedule"),
        Binding("o", "switch_mode('overlap')", "Overlap", id="overlap"),
        Binding("v", "switch_mode('solve')", "Solve", id="solve"),
        Binding("r", "switch_mode('rotas')", "Rotas", id="rotas"),
        Binding("e", "switch_mode('export')", "Export", id="export"),
        Binding("question_mark", "show_help_panel", "Help", key_display="?", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, services: UiServices) -> None:
        super().__init__()
        self.services = services


def create_app(db_path: Path, partnership: str | None = None, today: date | None = None) -> QuorumApp:
    return QuorumApp(UiServices(db_path, partnership, today or date.today()))
