"""Rotas: a week of people (by agency and team) by day, each cell the shift code, with absences."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from rotas.clock import zone
from rotas.roster import roster
from scheduler.errors import UserError
from scheduler.services import partnership as svc
from scheduler.ui.screens.base import WeekScreen
from scheduler.ui.widgets.choose import Choose

STYLE = {
    "duty": "",
    "rest": "dim",
    "off": "dim",
    "bank_holiday": "bold magenta",
    "outside_term": "dim italic",
    "no_pattern": "dim",
}
# A shift's colour follows when it starts (codes differ between agencies: E, SL, HD, TD...).
# The code itself, and * for an absence, still say it all with NO_COLOR.
LEGEND = "early green · day plain · late yellow · night blue · rest dim · * absence (red) · BH bank holiday"


def shift_style(start_hour: int) -> str:
    if start_hour < 10:
        return "green"
    if start_hour < 13:
        return ""
    if start_hour < 19:
        return "yellow"
    return "bold blue"


class RotasScreen(WeekScreen):
    BINDINGS = [Binding("f", "filter", "Agencies/teams shown", id="rotas_filter")]
    shown: list[str] | None = None  # "agency:ID" / "team:ID" values; None: everybody

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
        tz = zone(self.p.timezone)
        only = "" if self.shown is None else f" (only {', '.join(v.split(':', 1)[1] for v in self.shown)})"
        self.query_one("#rota_caption", Static).update(f"Week of {self.first:%a %d %b %Y}{only}. {LEGEND}")
        table.add_column("person", width=24)
        table.add_column("team", width=14)
        for d in range(7):
            table.add_column(f"{self.first + timedelta(days=d):%a %d}", width=7)
        for person in sorted(self.p.people, key=lambda x: (x.agency, x.team, x.name)):
            if self.shown is not None and not {f"agency:{person.agency}", f"team:{person.team}"} & set(self.shown):
                continue
            cells = []
            for day in days[person.id]:
                code = "/".join(day.codes) or {"bank_holiday": "BH", "outside_term": "-", "off": "-"}.get(
                    day.status, "-"
                )
                style = STYLE.get(day.status, "")
                if day.status == "duty" and day.intervals:
                    style = shift_style(day.intervals[0][0].astimezone(tz).hour)
                if any(a.start.date() <= day.date <= a.end.date() for a in away.get(person.id, ())):
                    code, style = code + "*", "bold red"
                cells.append(Text(code, style=style))
            table.add_row(Text(person.name), Text(person.team), *cells, key=person.id)

    def action_filter(self) -> None:
        options = [(f"{a.name} (agency)", f"agency:{a.id}") for a in self.p.agencies]
        options += [(f"{t.name} (team, {t.agency})", f"team:{t.id}") for t in self.p.teams]
        chosen = set(self.shown or [])

        def picked(values: list[str] | None) -> None:
            if values is None:
                return
            self.shown = values or None  # nothing picked: everybody again
            self.refresh_data()

        self.app.push_screen(Choose("Agencies and teams to show (none: everybody)", options, chosen), picked)

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
