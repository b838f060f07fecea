"""Schedule: placed meetings in a table; the selected one's attendees, absentees and alternatives."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from scheduler import scheduling
from scheduler.errors import UserError


class ScheduleScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield DataTable(id="meetings", cursor_type="row")
            yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        services = self.app.services  # type: ignore[attr-defined]
        table = self.query_one("#meetings", DataTable)
        table.clear(columns=True)
        for label, width in (("when", 16), ("kind", 21), ("case", 9), ("agencies", 8), ("flags", 10)):
            table.add_column(label, width=width)
        try:
            self.doc = scheduling.stored_schedule(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            self.doc = {"meetings": [], "unscheduled": []}
        for m in self.doc["meetings"]:
            start = datetime.fromisoformat(m["start"])
            agencies = {a["agency"] for a in m["attendees"]}
            flags = ("locked " if m["locked"] else "") + (
                "off duty" if any(a["off_duty"] for a in m["attendees"]) else ""
            )
            table.add_row(
                f"{start:%a %d %b %H:%M}", m["kind"], m["case"], str(len(agencies)), flags.strip(), key=m["request"]
            )
        for u in self.doc["unscheduled"]:
            table.add_row("not placed", u["kind"], u["case"], "-", u["reason"], key=u["request"])
        self.show_detail(self.doc["meetings"][0]["request"] if self.doc["meetings"] else None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None:
            self.show_detail(str(event.row_key.value))

    def show_detail(self, request: str | None) -> None:
        detail = self.query_one("#detail", Static)
        if request is None:
            detail.update("Nothing scheduled yet: run quorum solve")
            return
        meeting = next((m for m in self.doc["meetings"] if m["request"] == request), None)
        if meeting is None:
            u = next(x for x in self.doc["unscheduled"] if x["request"] == request)
            lines = [f"{u['request']}: not placed", "", u["detail"], ""] + [f"- {s}" for s in u["suggestions"]]
            detail.update("\n".join(lines))
            return
        lines = [f"{meeting['request']}  {meeting['case']}", ""]
        lines += [
            f"+ {a['name']} ({a['agency']}, {a['role']}{', ' + a['reply'] if a.get('reply') else ''})"
            for a in meeting["attendees"]
        ]
        lines += [f"- {x['name']}: {x['detail']}" for x in meeting["absent"]]
        if meeting["alternatives"]:
            lines += ["", "Alternatives:"] + [
                f"  {datetime.fromisoformat(a['start']):%a %d %b %H:%M}, {a['attendees']} attending"
                for a in meeting["alternatives"]
            ]
        detail.update("\n".join(lines))
