"""What if: a scenario file compared with the partnership as it is, and a report for the board written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from scheduler.errors import UserError
from scheduler.paths import example_folder
from scheduler.services import whatif as service
from scheduler.services.whatif_text import comparison_text
from scheduler.ui.screens.base import UsesServices
from scheduler.ui.widgets.nav import NavBar

INTRO = (
    "Type a scenario file's path (docs/whatif.md) and press Enter to compare it with the partnership as "
    "it is; Ctrl+R then writes a report for the board."
)


class WhatIfScreen(UsesServices, Screen[None]):
    BINDINGS = [
        Binding("ctrl+r", "report", "Write report", id="whatif_report"),
        Binding("ctrl+o", "compare", "Compare", id="whatif_compare"),
    ]
    AUTO_FOCUS = "#scenario"

    def __init__(self) -> None:
        super().__init__()
        self.doc: dict[str, Any] | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("whatif")
        yield Static(INTRO, classes="title", markup=False)
        with Horizontal(classes="field"):
            yield Static("Scenario file", classes="field-label")
            yield Input(self._first_scenario(), id="scenario", placeholder="path to a scenario .toml file")
            yield Button("Compare", id="compare", variant="primary")
        with Horizontal(classes="field"):
            yield Static("Report folder", classes="field-label")
            yield Input("whatif-report", id="report-folder", placeholder="folder for the report")
            yield Button("Report", id="report")
        yield Static("Not compared yet", id="status", markup=False)
        with VerticalScroll(id="comparison"):
            yield Static(id="result", markup=False)
        yield Footer(compact=True)

    def _first_scenario(self) -> str:
        """The example's first scenario when the example is what is loaded (the demo), else nothing."""
        try:
            found = sorted((example_folder() / "scenarios").glob("*.toml"))
        except UserError:
            return ""
        return str(found[0]) if self.services.demo and found else ""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "scenario":
            self.action_compare()
        else:
            self.action_report()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "compare":
            self.action_compare()
        else:
            self.action_report()

    def action_compare(self) -> None:
        if self.running:
            self.notify("A comparison is already running")
            return
        text = self.query_one("#scenario", Input).value.strip()
        if not text:
            self.notify("Type the path of a scenario file first", severity="warning")
            return
        self.running = True
        self.query_one("#status", Static).update("Comparing...")
        self.compare(Path(text).expanduser())

    @work(thread=True, exclusive=True, group="whatif")
    def compare(self, path: Path) -> None:
        """Both sides are solved: seconds on the example, up to the time limit at city scale."""
        services = self.services
        job = service.WhatIfJob(path, first=services.today)  # the CLI's defaults: 28 days, 60 s at most

        def progress(done: int, total: int, what: str) -> None:
            self.app.call_from_thread(self.query_one("#status", Static).update, f"{done} of {total}: {what}")

        try:
            doc = service.compare(services.db_path, services.partnership, job, progress=progress)
        except UserError as exc:
            self.app.call_from_thread(self.failed, exc.message, exc.details)
        except Exception as exc:  # keep the app alive, say what happened
            self.app.call_from_thread(self.failed, f"the comparison failed: {type(exc).__name__}: {exc}", [])
        else:
            self.app.call_from_thread(self.compared, doc)

    def failed(self, message: str, details: list[str]) -> None:
        self.running = False
        self.query_one("#status", Static).update("Not compared: fix the scenario and press Enter again")
        self.query_one("#result", Static).update("\n".join([message, *details[:30]]))
        self.notify(message, severity="error", timeout=10)

    def compared(self, doc: dict[str, Any]) -> None:
        self.running = False
        self.doc = doc
        self.query_one("#status", Static).update(f"Compared: {doc['scenario']['name']}")
        self.query_one("#result", Static).update(comparison_text(doc))
        self.query_one("#comparison", VerticalScroll).focus()

    def action_report(self) -> None:
        if self.doc is None:
            self.notify("Compare a scenario first (Enter in the scenario box)", severity="warning")
            return
        folder = Path(self.query_one("#report-folder", Input).value.strip() or "whatif-report").expanduser()
        self.write(folder, self.doc)

    @work(thread=True, exclusive=True, group="whatif-report")
    def write(self, folder: Path, doc: dict[str, Any]) -> None:
        from scheduler.services.whatif_report import write_report

        try:
            written = write_report(doc, folder)
        except UserError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", timeout=10)
        else:
            self.app.call_from_thread(self.notify, f"Report written: {written}", timeout=10)
