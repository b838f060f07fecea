"""What the data screens share: the app's services, refreshing when shown, and moving by week."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from scheduler.ui.app import UiServices


class UsesServices:
    """For any screen or dialog: the services injected into the app (database, partnership, 'today')."""

    @property
    def services(self) -> UiServices:
        return self.app.services  # type: ignore[attr-defined]


class DataScreen(UsesServices, Screen[None]):
    """A screen showing stored data: filled when mounted and again whenever it is shown."""

    def on_screen_resume(self) -> None:
        """Shown (the first time too): the data may have changed on another screen."""
        self.refresh_data()

    def refresh_data(self) -> None:
        raise NotImplementedError


class WeekScreen(DataScreen):
    """A data screen over one week (Monday first), starting at 'today', moved with [ and ]."""

    BINDINGS = [
        Binding("left_square_bracket", "week(-1)", "Previous week", key_display="[", id="previous_week"),
        Binding("right_square_bracket", "week(1)", "Next week", key_display="]", id="next_week"),
    ]

    def on_mount(self) -> None:
        today = self.services.today
        self.first = today - timedelta(days=today.weekday())

    def action_week(self, step: int) -> None:
        self.first += timedelta(days=7 * step)
        self.refresh_data()
