"""Schedule: placed meetings in a table; the selected one's attendees, absentees and alternatives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header

from scheduler.errors import UserError
from scheduler.services import answers, moves, scheduling
from scheduler.services import partnership as data
from scheduler.services.search import request_fields
from scheduler.today import moment_text
from scheduler.ui.advice import error_text, key
from scheduler.ui.screens.base import SearchScreen
from scheduler.ui.screens.history import HistoryScreen
from scheduler.ui.widgets.confirm import Confirm
from scheduler.ui.widgets.list_table import ListTable
from scheduler.ui.widgets.meeting_detail import MeetingDetail, meeting_lines, unplaced_lines
from scheduler.ui.widgets.nav import NavBar
from scheduler.ui.words import kind_text, reason_text

MOVE = Binding.Group("Move")  # "1 2 Move" in the footer: room for every key at 80 columns


class ScheduleScreen(SearchScreen):
    BINDINGS = [
        Binding("l", "toggle_lock", "Lock", id="schedule_lock"),
        Binding("c", "cancel_meeting", "Cancel", id="schedule_cancel"),
        Binding("1", "move(1)", "Move to alternative 1", id="schedule_move_1", group=MOVE),
        Binding("2", "move(2)", "Move to alternative 2", id="schedule_move_2", group=MOVE),
        Binding("u", "undo", "Undo", id="schedule_undo"),
        Binding("h", "history", "History", id="schedule_history"),
        Binding("p", "accept_proposal", "Accept proposed time", id="schedule_accept_proposal", show=False),
    ]
    selected: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("schedule")
        yield self.search_bar("Search: request, case, person, team, agency (Enter: to the list)")
        with Horizontal():
            yield ListTable(id="meetings", cursor_type="row")
            yield MeetingDetail(id="detail-box")
        yield Footer(compact=True)

    def refresh_data(self) -> None:
        services = self.services
        table = self.query_one("#meetings", DataTable)
        row_before = table.cursor_row
        table.clear(columns=True)
        try:
            self.doc = answers.stored_schedule(services.db_path, services.partnership)  # with proposals
            fields = request_fields(services.db_path, services.partnership) if self.search_text else {}
            p = data.open_partnership(services.db_path, services.partnership)
            self.agencies = {a.id: a.name for a in p.agencies}
        except UserError as exc:
            self.notify(exc.message, severity="error", timeout=10)
            self.doc = {"meetings": [], "unscheduled": []}
            fields = {}
        total = len(self.doc["meetings"]) + len(self.doc["unscheduled"])
        if self.search_text:
            for part in ("meetings", "unscheduled"):
                self.doc[part] = [
                    m for m in self.doc[part] if self.wanted(fields.get(m["request"], (m["request"], m["case"])))
                ]
        self.counted(len(self.doc["meetings"]) + len(self.doc["unscheduled"]), total, "requests")
        # "Tue 24 Mar 10:00", or with the year when it is not this year's: the column fits the longest.
        whens = [moment_text(datetime.fromisoformat(m["start"]), services.today) for m in self.doc["meetings"]]
        for label, width in (
            ("when", max([16, *map(len, whens)])),
            ("kind", 11),
            ("case", 8),
            ("agencies", 8),
            ("flags", 14),
        ):
            table.add_column(label, width=width)
        for m, when in zip(self.doc["meetings"], whens, strict=True):
            present = {a["agency"] for a in m["attendees"]}
            invited = present | {x["agency"] for x in m["absent"]}
            flags = ("fixed " if m.get("fixed") else "locked " if m["locked"] else "") + (
                "off duty" if any(a["off_duty"] for a in m["attendees"]) else ""
            )
            table.add_row(
                when,
                kind_text(m["kind"]),
                m["case"],
                f"{len(present)} of {len(invited)}",
                flags.strip(),
                key=m["request"],
            )
        for u in self.doc["unscheduled"]:
            table.add_row(
                "not placed",
                kind_text(u["kind"]),
                u["case"],
                "-",
                reason_text(u["reason"]),
                key=u["request"],
            )
        # Stay on the meeting the coordinator was looking at (a refresh follows every dialog and action);
        # when it has gone (cancelled), on the row that took its place rather than back at the top.
        keys = [m["request"] for m in self.doc["meetings"]] + [u["request"] for u in self.doc["unscheduled"]]
        chosen = self.selected if self.selected in keys else (keys[min(row_before, len(keys) - 1)] if keys else None)
        if chosen is not None:
            table.move_cursor(row=table.get_row_index(chosen))
        self.show_detail(chosen)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # The row under the cursor now, not the event's: after a refresh, a late event for the
        # first row would otherwise select a meeting other than the one the cursor is on.
        table = event.data_table
        if table.row_count:
            self.show_detail(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def _decide(self, what: str, action: Callable[[str], object]) -> None:
        """Run a coordinator's decision through the shared service; errors become notifications."""
        if self.selected is None:
            self.notify("Choose a meeting first")
            return
        try:
            action(self.selected)
        except UserError as exc:
            self.notify(error_text(exc, self.app), severity="error", timeout=10)
            return
        self.notify(f"{what} {self.selected}")
        self.refresh_data()  # keeps the cursor on the meeting acted on, or where a cancelled one was

    def action_undo(self) -> None:
        """Take back the last lock, unlock, move, cancel or request change (quorum history lists them)."""
        done = self.undo_decision()
        if done is None:
            return
        self.refresh_data()
        self.show_detail(
            done["request"] if any(m["request"] == done["request"] for m in self.doc["meetings"]) else None
        )

    def action_history(self) -> None:
        """The decisions log, latest first; undoing there comes back here with the schedule as it is now."""
        self.app.push_screen(HistoryScreen(), lambda _undone: self.refresh_data())

    def select(self, request: str) -> None:
        """Put the cursor on ``request`` (the palette's "show in the schedule"), clearing a search that hides it."""
        if self.search_text:
            self.search_for("")
        self.selected = request
        self.refresh_data()

    def action_toggle_lock(self) -> None:
        services = self.services
        meeting = next((m for m in self.doc["meetings"] if m["request"] == self.selected), None)
        locked = bool(meeting and meeting["locked"])
        self._decide(
            "Unlocked" if locked else "Locked",
            lambda rid: scheduling.lock(services.db_path, services.partnership, rid, not locked),
        )

    def action_cancel_meeting(self) -> None:
        """Cancelling sends a cancellation with the next export: asked first, defaulting to No."""
        services = self.services
        if self.selected is None:
            self.notify("Choose a meeting first")
            return
        chosen = self.selected

        def answered(yes: bool | None) -> None:
            if yes:
                self.selected = chosen
                self._decide("Cancelled", lambda rid: scheduling.cancel(services.db_path, services.partnership, rid))

        self.app.push_screen(
            Confirm(f"Cancel the meeting for {chosen}? Its invitees are told with the next export, publish or send."),
            answered,
        )

    def action_move(self, n: int) -> None:
        """A move asks first (it is sent to the invitees with the next export), and says so when the
        request itself fixed the time."""
        services = self.services
        meeting = next((m for m in self.doc["meetings"] if m["request"] == self.selected), None)
        if meeting is None:
            self.notify("Choose a meeting first")
            return
        options = meeting.get("alternatives") or []
        if len(options) < n:  # none kept (a moved meeting, or a solve that kept none): worked out now
            try:
                options = moves.alternatives_now(
                    services.db_path, services.partnership, meeting["request"], 2, services.now
                )
            except UserError as exc:
                self.notify(error_text(exc, self.app), severity="error", timeout=10)
                return
        if len(options) < n:
            found = "no other time" if not options else f"only {len(options)} other time"
            self.notify(
                f"{meeting['request']} has {found} that works with the schedule as it is now; to give it a time "
                f"yourself, press {key(self.app, 'requests')} and change its request",
                severity="warning",
                timeout=10,
            )
            return
        chosen, fixed = meeting["request"], bool(meeting.get("fixed"))
        target = datetime.fromisoformat(options[n - 1]["start"])
        when = moment_text(target, services.today)
        question = f"Move {chosen} to {when} and lock it there? Its invitees are told with the next export."
        if fixed:
            question = f"{chosen}'s time was fixed in its request (by the chair, say). " + question

        def answered(yes: bool | None) -> None:
            if yes:
                self.selected = chosen
                self._decide(
                    f"Moved to {when} and locked",
                    lambda rid: scheduling.move(
                        services.db_path, services.partnership, rid, to=target, now=services.now, force=fixed
                    ),
                )

        self.app.push_screen(Confirm(question), answered)

    def action_accept_proposal(self) -> None:
        """Move the meeting to the first time an attendee proposed (quorum replies read it), asking first as
        every move does."""
        services = self.services
        meeting = next((m for m in self.doc["meetings"] if m["request"] == self.selected), None)
        if meeting is None or not meeting.get("proposals"):
            self.notify("No proposed time for this meeting (quorum replies reads them from the mailbox)")
            return
        proposal, chosen, fixed = meeting["proposals"][0], meeting["request"], bool(meeting.get("fixed"))
        when = moment_text(datetime.fromisoformat(proposal["start"]), services.today)
        question = f"Move {chosen} to {when}, as {proposal['name']} proposed, and lock it there? "
        question += "Its invitees are told with the next export."
        if fixed:
            question = f"{chosen}'s time was fixed in its request (by the chair, say). " + question

        def answered(yes: bool | None) -> None:
            if yes:
                self.selected = chosen
                self._decide(
                    f"Moved to {when} as {proposal['name']} proposed, and locked",
                    lambda rid: answers.accept_proposal(
                        services.db_path, services.partnership, rid, proposal["person"], services.now, force=fixed
                    ),
                )

        self.app.push_screen(Confirm(question), answered)

    def show_detail(self, request: str | None) -> None:
        self.selected = request
        detail = self.query_one(MeetingDetail)
        if request is None:
            detail.show(
                [
                    f"Nothing scheduled yet: press {key(self.app, 'solve')} to open the solver, then "
                    f"{key(self.app, 'solve_start')} to solve"
                ]
            )
            return
        meeting = next((m for m in self.doc["meetings"] if m["request"] == request), None)
        if meeting is not None:
            detail.show(meeting_lines(meeting, self.services.today, getattr(self, "agencies", {}), self.app))
            return
        u = next((x for x in self.doc["unscheduled"] if x["request"] == request), None)
        detail.show(unplaced_lines(u, self.app) if u is not None else [f"{request}: cancelled"])
