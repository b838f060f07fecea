"""Requests: every meeting to arrange with its state and deadline; add, change or remove one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from scheduler.errors import UserError
from scheduler.services import requests
from scheduler.services.deadlines import request_states
from scheduler.services.search import request_fields
from scheduler.today import day_text
from scheduler.ui.screens.base import SearchScreen
from scheduler.ui.screens.request_form import RequestForm
from scheduler.ui.widgets.confirm import Confirm
from scheduler.ui.widgets.list_table import ListTable
from scheduler.ui.widgets.nav import NavBar
from scheduler.ui.words import kind_text

# Deadline colours; the words themselves carry the meaning too, for NO_COLOR.
STATUS_STYLE = {"overdue": "bold red", "due soon": "yellow", "fine": "green", "met": "", "follows": "dim"}


class RequestsScreen(SearchScreen):
    BINDINGS = [
        Binding("n", "new", "New", id="requests_new"),
        Binding("enter", "change", "Change", id="requests_change"),
        Binding("delete", "remove", "Remove", key_display="Del", id="requests_remove"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("requests")
        yield Static("Requests: n adds one, Enter changes the one highlighted, Del removes it", classes="title")
        yield self.search_bar("Search: request, case, person, team, agency (Enter: to the list)")
        yield ListTable(id="requests", cursor_type="row")
        yield Footer(compact=True)

    def refresh_data(self) -> None:
        services = self.services
        table = self.query_one("#requests", DataTable)
        chosen = self.highlighted()
        table.clear(columns=True)
        for label, width in (("id", 11), ("kind", 11), ("case", 8), ("state", 11), ("deadline", 10), ("", 8)):
            table.add_column(label, width=width)
        try:
            states = request_states(services.db_path, services.partnership, services.today)
            fields = request_fields(services.db_path, services.partnership) if self.search_text else {}
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        total = len(states)
        states = [s for s in states if self.wanted(fields.get(s.id, (s.id, s.kind, s.case)))]
        self.counted(len(states), total, "requests")
        for s in states:
            table.add_row(
                s.id,
                kind_text(s.kind),
                s.case,
                s.state,
                day_text(s.deadline, services.today) if s.deadline else "-",
                Text(s.status, style=STATUS_STYLE.get(s.status, "")),
                key=s.id,
            )
        if chosen is not None and chosen in {s.id for s in states}:
            table.move_cursor(row=table.get_row_index(chosen))

    def highlighted(self) -> str | None:
        table = self.query_one("#requests", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def select(self, request: str) -> None:
        """Put the cursor on ``request``, clearing a search that hides it."""
        if self.search_text:
            self.search_for("")
        table = self.query_one("#requests", DataTable)
        if request in table.rows:
            table.move_cursor(row=table.get_row_index(request))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_change()

    def action_new(self) -> None:
        self.app.push_screen(RequestForm(), self.after_form)

    def action_change(self) -> None:
        chosen = self.highlighted()
        if chosen is None:
            self.notify("No request to change: n adds one")
            return
        self.app.push_screen(RequestForm(chosen), self.after_form)

    def after_form(self, saved: str | None) -> None:
        self.refresh_data()
        if saved:
            table = self.query_one("#requests", DataTable)
            table.move_cursor(row=table.get_row_index(saved))

    def action_remove(self) -> None:
        chosen = self.highlighted()
        if chosen is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            services = self.services
            try:
                requests.remove_request(services.db_path, services.partnership, chosen)
            except UserError as exc:
                self.notify(exc.message, severity="error", timeout=10)
                return
            self.notify(f"Removed {chosen}")
            self.refresh_data()

        self.app.push_screen(Confirm(f"Remove request {chosen}? A meeting placed for it is cancelled."), answered)
