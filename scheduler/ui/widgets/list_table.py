"""The lists (requests, schedule, history, rotas...): a DataTable whose Home and End go to the first and
last row, and whose own keys stay out of the ? list.

A plain DataTable's End scrolls sideways to its last column: on the schedule at 80 columns that hid
"when" and the request ids, with the cursor still on the same row. The arrow and page keys are what any
list takes; the ? list keeps to the keys of Quorum's own screens, and says these once, under "Moving around".
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable


class ListTable(DataTable[Any]):
    BINDINGS = [
        Binding("enter", "select_cursor", "Select", show=False, system=True),
        Binding("up", "cursor_up", "Up", show=False, system=True),
        Binding("down", "cursor_down", "Down", show=False, system=True),
        Binding("right", "cursor_right", "Right", show=False, system=True),
        Binding("left", "cursor_left", "Left", show=False, system=True),
        Binding("pageup", "page_up", "Page up", show=False, system=True),
        Binding("pagedown", "page_down", "Page down", show=False, system=True),
        Binding("home,ctrl+home", "scroll_top", "First row", show=False, system=True),
        Binding("end,ctrl+end", "scroll_bottom", "Last row", show=False, system=True),
    ]
