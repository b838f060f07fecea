"""Rotas: a week of people (by agency and team) by day, each cell the shift code, with absences."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from rotas.roster import roster
from scheduler import services as svc
from scheduler.errors import UserError
from scheduler.ui.screens.base import WeekScreen

STYLE = {
    "duty": "",
    "rest": "dim",
    "off": "dim",
    "bank_holiday": "bold magenta",
    "outside_term": "dim italic",
    "no_pattern": "dim",
}


class RotasScreen(WeekScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="rota_caption", classes="title", markup=False)
        yield DataTable(id="rota", cursor_type="row")
        yield Static(id="person", classes="panel", markup=False)
        yield Footer(compact=True)

    def refresh_data(self) -> None:
        services = self.services
        table = self.query_one("#rota", DataTable)
        table.clear(columns=True)
        try:
            self.p = svc.open_partnership(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        days = roster(self.p, self.first, 7)
        rows = svc.person_availability(self.p, self.first, 7, self.p.people)
        away = {r.person.id: r.absences for r in rows}
        self.query_one("#rota_caption", Static).update(f"Week of {self.first:%a %d %b %Y}")
        table.add_column("person", width=24)
        table.add_column("team", width=14)
        for d in range(7):
            table.add_column(f"{self.first + timedelta(days=d):%a %d}", width=7)
        for person in sorted(self.p.people, key=lambda x: (x.agency, x.team, x.name)):
            cells = []
            for day in days[person.id]:
                code = "/".join(day.codes) or {"bank_holiday": "BH", "outside_term": "-", "off": "-"}.get(
                    day.status, "-"
                )
                if any(a.start.date() <= day.date <= a.end.date() for a in away.get(person.id, ())):
                    code += "*"
                cells.append(Text(code, style=STYLE.get(day.status, "")))
            table.add_row(Text(person.name), Text(person.team), *cells, key=person.id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or not hasattr(self, "p"):
            return
        person = self.p.person(str(event.row_key.value))
        rows = svc.person_availability(self.p, self.first, 7, [person])
        absences = "; ".join(f"{a.kind} {a.start:%a %d %H:%M} to {a.end:%a %d %H:%M} (UTC)" for a in rows[0].absences)
        self.query_one("#person", Static).update(
            f"{person.name}, {person.role} ({person.agency} / {person.team}): {rows[0].hours:.1f} h on duty this "
            f"week. Absences (*): {absences or 'none'}"
        )
