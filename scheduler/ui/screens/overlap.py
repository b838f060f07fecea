"""Overlap heatmap: days by hours over a week, shaded by how many agencies have someone on duty."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from scheduler.errors import UserError
from scheduler.services import partnership as svc
from scheduler.ui.screens.base import WeekScreen
from scheduler.ui.widgets.choose import Choose
from scheduler.ui.widgets.nav import NavBar

HOURS = range(7, 23)
SHADES = ("red", "yellow", "green", "bright_green", "bright_green", "bright_green")


class OverlapScreen(WeekScreen):
    BINDINGS = [Binding("f", "choose_agencies", "Agencies to compare", id="overlap_agencies")]
    agencies: list[str] | None = None  # None: every agency

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("overlap")
        with Vertical():
            yield Static(id="caption", classes="title", markup=False)
            yield DataTable(id="heat", cursor_type="cell", fixed_columns=1)
            with VerticalScroll(id="who-box"):
                yield Static(id="who", markup=False)
        yield Footer(compact=True)

    def refresh_data(self) -> None:
        services = self.services
        table = self.query_one("#heat", DataTable)
        table.clear(columns=True)
        try:
            self.p = svc.open_partnership(services.db_path, services.partnership)
            self.map = svc.heatmap(self.p, self.first, 7, self.agencies, hours=HOURS)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        n = len(self.map.agencies)
        self.query_one("#caption", Static).update(
            f"Week of {self.first:%a %d %b %Y}, {HOURS[0]:02d}:00-{HOURS[-1] + 1:02d}:00, a column an hour: how many "
            + (
                f"of all {n} agencies have someone on duty (f compares fewer)"
                if self.agencies is None
                else f"of these {n} have someone on duty: {', '.join(self.p.agency(a).name for a in self.map.agencies)}"
            )
        )
        self.query_one("#who", Static).update("Select a cell (arrow keys or a click) to see who is on duty then")
        table.add_column("day", key="day")
        for h in HOURS:
            table.add_column(f"{h:02d}", key=str(h))
        for d in range(7):
            day = self.first + timedelta(days=d)
            cells = [
                Text(str(c), style=f"on {SHADES[min(c, len(SHADES) - 1)]}" if c < n else "bold on green")
                for c in self.map.cells[d]
            ]
            table.add_row(f"{day:%a %d}", *cells, key=day.isoformat())
        # Start on the first hour, not the day names: the panel below then says who is on duty at once.
        table.move_cursor(column=1)

    def action_choose_agencies(self) -> None:
        options = [(f"{a.name} ({a.id})", a.id) for a in self.p.agencies]
        chosen = set(self.agencies or [a.id for a in self.p.agencies])

        def chosen_agencies(picked: list[str] | None) -> None:
            if picked is None:
                return
            if not picked:
                self.notify("Choose at least one agency", severity="warning")
                return
            self.agencies = None if len(picked) == len(options) else picked
            self.refresh_data()

        self.app.push_screen(Choose("Agencies to compare", options, chosen), chosen_agencies)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        row, column = event.coordinate.row, event.coordinate.column - 1
        if column < 0 or not hasattr(self, "map"):
            return
        people = self.map.on_duty.get((row, column), ())
        day: date = self.first + timedelta(days=row)
        hour = list(HOURS)[column]
        names = {x.id: x for x in self.p.people}  # loaded once per week, not per cursor move
        by_agency: dict[str, list[str]] = {}
        for x in people:
            by_agency.setdefault(self.p.agency(names[x].agency).name, []).append(names[x].name)
        # An agency a line: the list of twenty social workers no longer hides the agencies after it.
        lines = [f"{agency} ({len(who)}): {', '.join(who)}" for agency, who in by_agency.items()] or ["nobody"]
        self.query_one("#who", Static).update(
            "\n".join([f"{day:%a %d %b} {hour:02d}:00-{hour + 1:02d}:00 on duty:", *lines])
        )
        box = self.query_one("#who-box", VerticalScroll)
        box.scroll_home(animate=False)
        box.call_after_refresh(self.say_if_more)

    def say_if_more(self) -> None:
        box = self.query_one("#who-box", VerticalScroll)
        box.border_subtitle = "Tab, then ↓ for the rest" if box.max_scroll_y > 0 and not box.has_focus else ""
