"""Export: see what is new, updated or cancelled since the last send, then write the calendars."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Input, Static

from scheduler import export
from scheduler.errors import UserError
from scheduler.ui.screens.base import DataScreen


class ExportScreen(DataScreen):
    # The folder field is not focused on arrival, so the screen keys (d, s, o, ...) keep working;
    # Tab goes into it and Escape comes back out.
    AUTO_FOCUS = ""  # an empty selector: focus nothing (None would mean the app's default, "*")
    BINDINGS = [
        Binding("ctrl+s", "write", "Write calendars", id="export_write", priority=True),
        Binding("escape", "leave_field", "Leave field", show=False, id="export_leave_field"),
    ]

    def action_leave_field(self) -> None:
        self.set_focus(None)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Folder to write invites, cancellations and team calendars into:", classes="title")
        yield Input(value=str(Path.cwd() / "quorum-calendars"), id="folder")
        yield Static(id="preview", classes="panel", markup=False)
        yield Static(id="outcome", classes="panel", markup=False)
        yield Footer(compact=True)

    def refresh_data(self) -> None:
        services = self.services
        try:
            changes = export.preview(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        lines = [
            f"{what}: {len(ids)}"
            + (f"  ({', '.join(ids[:8])}{' ...' if len(ids) > 8 else ''})" if ids and what != "unchanged" else "")
            for what, ids in changes.items()
        ]
        self.query_one("#preview", Static).update("Since the last send\n" + "\n".join(lines))

    def action_write(self) -> None:
        services = self.services
        folder = Path(self.query_one("#folder", Input).value).expanduser()
        try:
            report = export.export(services.db_path, services.partnership, folder)
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            return
        self.query_one("#outcome", Static).update(
            f"Wrote {len(report.files)} files to {folder}: {len(report.new)} new, {len(report.updated)} updated, "
            f"{len(report.cancelled)} cancelled"
        )
        self.notify(f"Wrote {len(report.files)} files")
        self.refresh_data()
