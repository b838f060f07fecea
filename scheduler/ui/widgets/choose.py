"""Choose some of a list (agencies to compare, teams to show): Space picks, Enter applies, Escape leaves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, SelectionList, Static
from textual.widgets.selection_list import Selection

from scheduler.ui.widgets.marked import MarkedSelectionList


class Choose(ModalScreen[list[str] | None]):
    """Dismissed with the values picked (in the order offered), or None when left with Escape."""

    BINDINGS = [
        Binding("enter", "apply", "Apply", id="choose_apply", priority=True),
        Binding("a", "all", "All", id="choose_all"),
        Binding("escape", "leave", "Leave unchanged", id="choose_leave"),
    ]

    def __init__(self, title: str, options: list[tuple[str, str]], chosen: set[str]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(id="chooser"):
            yield Static(f"{self.title_text} (Space picks, Enter applies, a all, Escape leaves)", markup=False)
            yield MarkedSelectionList(
                *(Selection(label, value, value in self.chosen) for label, value in self.options), id="choices"
            )
        yield Footer(compact=True)

    def action_apply(self) -> None:
        picked = set(self.query_one("#choices", SelectionList).selected)
        self.dismiss([value for _, value in self.options if value in picked])

    def action_all(self) -> None:
        self.query_one("#choices", SelectionList).select_all()

    def action_leave(self) -> None:
        self.dismiss(None)
