"""Fetching replies from the export screen: where from (a Maildir, an mbox, an .eml or .ics file, a folder
of them, or an IMAP mailbox written ``imaps://user@host[:port]/MAILBOX``), the mailbox's password asked
in a masked box when QUORUM_IMAP_PASSWORD does not hold it (never stored), and the outcome in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from scheduler.errors import UserError

IMAP_PASSWORD_ENV = "QUORUM_IMAP_PASSWORD"
SOURCE_HINT = "a Maildir or mbox path, or imaps://user@host/INBOX (set QUORUM_REPLIES)"


def imap_parts(text: str) -> tuple[str, int | None, str, str] | None:
    """(host, port, user, mailbox) of ``imaps://user@host[:port]/MAILBOX``; None for a path."""
    if not text.lower().startswith(("imaps://", "imap://")):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() != "imaps":
        raise UserError("the mailbox must be read over TLS: write imaps://user@host/INBOX")
    if not parts.hostname or not parts.username:
        raise UserError("write the mailbox as imaps://user@host/INBOX (the user name before the @)")
    if parts.password:
        raise UserError("leave the password out of the address: it is asked for, or read from QUORUM_IMAP_PASSWORD")
    return parts.hostname, parts.port, unquote(parts.username), unquote(parts.path.strip("/")) or "INBOX"


def summary(report: Any) -> str:
    """'Replies: 3 recorded, 1 already known, 1 refused (late.eml: answers a meeting since cancelled)'."""
    from scheduler.calendars.replies import KNOWN, RECORDED, REFUSED

    counts = ", ".join(f"{report.count(w)} {w}" for w in (RECORDED, KNOWN, REFUSED))
    refused = [f"{Path(o.source).name}: {o.note}" for o in report.outcomes if o.outcome == REFUSED]
    proposals = [o for o in report.outcomes if o.proposal is not None and o.outcome != REFUSED]
    tail = f" ({'; '.join(refused[:2])}{' ...' if len(refused) > 2 else ''})" if refused else ""
    if proposals:
        tail += f"; {len(proposals)} proposed times: see the schedule (s)"
    return f"Replies: {counts}{tail}"


class PasswordPrompt(ModalScreen[str | None]):
    """The mailbox's password, typed into a masked box; Escape gives up."""

    BINDINGS = [Binding("escape", "give_up", "Cancel", id="password_cancel")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question, markup=False)
            yield Input(password=True, id="prompt-password", placeholder="never stored")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_give_up(self) -> None:
        self.dismiss(None)
