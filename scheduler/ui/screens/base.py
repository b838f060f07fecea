"""What the data screens share: the app's services, refreshing when shown, and moving by week."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input

from scheduler.errors import UserError
from scheduler.services import scheduling
from scheduler.services.search import matches
from scheduler.ui.widgets.search_bar import SearchBar, SearchInput

if TYPE_CHECKING:
    from textual import getters

    from scheduler.ui.app import QuorumApp, UiServices

    _Screen = Screen[Any]  # what the mixin is mixed into, so that mypy knows its app and notify
else:
    _Screen = object


class UsesServices(_Screen):
    """For any screen or dialog: the services injected into the app (database, partnership, 'today')."""

    if TYPE_CHECKING:
        app = getters.app(QuorumApp)  # the app as Quorum's own (Textual's idiom, for the type checker only)

    @property
    def services(self) -> UiServices:
        return self.app.services

    def undo_decision(self) -> dict[str, Any] | None:
        """Take back the latest decision not yet undone (the schedule's u and the history's u), saying what
        was undone, or why nothing was."""
        services = self.services
        try:
            done = scheduling.undo(services.db_path, services.partnership)
        except UserError as exc:
            self.notify(exc.message, severity="warning", timeout=10)
            return None
        self.notify(f"Undid: {done['request']} {done['what']}")
        return done


class DataScreen(UsesServices, Screen[None]):
    """A screen showing stored data: filled when mounted and again whenever it is shown."""

    def on_screen_resume(self) -> None:
        """Shown (the first time too): the data may have changed on another screen."""
        self.refresh_data()

    def refresh_data(self) -> None:
        raise NotImplementedError


class SearchScreen(DataScreen):
    """A data screen whose list / filters by id, case reference, person or team (the same words the
    command palette finds things by). Screens compose :meth:`search_bar` and keep a row with :meth:`wanted`."""

    BINDINGS = [Binding("slash", "search", "Search", key_display="/", id="search")]
    search_text = ""
    AUTO_FOCUS = "DataTable"  # the list, not the (hidden) search box, which would take the keys meant for it

    def search_bar(self, placeholder: str) -> SearchBar:
        bar = SearchBar(placeholder)
        bar.display = False
        return bar

    def wanted(self, fields: Iterable[str]) -> bool:
        return matches(self.search_text, fields)

    def counted(self, shown: int, total: int, what: str) -> None:
        self.query_one(SearchBar).count(shown, total, what)

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True
        self.query_one(SearchInput).focus()

    def search_for(self, text: str) -> None:
        """Show the list filtered by ``text`` (the palette's "show ... in the list")."""
        bar = self.query_one(SearchBar)
        bar.display = bool(text)
        self.query_one(SearchInput).value = text
        self.search_text = text
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, SearchInput):
            event.stop()
            self.search_text = event.value
            self.refresh_data()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, SearchInput):
            event.stop()
            self.query_one(DataTable).focus()

    def on_search_input_done(self, event: SearchInput.Done) -> None:
        self.query_one(DataTable).focus()

    def on_search_input_cleared(self, event: SearchInput.Cleared) -> None:
        self.query_one(SearchBar).display = False
        self.search_text = ""
        self.refresh_data()
        self.query_one(DataTable).focus()


class WeekScreen(DataScreen):
    """A data screen over one week (Monday first), starting at 'today', moved with [ and ]."""

    # One "[ ] Week" in the footer, not two long entries that push the others off an 80-column screen.
    WEEK = Binding.Group("Week")
    BINDINGS = [
        Binding("left_square_bracket", "week(-1)", "Previous week", key_display="[", id="previous_week", group=WEEK),
        Binding("right_square_bracket", "week(1)", "Next week", key_display="]", id="next_week", group=WEEK),
    ]

    def on_mount(self) -> None:
        today = self.services.today
        self.first = today - timedelta(days=today.weekday())

    def action_week(self, step: int) -> None:
        self.first += timedelta(days=7 * step)
        self.refresh_data()
