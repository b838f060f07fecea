"""The export screen's words and fields: what each channel still has to tell, and the labelled boxes.

Each channel says first what it still has to tell and then what it has told: the old first line, "Up to
date: written 23, published 23, sent by e-mail 23", read as all done above "1 new (jv-10531)".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

# Passwords are typed here (masked) or read from these variables: never stored, never on a command line.
PASSWORD_ENV = "QUORUM_CALDAV_PASSWORD"
SMTP_PASSWORD_ENV = "QUORUM_SMTP_PASSWORD"


def field(label: str, box: Any) -> ComposeResult:
    with Horizontal(classes="field"):
        yield Label(label, classes="field-label")
        yield box


def remembered(widget_id: str, env: str, value: str, placeholder: str = "") -> Input:
    """A field filled from an environment variable (a hub can set its servers once), else from what the
    coordinator used last time (settings.toml)."""
    return Input(os.environ.get(env) or value, id=widget_id, compact=True, placeholder=placeholder)


def secret(widget_id: str, env: str) -> Input:
    """A masked password field: typed here or read from ``env`` when used, never stored."""
    return Input(id=widget_id, password=True, compact=True, placeholder=f"typed here, or set {env}; never stored")


def _changes(changes: dict[str, list[str]]) -> tuple[str, int]:
    """('1 new (jv-10531)', how many meetings have something to tell)."""
    pending = {what: ids for what, ids in changes.items() if ids and what != "unchanged"}
    words = ", ".join(f"{len(ids)} {what}" for what, ids in pending.items())
    shown = [i for ids in pending.values() for i in ids]
    more = f" ({', '.join(shown[:4])}{' ...' if len(shown) > 4 else ''})" if shown else ""
    return words + more, len(shown)


def channel_lines(todo: Any, reached: dict[str, int], folder: Path, keys: dict[str, str]) -> list[str]:
    """One line a channel: what it still has to tell, then what it has told already."""
    out = []
    for label, changes, told, word in (
        (f"Files ({keys['w']}) in {folder}", todo.folder, reached["written"], "written"),
        (f"CalDAV calendars ({keys['p']})", todo.caldav, reached["published"], "published"),
    ):
        pending, count = _changes(changes)
        if count:
            out.append(f"{label}: to tell {pending}; {told} up to date")
        else:
            out.append(f"{label}: nothing to change ({told} meetings {word})")
    messages = sum(todo.email.values())
    if messages:
        kinds = ", ".join(f"{n} {what}" for what, n in sorted(todo.email.items()))
        out.append(f"E-mail ({keys['m']}): {messages} messages to send ({kinds}); {reached['sent']} meetings told")
    else:
        out.append(f"E-mail ({keys['m']}): nothing to send ({reached['sent']} meetings told)")
    return out
