"""Export: what each channel still has to tell, then write the files, publish to CalDAV or send by e-mail.

Files written, calendars published and e-mail sent are kept apart here (and on the dashboard): each
channel has its own ledger, so one never hides a change from another. What is being done is said at the
top as soon as it starts (a publish to a slow server took ten silent seconds); publishing and sending ask
first; the mail relay, its security and the CalDAV server are remembered for next time (settings.toml),
never a password.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Checkbox, Footer, Header, Input, LoadingIndicator, ProgressBar, Select, Static

from scheduler.errors import UserError, why
from scheduler.services import settings as user_settings
from scheduler.ui.advice import SECURITY_WORDS, error_text, key
from scheduler.ui.screens.base import DataScreen
from scheduler.ui.widgets.confirm import Confirm
from scheduler.ui.widgets.export_parts import (
    PASSWORD_ENV,
    SMTP_PASSWORD_ENV,
    channel_lines,
    field,
    remembered,
    secret,
)
from scheduler.ui.widgets.fetch_replies import IMAP_PASSWORD_ENV, SOURCE_HINT, PasswordPrompt, imap_parts, summary
from scheduler.ui.widgets.form_parts import FormScroll
from scheduler.ui.widgets.nav import NavBar


class ExportScreen(DataScreen):
    # No field is focused on arrival, so the screen keys (w, p, d, s, ...) keep working;
    # Tab goes into the fields, Enter in one does its action, and Escape comes back out.
    AUTO_FOCUS = ""  # an empty selector: focus nothing (None would mean the app's default, "*")
    BINDINGS = [
        # Short words: the four keys, ? and q Quit fit the footer at 80 columns (the panels above say more).
        Binding("w", "write", "Write", id="export_write"),
        Binding("p", "publish", "Publish", id="export_publish"),
        Binding("m", "send", "E-mail", id="export_send"),
        Binding("f", "fetch_replies", "Replies", id="export_fetch_replies"),
        Binding("ctrl+s", "write", "Write files", show=False, id="export_write_ctrl", priority=True),
        Binding("escape", "leave_field", "Leave field", show=False, id="export_leave_field"),
    ]

    def compose(self) -> ComposeResult:
        try:
            saved = user_settings.read_settings()
        except UserError:  # said when the UI started; the defaults here
            saved = user_settings.Settings()
        security = os.environ.get("QUORUM_SMTP_SECURITY") or saved.smtp_security
        yield Header()
        yield NavBar("export")
        # What is being done, or was last done: at the top, where it is seen at once.
        yield Static(id="outcome", classes="panel", markup=False)
        yield LoadingIndicator(id="busy")
        yield ProgressBar(id="sending", show_eta=False)
        yield Static(id="preview", classes="panel", markup=False)
        with FormScroll(id="export-fields"):
            yield Static("Write invites, cancellations and team calendars (.ics) into a folder (w):", classes="title")
            yield from field("Folder", Input(value="quorum-calendars", id="folder", compact=True))  # beside quorum
            yield Static("...or publish each team's and agency's calendar to a CalDAV server (p):", classes="title")
            # "e.g.": a bare address in the box read as one already filled in.
            url_hint = "e.g. https://calendar.example.org/dav/ (or set QUORUM_CALDAV_URL)"
            yield from field("Server URL", remembered("url", "QUORUM_CALDAV_URL", saved.caldav_url, url_hint))
            yield from field("User", remembered("user", "QUORUM_CALDAV_USER", saved.caldav_user))
            yield from field("Password", secret("password", PASSWORD_ENV))
            yield from field(
                "Edited events",
                Checkbox("Replace edited events (someone changed them on the server)", False, id="overwrite"),
            )
            yield Static(
                "...or e-mail each attendee their invitation (m), through the hub's mail relay:", classes="title"
            )
            yield from field(
                "Mail relay", remembered("smtp", "QUORUM_SMTP", saved.smtp, "e.g. smtp.example.org:587 (host:port)")
            )
            yield from field(
                "Mail security",
                Select(
                    [(f"{SECURITY_WORDS[s]} (port {user_settings.PORTS[s]})", s) for s in user_settings.SECURITY],
                    value=security if security in user_settings.SECURITY else "starttls",
                    allow_blank=False,
                    compact=True,
                    id="smtp-security",
                ),
            )
            yield from field("Mail user", remembered("smtp-user", "QUORUM_SMTP_USER", saved.smtp_user))
            yield from field("Mail password", secret("smtp-password", SMTP_PASSWORD_ENV))
            yield Static("Attendees' answers: fetch them from the coordinator's mailbox (f):", classes="title")
            yield from field("Replies from", remembered("replies", "QUORUM_REPLIES", "", SOURCE_HINT))
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#busy").display = False
        self.query_one("#sending").display = False
        self.query_one("#outcome").display = False

    def on_select_changed(self, event: Select.Changed) -> None:
        """The mail security chosen is kept for next time (the relay's address with the next send)."""
        if event.select.id == "smtp-security" and event.value in user_settings.SECURITY:
            self.remember(smtp_security=str(event.value))

    def remember(self, **changes: str) -> None:
        try:
            user_settings.remember(**changes)
        except UserError as exc:  # a broken settings file: said, and the work goes on
            self.notify(f"Not remembered for next time: {exc.message}", severity="warning", timeout=10)

    def refresh_data(self) -> None:
        from scheduler.calendars import channels  # iCalendar is loaded on first use, not at every start

        services = self.services
        folder = self.folder()
        try:
            todo = channels.pending(services.db_path, services.partnership, folder)
            reached = channels.delivered(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(error_text(exc, self.app), severity="error", timeout=10)
            return
        self.todo = todo
        keys = {k: key(self.app, f"export_{name}") for k, name in (("w", "write"), ("p", "publish"), ("m", "send"))}
        self.query_one("#preview", Static).update("\n".join(channel_lines(todo, reached, folder, keys)))

    def folder(self) -> Path:
        """The folder the files go to, as a whole path: said before anything is written there."""
        return Path(self.field("folder") or ".").expanduser().resolve()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "folder":
            self.refresh_data()  # the preview names the folder as it will be written

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "folder":
            self.action_write()
        elif event.input.id in ("smtp", "smtp-user", "smtp-password"):
            self.action_send()
        elif event.input.id == "replies":
            self.action_fetch_replies()
        else:
            self.action_publish()

    def field(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def action_write(self) -> None:
        from scheduler.calendars import export

        services = self.services
        folder = self.folder()

        def write() -> str:
            report = export.export(services.db_path, services.partnership, folder)
            return (
                f"Wrote {len(report.files)} files to {folder}: "
                f"{len(report.new)} new, {len(report.updated)} updated, "
                f"{len(report.cancelled)} cancelled, {len(report.dropped)} attendees told they are not needed; "
                f"{len(report.removed)} out-of-date files removed"
            )

        self.start(f"Writing the calendars into {folder}", write)

    def action_publish(self) -> None:
        from scheduler.calendars.publish import publish  # the CalDAV client is only needed here

        services = self.services
        url, user = self.field("url"), self.field("user") or None
        if not url:
            self.notify("Type the CalDAV server's URL first (Tab to the field)", severity="warning")
            return
        password = self.query_one("#password", Input).value or os.environ.get(PASSWORD_ENV) or None
        overwrite = self.query_one("#overwrite", Checkbox).value
        todo = getattr(self, "todo", None)
        changes = sum(len(v) for k, v in todo.caldav.items() if k != "unchanged") if todo else 0

        def put() -> str:
            r = publish(services.db_path, services.partnership, url, user, password, overwrite=overwrite)
            conflicts = (
                f"; {len(r.conflicts)} edited and {len(r.deleted)} deleted on the server were left alone (tick "
                "Replace edited events to write Quorum's over them)"
                if r.conflicts or r.deleted
                else ""
            )
            return (
                f"Published to {len(r.collections)} calendars ({len(r.created)} created): {len(r.new)} new, "
                f"{len(r.changed)} updated, {len(r.unchanged)} unchanged, {len(r.cancelled)} cancelled; "
                f"{r.removed} removed from calendars they no longer concern{conflicts}"
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.remember(caldav_url=url, caldav_user=user or "")
                self.start(f"Publishing to {url}: connecting, then each team's and agency's calendar", put)

        what = f"{changes} changed meetings" if changes else "the calendars (nothing has changed since last time)"
        replacing = ", replacing events edited on the server" if overwrite else ""
        self.app.push_screen(Confirm(f"Publish {what} to {url}{replacing}?"), answered)

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
        security = str(self.query_one("#smtp-security", Select).value)
        user = self.field("smtp-user") or None
        password = self.query_one("#smtp-password", Input).value or os.environ.get(SMTP_PASSWORD_ENV) or None
        try:
            cafile = user_settings.read_settings().smtp_cafile
        except UserError:
            cafile = ""
        relay = mail.Relay(name, port, security, user, password, Path(cafile) if cafile else None)
        try:
            count = len(mail.send(services.db_path, services.partnership, None, dry_run=True).planned)
        except UserError as exc:
            self.notify(error_text(exc, self.app), severity="error", timeout=10)
            return
        if not count:
            self.notify("Every attendee has been told everything by e-mail already")
            return

        def go() -> str:
            report = mail.send(services.db_path, services.partnership, relay, progress=self.progress)
            refused = [f"{x.email}: {why}" for x, why in report.refused]
            if report.unrecorded or report.stopped:
                refused.insert(0, mail.stopped(report))
            tail = f"; {len(refused) + len(report.unsent)} not sent, kept for next time ({'; '.join(refused[:3])})"
            return f"Sent {len(report.sent)} of {len(report.planned)} e-mails" + (
                tail if refused or report.unsent else ""
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.remember(smtp=host, smtp_security=security, smtp_user=user or "")
                self.start(f"Sending {count} e-mails through {relay.address}", go)

        self.app.push_screen(
            Confirm(f"E-mail {count} messages through {relay.address} ({SECURITY_WORDS[security]})?"), answered
        )

    def action_fetch_replies(self) -> None:
        """Read the answers waiting in a mailbox (as quorum replies does): a path, or an IMAP mailbox whose
        password is asked for unless QUORUM_IMAP_PASSWORD holds it."""
        from scheduler.calendars.imap import ImapBox
        from scheduler.calendars.replies import read_replies

        services, source = self.services, self.field("replies")
        if not source:
            self.notify(f"Type where the replies are first (Tab to Replies from): {SOURCE_HINT}", severity="warning")
            return
        try:
            parts = imap_parts(source)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        if parts is None:
            path = Path(source).expanduser()
            self.start(
                f"Reading replies from {path}",
                lambda: summary(read_replies(services.db_path, services.partnership, [path])),
            )
            return
        host, port, user, mailbox = parts

        def fetch(password: str | None) -> None:
            if password is None:
                return
            box = ImapBox(host, user, password, port, mailbox=mailbox)
            job = lambda: summary(read_replies(services.db_path, services.partnership, [], imap=box))  # noqa: E731
            self.start(f"Reading the unseen replies in {mailbox} on {host} (nothing is marked or deleted)", job)

        if os.environ.get(IMAP_PASSWORD_ENV):
            fetch(os.environ[IMAP_PASSWORD_ENV])
        else:
            self.app.push_screen(
                PasswordPrompt(f"Password for {user} on {host} (Enter to read, Escape to stop):"), fetch
            )

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
        outcome = self.query_one("#outcome", Static)
        outcome.update(f"{what}...")
        outcome.display = True
        self.set_focus(None)
        self.run_job(job)

    @work(thread=True, exclusive=True, group="export")
    def run_job(self, job: Callable[[], str]) -> None:
        """Writing many files or talking to a slow server happens off the UI thread."""
        try:
            outcome, error = job(), None
        except UserError as exc:
            outcome, error = None, error_text(exc, self.app)
        except Exception as exc:  # keep the app alive and say what happened
            outcome, error = None, f"it failed ({why(exc)}); this is a fault in Quorum: please report it"
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
