"""The screens' bar under the title: every screen's key, the current one highlighted.

The footer keeps to the current screen's own keys, so that at 80 columns none is cut off; the way to
every other screen stays in sight here (and each name can be clicked)."""

from __future__ import annotations

from textual.widgets import Static

from scheduler.ui.navigation import SCREENS


class NavBar(Static):
    def __init__(self, current: str) -> None:
        super().__init__(classes="nav")
        self.current = current

    def on_mount(self) -> None:
        parts = []
        for d in SCREENS:
            mode, key, title = d.mode, d.key, d.title
            if mode == self.current:
                parts.append(f"[reverse][b]{key}[/b] {title}[/reverse]")
            else:
                parts.append(f"[@click=app.switch_mode('{mode}')][b]{key}[/b] {title}[/]")
        # Two spaces between names when they fit on the screen's line, one when not (80 columns).
        plain = sum(len(f"{d.key} {d.title}") for d in SCREENS)
        gap = "  " if plain + 2 * (len(SCREENS) - 1) + 2 <= self.app.size.width else " "
        self.update(gap.join(parts))
