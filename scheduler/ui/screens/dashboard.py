"""Dashboard: requests by state, where the unplaced ones stand against their deadlines, attendance by agency."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

from scheduler.errors import UserError
from scheduler.services import partnership as data
from scheduler.services import scheduling
from scheduler.services.deadlines import RequestState, request_states
from scheduler.ui.screens.base import DataScreen
from scheduler.ui.screens.requests import STATUS_STYLE
from scheduler.ui.widgets.nav import NavBar
from scheduler.ui.words import agency_name

DEADLINES = [
    ("overdue", "overdue"),
    ("due soon", "due within 2 working days"),
    ("fine", "fine"),
    ("follows", "waiting for another meeting"),
]


class DashboardScreen(DataScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("dashboard")
        with Horizontal(id="dashboard-top"):
            with Vertical():
                yield Static("Requests by state", classes="title")
                yield DataTable(id="states", cursor_type="row")
            with Vertical():
                yield Static("Deadlines of requests not placed", classes="title")
                yield DataTable(id="deadlines", cursor_type="row")
        yield Static("Attendance by agency (placed meetings)", classes="title")
        yield DataTable(id="agencies", cursor_type="row")
        yield Footer(compact=True)

    def refresh_data(self) -> None:
        self.fetch()

    @work(thread=True, exclusive=True, group="dashboard")
    def fetch(self) -> None:
        """Off the UI thread: the first screen appears at once and takes keys while its figures load
        (the first call also loads the bank-holiday calendars, a fifth of a second)."""
        services = self.services
        from scheduler.calendars.channels import delivered  # iCalendar is loaded here, off the UI thread

        try:
            requests = request_states(services.db_path, services.partnership, services.today)
            doc = scheduling.stored_schedule(services.db_path, services.partnership)
            reached = delivered(services.db_path, services.partnership)
            p = data.open_partnership(services.db_path, services.partnership)
        except UserError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=10)
            return
        names = {a.id: a.name for a in p.agencies}
        self.app.call_from_thread(self.show, requests, doc, reached, names)

    def show(
        self, requests: list[RequestState], doc: dict[str, Any], reached: dict[str, int], names: dict[str, str]
    ) -> None:
        tables = [self.query_one(f"#{name}", DataTable) for name in ("states", "deadlines", "agencies")]
        for table in tables:
            table.clear(columns=True)
        states, deadlines, agencies = tables
        counts = Counter(r.state for r in requests)
        states.add_column("state", width=19)
        states.add_column("requests", width=8)
        for state in ("pending", "placed", "issued", "unscheduled", "cancelled"):
            states.add_row(state, str(counts.get(state, 0)), key=state)
        # Apart, because they mean different things: a file written is not an invite received.
        for word, how in (("written", "files"), ("published", "CalDAV"), ("sent", "e-mail")):
            states.add_row(f" {word} ({how})", str(reached[word]), key=word)
        states.add_row("replies", str(sum(r.replies for r in requests)), key="replies")
        waiting = [r for r in requests if r.state not in ("placed", "issued", "cancelled")]
        by_status = Counter(r.status for r in waiting)
        deadlines.add_column("deadline", width=28)
        deadlines.add_column("requests", width=8)
        for status, label in DEADLINES:
            style = STATUS_STYLE[status] if by_status.get(status) else ""
            deadlines.add_row(Text(label, style=style), str(by_status.get(status, 0)), key=status)
        invited: Counter[str] = Counter()
        present: Counter[str] = Counter()
        for m in doc["meetings"]:
            agencies_present = {a["agency"] for a in m["attendees"]}
            present.update(agencies_present)
            invited.update(agencies_present | {x["agency"] for x in m["absent"]})
        agencies.add_column("agency", width=max([16, *(len(n) for n in names.values())]))
        for label in ("present", "invited", "rate"):
            agencies.add_column(label, width=8)
        for agency in sorted(invited, key=lambda a: agency_name(a, names)):
            rate = present[agency] / invited[agency]
            agencies.add_row(
                agency_name(agency, names), str(present[agency]), str(invited[agency]), f"{rate:.0%}", key=agency
            )
