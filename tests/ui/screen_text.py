"""What a coordinator sees: the app's screen as lines of text, read from Textual's own screenshot.

For tests that must know a message is on the screen in full (not only in a widget's content, which may be
cut by a border or scrolled out of sight)."""

from __future__ import annotations

import html
import re

_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')
_CELL = 12.2  # the width of one cell in Textual's SVG at its default font size


def screen_lines(app) -> list[str]:
    rows: dict[float, list[tuple[float, str]]] = {}
    for found in _TEXT.finditer(app.export_screenshot()):
        x, y, text = float(found[1]), float(found[2]), html.unescape(found[3])
        rows.setdefault(y, []).append((x, text))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / _CELL)) + text
        lines.append(line.replace("\xa0", " ").rstrip())
    return lines


def screen_text(app) -> str:
    """The screen, with each line's words joined up: a sentence wrapped in a box reads as one."""
    return " ".join(" ".join(line.replace("│", " ").split()) for line in screen_lines(app))
