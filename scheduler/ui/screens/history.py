"""History: the coordinator's decisions (lock, move, cancel, request changes), latest first, with undo."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from scheduler.errors import UserError
from scheduler.services import scheduling
from scheduler.today import moment_text
from scheduler.ui.screens.base import UsesServices
from scheduler.ui.widgets.list_table import ListTable


class HistoryScreen(UsesServices, Screen[bool]):
    """Pushed over the schedule (h) or from the palette; dismissed with whether anything was undone."""

    BINDINGS = [
        Binding("u", "undo", "Undo the latest", id="history_undo"),
        Binding("escape,h", "close", "Back", key_display="Esc", id="history_close"),
    ]
    undone = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Locks, moves, cancellations and request changes, latest first. u undoes the latest not yet "
            "undone (again for the one before); Esc goes back.",
            classes="title",
        )
        yield ListTable(id="decisions", cursor_type="row")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        services = self.services
        table = self.query_one("#decisions", DataTable)
        table.clear(columns=True)
        for label, width in (("when", 21), ("request", 16), ("decision", 24), ("", 7)):
            table.add_column(label, width=width)
        try:
            items = scheduling.history(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        for x in items:
            table.add_row(
                moment_text(datetime.fromisoformat(x["local"]), services.today),
                x["request"],
                x["what"],
                Text("undone", style="dim") if x["undone"] else "",
                key=str(x["id"]),
            )
        if not items:
            table.add_row("No decisions yet", "", "", "")

    def action_undo(self) -> None:
        if self.undo_decision() is not None:
            self.undone = True
            self.refresh_data()

    def action_close(self) -> None:
        self.dismiss(self.undone)
