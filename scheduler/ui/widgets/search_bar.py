"""The `/` search above a list: it filters as you type, Enter goes back to the list, Escape clears it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static


class SearchInput(Input):
    BINDINGS = [Binding("escape", "clear", "Clear the search", id="search_clear")]

    class Cleared(Message):
        """Escape: the search is emptied and closed, the list shows everything again."""

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Cleared())


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
