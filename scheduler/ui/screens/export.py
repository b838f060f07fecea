"""Export: see what is new, updated or cancelled since the last send, then write the files or publish to CalDAV."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Label, LoadingIndicator, Static

from scheduler.errors import UserError
from scheduler.ui.screens.base import DataScreen

# The password is typed here (masked) or read from this variable: never stored, never on a command line.
PASSWORD_ENV = "QUORUM_CALDAV_PASSWORD"


class ExportScreen(DataScreen):
    # No field is focused on arrival, so the screen keys (w, p, d, s, ...) keep working;
    # Tab goes into the fields, Enter in one does its action, and Escape comes back out.
    AUTO_FOCUS = ""  # an empty selector: focus nothing (None would mean the app's default, "*")
    BINDINGS = [
        Binding("w", "write", "Write files", id="export_write"),
        Binding("p", "publish", "Publish to CalDAV", id="export_publish"),
        Binding("ctrl+s", "write", "Write files", show=False, id="export_write_ctrl", priority=True),
        Binding("escape", "leave_field", "Leave field", show=False, id="export_leave_field"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="preview", classes="panel", markup=False)
        yield Static("Write invites, cancellations and team calendars (.ics) into a folder (w):", classes="title")
        with Horizontal(classes="field"):
            yield Label("Folder", classes="field-label")
            yield Input(value="quorum-calendars", id="folder", compact=True)  # beside where quorum runs
        yield Static("...or publish each team's and agency's calendar to a CalDAV server (p):", classes="title")
        with Horizontal(classes="field"):
            yield Label("Server URL", classes="field-label")
            yield Input(
                os.environ.get("QUORUM_CALDAV_URL", ""),
                id="url",
                compact=True,
                placeholder="https://calendar.example.org/",
            )
        with Horizontal(classes="field"):
            yield Label("User", classes="field-label")
            yield Input(os.environ.get("QUORUM_CALDAV_USER", ""), id="user", compact=True)
        with Horizontal(classes="field"):
            yield Label("Password", classes="field-label")
            yield Input(
                id="password",
                password=True,
                compact=True,
                placeholder=f"typed here, or set {PASSWORD_ENV}; never stored",
            )
        yield LoadingIndicator(id="busy")
        yield Static(id="outcome", classes="panel", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#busy").display = False
        self.query_one("#outcome").display = False

    def refresh_data(self) -> None:
        from scheduler.calendars import export  # iCalendar is loaded on first use, not at every start of the UI

        services = self.services
        try:
            changes = export.preview(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        lines = [
            f"{what}: {len(ids)}"
            + (f"  ({', '.join(ids[:6])}{' ...' if len(ids) > 6 else ''})" if ids and what != "unchanged" else "")
            for what, ids in changes.items()
        ]
        self.query_one("#preview", Static).update("Since the last send\n" + "\n".join(lines))

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "folder":
            self.action_write()
        else:
            self.action_publish()

    def field(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def action_write(self) -> None:
        from scheduler.calendars import export

        services = self.services
        folder = Path(self.field("folder")).expanduser()

        def write() -> str:
            report = export.export(services.db_path, services.partnership, folder)
            return (
                f"Wrote {len(report.files)} files to {folder}: {len(report.new)} new, {len(report.updated)} updated, "
                f"{len(report.cancelled)} cancelled"
            )

        self.start("Writing", write)

    def action_publish(self) -> None:
        from scheduler.calendars.publish import publish  # the CalDAV client is only needed here

        services = self.services
        url, user = self.field("url"), self.field("user") or None
        if not url:
            self.notify("Type the CalDAV server's URL first (Tab to the field)", severity="warning")
            return
        password = self.query_one("#password", Input).value or os.environ.get(PASSWORD_ENV) or None

        def put() -> str:
            r = publish(services.db_path, services.partnership, url, user, password)
            return (
                f"Published to {len(r.collections)} calendars ({len(r.created)} created): {len(r.new)} new, "
                f"{len(r.changed)} updated, {len(r.unchanged)} unchanged, {len(r.cancelled)} cancelled; "
                f"{r.removed} removed from calendars they no longer concern"
            )

        self.start("Publishing", put)

    def start(self, what: str, job: Callable[[], str]) -> None:
        if self.query_one("#busy").display:
            self.notify("Still working on the last one")
            return
        self.query_one("#busy").display = True
        self.set_focus(None)
        self.notify(f"{what}...")
        self.run_job(job)

    @work(thread=True, exclusive=True, group="export")
    def run_job(self, job: Callable[[], str]) -> None:
        """Writing many files or talking to a slow server happens off the UI thread."""
        try:
            outcome, error = job(), None
        except UserError as exc:
            outcome, error = None, exc.message
        except Exception as exc:  # keep the app alive and say what happened
            outcome, error = None, f"failed: {type(exc).__name__}: {exc}"
        self.app.call_from_thread(self.done, outcome, error)

    def done(self, outcome: str | None, error: str | None) -> None:
        self.query_one("#busy").display = False
        result = self.query_one("#outcome", Static)
        result.display = True
        if error is not None:
            result.update(f"Nothing was sent: {error}")
            self.notify(error, severity="error", timeout=10)
            return
        assert outcome is not None
        result.update(outcome)
        self.notify(outcome.split(":")[0])
        self.refresh_data()
