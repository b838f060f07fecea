"""Rotas: a week of people (by agency and team) by day, each cell the shift code, with absences."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from rotas.clock import zone
from rotas.model import Partnership, Shift
from rotas.roster import roster
from scheduler.errors import UserError
from scheduler.services import partnership as svc
from scheduler.services.search import person_fields
from scheduler.ui.screens.base import SearchScreen, WeekScreen
from scheduler.ui.widgets.choose import Choose
from scheduler.ui.widgets.list_table import ListTable
from scheduler.ui.widgets.nav import NavBar

STYLE = {
    "duty": "",
    "rest": "dim",
    "off": "dim",
    "bank_holiday": "bold magenta",
    "outside_term": "dim italic",
    "no_pattern": "dim",
}
# A shift's colour follows when it starts (codes differ between agencies: E, SL, HD, TD...).
# The code itself, and * for an absence, still say it all with NO_COLOR; c lists what each code means.
LEGEND = "early green · day plain · late yellow · night blue · * absence · BH bank holiday · c: codes"
MARKS = "BH bank holiday (off) · - not working · * away (leave, training, court...) · a/b two codes that day"


def shift_words(shift: Shift) -> str:
    """'E early 07:00-15:00', 'N night 22:00-07:00 (next day)', 'RD rest day'."""
    if not shift.on_duty or shift.start is None or shift.end is None:
        return f"{shift.code} {shift.label}"
    nextday = " (next day)" if shift.crosses_midnight else ""
    return f"{shift.code} {shift.label} {shift.start:%H:%M}-{shift.end:%H:%M}{nextday}"


def code_legend(p: Partnership, agencies: list[str]) -> str:
    """Every shift code of the agencies shown, agency by agency: rotas of different agencies share
    letters with different meanings (one's D is a day shift, another's a rest day)."""
    lines = [
        f"{a.name}: " + " · ".join(shift_words(x) for x in a.shifts.values())
        for a in p.agencies
        if a.id in agencies and a.shifts
    ]
    return "\n".join([*lines, MARKS])


def shift_style(start_hour: int) -> str:
    if start_hour < 10:
        return "green"
    if start_hour < 13:
        return ""
    if start_hour < 19:
        return "yellow"
    return "bold blue"


class RotasScreen(WeekScreen, SearchScreen):
    BINDINGS = [
        Binding("f", "filter", "Agencies/teams", id="rotas_filter"),
        Binding("c", "codes", "Codes", id="rotas_codes"),
    ]
    shown: list[str] | None = None  # "agency:ID" / "team:ID" values; None: everybody

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("rotas")
        yield Static(id="rota_caption", classes="title", markup=False)
        yield self.search_bar("Search: person, role, team, agency (Enter: to the list)")
        # The names column stays put while the days and the team scroll beside it.
        yield ListTable(id="rota", cursor_type="row", fixed_columns=1)
        codes = Static(id="codes", classes="panel", markup=False)
        codes.display = False
        yield codes
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
        names = {f"agency:{a.id}": a.name for a in self.p.agencies} | {f"team:{t.id}": t.name for t in self.p.teams}
        only = "" if self.shown is None else f" (only {', '.join(names.get(v, v) for v in self.shown)})"
        self.query_one("#rota_caption", Static).update(f"Week of {self.first:%a %d %b %Y}{only}. {LEGEND}")
        # 80 columns hold the names and the seven days; the team follows, in full, further right.
        teams = {t.id: t.name for t in self.p.teams}
        table.add_column("person", width=20)
        for d in range(7):
            table.add_column(f"{self.first + timedelta(days=d):%a %d}", width=6)
        table.add_column("team", width=max([4, *map(len, teams.values())]))
        people = [
            x
            for x in sorted(self.p.people, key=lambda x: (x.agency, x.team, x.name))
            if self.shown is None or {f"agency:{x.agency}", f"team:{x.team}"} & set(self.shown)
        ]
        total = len(people)
        if self.search_text:  # (a city's 5,000 staff are not looked through for an empty search)
            people = [x for x in people if self.wanted(person_fields(self.p, x))]
        self.counted(len(people), total, "people")
        self.query_one("#codes", Static).update(code_legend(self.p, sorted({x.agency for x in people})))
        for person in people:
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
            table.add_row(Text(person.name), *cells, Text(teams.get(person.team, person.team)), key=person.id)

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

    def action_codes(self) -> None:
        """The codes' meanings take the place of the person's panel (both would leave no room for the rota)."""
        codes = self.query_one("#codes", Static)
        codes.display = not codes.display
        self.query_one("#person", Static).display = not codes.display

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or not hasattr(self, "p"):
            return
        person = self.p.person(str(event.row_key.value))
        rows = svc.person_availability(self.p, self.first, 7, [person])
        tz = zone(self.p.timezone)
        absences = "; ".join(
            f"{a.kind} {a.start.astimezone(tz):%a %d %H:%M} to {a.end.astimezone(tz):%a %d %H:%M}"
            for a in rows[0].absences
        )
        agency, team = self.p.agency(person.agency), self.p.team(person.team)
        # The codes this person works this week, in words: the legend without looking it up.
        used = {c for day in roster(self.p, self.first, 7, [person.id])[person.id] for c in day.codes}
        codes = " · ".join(shift_words(x) for code, x in agency.shifts.items() if code in used)
        self.query_one("#person", Static).update(
            f"{person.name}, {person.role} ({agency.name}, {team.name}): {rows[0].hours:.1f} h on duty this "
            f"week. {codes + '. ' if codes else ''}Away (*): {absences or 'no'}"
        )
