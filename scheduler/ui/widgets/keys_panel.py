"""The ? list: this screen's keys first, then those that work everywhere, then how to move around.

Textual's own key panel lists the focused widget's keys first: on a list at 80x24 that was "^pgup Page
Left" and "^c super+c Copy selected text" before any of Quorum's. Here the screen's own keys come first, in
the order the footer shows them; the generic keys of lists and fields are said once, in words, at the end.
It is mounted before the header and the footer, which are drawn over its ends and keep their whole width
(Textual's panel narrowed the footer, whose keys then ran into "^p palette"); the screen narrows beside it.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

MOVING = [
    ("↑ ↓", "move in a list"),
    ("Home End", "first, last row"),
    ("PgUp PgDn", "a page up, down"),
    ("Tab", "next field or panel (Shift+Tab back)"),
    ("Enter", "open or choose"),
    ("Esc", "back, or close this list"),
]


def ours(node: object, binding: Binding) -> bool:
    """Whether ``binding`` is one of Quorum's own (every one has an id, for keymap.toml), not one
    inherited from Textual's classes (ctrl+q, a scroll's arrows)."""
    return binding.id is not None and any(
        getattr(b, "id", None) == binding.id
        for cls in type(node).__mro__
        if cls.__module__.startswith("scheduler.")
        for b in cls.__dict__.get("BINDINGS", [])
    )


class KeysTable(Static):
    def render(self) -> Table:
        screen = self.screen
        app = self.app
        here: list[tuple[str, str]] = []
        everywhere: list[tuple[str, str]] = []
        screens: list[str] = []
        seen: set[tuple[str, str]] = set()
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            if binding.system or not binding.description or not ours(node, binding):
                continue  # a Textual widget's own keys: said under "Moving around"
            shown = app.get_key_display(binding)
            if isinstance(node, App):
                if binding.action.startswith("switch_mode"):
                    screens.append(shown)
                    continue
                row = (shown, binding.description)
                if row not in seen:
                    everywhere.append(row)
            else:
                row = (shown, binding.description)
                if row not in seen:
                    here.append(row)
            seen.add(row)
        if screens:
            everywhere.insert(0, (" ".join(screens), "the screens (named in the bar under the title)"))
        everywhere.append(("Ctrl+P", "find a request, case or person; the main actions"))
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for title, rows in (("This screen", here), ("Everywhere", everywhere), ("Moving around", MOVING)):
            if not rows:
                continue
            table.add_row("", Text(title, style="underline"))
            for keys, what in rows:
                table.add_row(keys, what)
            table.add_row("", "")
        return table


class KeysPanel(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    KeysPanel {
        dock: right;
        width: 36;
        height: 1fr;
        border-left: vkey $foreground 30%;
        background: $surface;
        padding: 1 1;
    }
    """

    def compose(self) -> ComposeResult:
        yield KeysTable()

    def on_mount(self) -> None:
        screen = self.screen

        def changed(_screen: Screen[Any]) -> None:
            if self.is_attached:
                self.query_one(KeysTable).refresh()

        screen.bindings_updated_signal.subscribe(self, changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
