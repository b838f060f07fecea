"""The schedule's detail beside the list: a meeting's attendees, absentees and alternatives, or why a
request was not placed and what would help, said as this UI's keys and fields.

It scrolls, and Tab reaches it: at 80x24 a reason and its advice are often longer than the box, and a
coordinator must be able to read all of it (the border says when there is more below).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from scheduler.services.answers import reply_words
from scheduler.services.describe import role_text
from scheduler.today import moment_text
from scheduler.ui.advice import advice_lines, key
from scheduler.ui.words import agency_name


def meeting_lines(meeting: dict[str, Any], today: date, agencies: dict[str, str], app: Any) -> list[str]:
    start, end = datetime.fromisoformat(meeting["start"]), datetime.fromisoformat(meeting["end"])
    minutes = int((end - start).total_seconds() // 60)
    place = ", ".join(x for x in (meeting.get("location"), meeting.get("room")) if x)
    mark = "  [fixed]" if meeting.get("fixed") else "  [locked]" if meeting["locked"] else ""
    lines = [
        f"{meeting['request']}  {meeting['case']}{mark}",
        f"{start:%a %d %b %Y %H:%M}-{end:%H:%M} ({minutes} min){', ' + place if place else ''}",
        "",
    ]
    lines += [
        f"+ {a['name']} ({agency_name(a['agency'], agencies)}, {role_text(a)}"
        f"{', ' + reply_words(a) if a.get('reply') else ''})"
        for a in meeting["attendees"]
    ]
    lines += [f"- {x['name']}: {x['detail']}" for x in meeting["absent"]]
    if meeting.get("proposals"):  # Outlook's "propose new time" (iTIP COUNTER), read by quorum replies
        lines += ["", f"Proposed times ({key(app, 'schedule_accept_proposal')} moves it to the first):"] + [
            f"  {moment_text(datetime.fromisoformat(x['start']), today)}-{datetime.fromisoformat(x['end']):%H:%M} "
            f"by {x['name']}" + (f" (unverified: sent by {x['unverified']})" if x["unverified"] else "")
            for x in meeting["proposals"]
        ]
    if meeting["alternatives"]:
        moves = f"{key(app, 'schedule_move_1')} or {key(app, 'schedule_move_2')}"
        lines += ["", f"Alternatives ({moves} moves it there):"] + [
            f"  {i}. {moment_text(datetime.fromisoformat(a['start']), today)}, {a['attendees']} attending"
            for i, a in enumerate(meeting["alternatives"], 1)
        ]
    return lines


def unplaced_lines(u: dict[str, Any], app: Any) -> list[str]:
    """Why it was not placed, then each piece of advice as this UI does it (stored advice when the solve
    kept it; the plain suggestions of an older solve otherwise, without their command-line part)."""
    advice = u.get("advice")
    if advice is None:
        advice = [s.split(" (quorum ", 1)[0] for s in u.get("suggestions") or []]
    lines = [f"{u['request']}: not placed", "", u.get("detail") or ""]
    shown = advice_lines(advice, app)
    if shown:
        lines += ["", "What would help:"] + [f"- {line}" for line in shown]
    return lines


class MeetingDetail(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(id="detail", markup=False)

    def show(self, lines: list[str]) -> None:
        self.query_one("#detail", Static).update("\n".join(lines))
        self.scroll_home(animate=False)
        self.call_after_refresh(self.say_if_more)

    def say_if_more(self) -> None:
        """The border says there is more below, and how to read it, only when there is."""
        more = self.max_scroll_y > 0
        self.border_subtitle = ("Tab, then ↓ to read on" if not self.has_focus else "↑ ↓ to read") if more else ""

    def watch_has_focus(self, has_focus: bool) -> None:
        super().watch_has_focus(has_focus)
        self.say_if_more()
