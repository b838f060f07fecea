"""Export: what each channel still has to tell, then write the files, publish to CalDAV or send by e-mail.

Files written, calendars published and e-mail sent are kept apart here (and on the dashboard): each
channel has its own ledger, so one never hides a change from another.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Label, LoadingIndicator, ProgressBar, Static

from scheduler.errors import UserError
from scheduler.ui.screens.base import DataScreen
from scheduler.ui.widgets.nav import NavBar

# Passwords are typed here (masked) or read from these variables: never stored, never on a command line.
PASSWORD_ENV = "QUORUM_CALDAV_PASSWORD"
SMTP_PASSWORD_ENV = "QUORUM_SMTP_PASSWORD"


def field(label: str, box: Input) -> ComposeResult:
    with Horizontal(classes="field"):
        yield Label(label, classes="field-label")
        yield box


def from_env(widget_id: str, env: str, placeholder: str = "") -> Input:
    """A field filled from an environment variable, so a hub can set its servers once."""
    return Input(os.environ.get(env, ""), id=widget_id, compact=True, placeholder=placeholder)


def secret(widget_id: str, env: str) -> Input:
    """A masked password field: typed here or read from ``env`` when used, never stored."""
    return Input(id=widget_id, password=True, compact=True, placeholder=f"typed here, or set {env}; never stored")


class ExportScreen(DataScreen):
    # No field is focused on arrival, so the screen keys (w, p, d, s, ...) keep working;
    # Tab goes into the fields, Enter in one does its action, and Escape comes back out.
    AUTO_FOCUS = ""  # an empty selector: focus nothing (None would mean the app's default, "*")
    BINDINGS = [
        Binding("w", "write", "Write files", id="export_write"),
        Binding("p", "publish", "Publish to CalDAV", id="export_publish"),
        Binding("m", "send", "Send e-mail", id="export_send"),
        Binding("ctrl+s", "write", "Write files", show=False, id="export_write_ctrl", priority=True),
        Binding("escape", "leave_field", "Leave field", show=False, id="export_leave_field"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("export")
        yield Static(id="preview", classes="panel", markup=False)
        yield Static("Write invites, cancellations and team calendars (.ics) into a folder (w):", classes="title")
        yield from field("Folder", Input(value="quorum-calendars", id="folder", compact=True))  # beside quorum
        yield Static("...or publish each team's and agency's calendar to a CalDAV server (p):", classes="title")
        # "e.g.": a bare address in the box read as one already filled in.
        url_hint = "e.g. https://calendar.example.org/dav/ (or set QUORUM_CALDAV_URL)"
        yield from field("Server URL", from_env("url", "QUORUM_CALDAV_URL", url_hint))
        yield from field("User", from_env("user", "QUORUM_CALDAV_USER"))
        yield from field("Password", secret("password", PASSWORD_ENV))
        yield Static("...or e-mail each attendee their invitation (m), through the hub's mail relay:", classes="title")
        yield from field("Mail relay", from_env("smtp", "QUORUM_SMTP", "e.g. smtp.example.org:587"))
        yield from field("Mail user", from_env("smtp-user", "QUORUM_SMTP_USER"))
        yield from field("Mail password", secret("smtp-password", SMTP_PASSWORD_ENV))
        yield LoadingIndicator(id="busy")
        yield ProgressBar(id="sending", show_eta=False)
        yield Static(id="outcome", classes="panel", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#busy").display = False
        self.query_one("#sending").display = False
        self.query_one("#outcome").display = False

    def refresh_data(self) -> None:
        from scheduler.calendars import channels  # iCalendar is loaded on first use, not at every start

        services = self.services
        folder = Path(self.field("folder") or ".").expanduser()
        try:
            todo = channels.pending(services.db_path, services.partnership, folder)
            reached = channels.delivered(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return

        def line(changes: dict[str, list[str]]) -> str:
            words = [f"{len(ids)} {what}" for what, ids in changes.items() if ids and what != "unchanged"]
            shown = [i for what, ids in changes.items() if what != "unchanged" for i in ids]
            more = f"  ({', '.join(shown[:5])}{' ...' if len(shown) > 5 else ''})" if shown else ""
            return (", ".join(words) or "nothing to change") + more

        mail = ", ".join(f"{n} {what}" for what, n in sorted(todo.email.items())) or "nothing to send"
        self.query_one("#preview", Static).update(
            "\n".join(
                [
                    f"Up to date: written {reached['written']}, published {reached['published']}, "
                    f"sent by e-mail {reached['sent']} (meetings)",
                    f"Files in {folder}: {line(todo.folder)}",
                    f"CalDAV calendars: {line(todo.caldav)}",
                    f"E-mail: {sum(todo.email.values())} messages ({mail})",
                ]
            )
        )

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "folder":
            self.action_write()
        elif event.input.id in ("smtp", "smtp-user", "smtp-password"):
            self.action_send()
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
                f"Wrote {len(report.files)} files to {Path(folder).resolve()}: "
                f"{len(report.new)} new, {len(report.updated)} updated, "
                f"{len(report.cancelled)} cancelled, {len(report.dropped)} attendees told they are not needed; "
                f"{len(report.removed)} out-of-date files removed"
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
            conflicts = (
                f"; {len(r.conflicts)} edited on the server were left alone (quorum publish --overwrite replaces them)"
                if r.conflicts
                else ""
            )
            return (
                f"Published to {len(r.collections)} calendars ({len(r.created)} created): {len(r.new)} new, "
                f"{len(r.changed)} updated, {len(r.unchanged)} unchanged, {len(r.cancelled)} cancelled; "
                f"{r.removed} removed from calendars they no longer concern{conflicts}"
            )

        self.start("Publishing", put)

    def action_send(self) -> None:
        from scheduler.calendars import mail
        from scheduler.ui.widgets.confirm import Confirm

        services = self.services
        host = self.field("smtp")
        if not host:
            self.notify("Type the mail relay's address first (Tab to the field)", severity="warning")
            return
        try:
            name, port = mail.split_address(host)
        except UserError as exc:
            self.notify(exc.message, severity="error")
            return
        security = os.environ.get("QUORUM_SMTP_SECURITY", "starttls")
        user = self.field("smtp-user") or None
        password = self.query_one("#smtp-password", Input).value or os.environ.get(SMTP_PASSWORD_ENV) or None
        relay = mail.Relay(name, port, security, user, password)
        try:
            count = len(mail.send(services.db_path, services.partnership, None, dry_run=True).planned)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        if not count:
            self.notify("Every attendee has been told everything by e-mail already")
            return

        def go() -> str:
            report = mail.send(services.db_path, services.partnership, relay, progress=self.progress)
            refused = [f"{x.email}: {why}" for x, why in report.refused]
            tail = f"; {len(refused) + len(report.unsent)} not sent, kept for next time ({'; '.join(refused[:3])})"
            return f"Sent {len(report.sent)} of {len(report.planned)} e-mails" + (
                tail if refused or report.unsent else ""
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.start("Sending", go)

        self.app.push_screen(Confirm(f"E-mail {count} messages through {relay.address}?"), answered)

    def progress(self, done: int, total: int) -> None:
        """Called from the sending thread after each message."""
        self.app.call_from_thread(self.show_progress, done, total)

    def show_progress(self, done: int, total: int) -> None:
        bar = self.query_one("#sending", ProgressBar)
        bar.display = True
        bar.update(total=total, progress=done)

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
        self.query_one("#sending").display = False
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
