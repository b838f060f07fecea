"""Dashboard: requests by state, deadlines, and each agency's attendance over placed meetings."""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from scheduler import scheduling
from scheduler.errors import UserError
from scheduler.ui.screens.base import DataScreen


class DashboardScreen(DataScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Requests", classes="title")
        yield DataTable(id="states", cursor_type="row")
        yield Static("Attendance by agency (placed meetings)", classes="title")
        yield DataTable(id="agencies", cursor_type="row")
        yield Footer()

    def refresh_data(self) -> None:
        services = self.services
        states = self.query_one("#states", DataTable)
        agencies = self.query_one("#agencies", DataTable)
        states.clear(columns=True)
        agencies.clear(columns=True)
        try:
            _, rows, meetings = scheduling.list_requests(services.db_path, services.partnership)
            doc = scheduling.stored_schedule(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        counts = Counter((meetings.get(r["id"]) or {}).get("status", "pending") for r in rows)
        states.add_column("state", width=12)
        states.add_column("requests", width=9)
        for state in ("pending", "placed", "sent", "unscheduled", "cancelled"):
            states.add_row(state, str(counts.get(state, 0)), key=state)
        invited: Counter[str] = Counter()
        present: Counter[str] = Counter()
        for m in doc["meetings"]:
            agencies_present = {a["agency"] for a in m["attendees"]}
            agencies_invited = agencies_present | {x["agency"] for x in m["absent"]}
            invited.update(agencies_invited)
            present.update(agencies_present)
        agencies.add_column("agency", width=16)
        for label in ("present", "invited", "rate"):
            agencies.add_column(label, width=8)
        for agency in sorted(invited):
            rate = present[agency] / invited[agency]
            agencies.add_row(agency, str(present[agency]), str(invited[agency]), f"{rate:.0%}", key=agency)
