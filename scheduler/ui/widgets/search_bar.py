"""The `/` search above a list: it filters as you type, Enter or ↓ goes back to the list (whose keys, such as
l and 1, then work again: typed in the box they were letters of the search), Escape clears it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static


class SearchInput(Input):
    BINDINGS = [
        Binding("down", "done", "Back to the list", key_display="↓", id="search_done"),
        Binding("escape", "clear", "Clear the search", id="search_clear"),
    ]

    class Cleared(Message):
        """Escape: the search is emptied and closed, the list shows everything again."""

    class Done(Message):
        """↓ (like Enter): back to the list, filtered, with its keys."""

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Cleared())

    def action_done(self) -> None:
        self.post_message(self.Done())


class SearchBar(Horizontal):
    """Hidden until / is pressed; the count beside it says how much of the list is shown."""

    def __init__(self, placeholder: str) -> None:
        super().__init__(id="search-bar")
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder=self.placeholder, compact=True, id="search")
        yield Static(id="search-count", markup=False)

    def count(self, shown: int, total: int, what: str) -> None:
        self.query_one("#search-count", Static).update(f"{shown} of {total} {what}")
