"""The request form's parts that are not the form itself: its windows, which field shows a problem found
at a key of the request, each field's name as its label says it, and its scrolling area."""

from __future__ import annotations

import re

from textual.containers import VerticalScroll

WINDOWS = [
    ("between two dates", "between"),
    ("within N working days of a date or request", "working_days"),
    ("within N calendar days of a date or request", "days"),
]
# Which form field shows a problem reported for a key of the request spec.
FIELD_OF = {"invite": "invitees", "slots": "invitees", "within": "within", "request": "general"}
# A field's name as its label says it, for a refused save's message.
LABELS = {
    "id": "Request id",
    "kind": "Kind",
    "case": "Case reference",
    "urgency": "Urgency",
    "duration": "Minutes",
    "earliest": "Earliest",
    "latest": "Latest",
    "within": "Within",
    "of": "Of",
    "venue": "Venue",
    "room": "Room",
    "travel": "Travel min.",
    "allow_off_duty": "Off duty",
    "invitees": "Invite",
    "notes": "Notes",
    "general": "The request",
}


def field_of(key: str) -> str:
    head = re.split(r"[.\[]", key, maxsplit=1)[0]
    return FIELD_OF.get(head, head)


class FormScroll(VerticalScroll, can_focus=False):
    """Scrolls to the focused field by itself: as a Tab stop of its own it only swallowed keys."""
