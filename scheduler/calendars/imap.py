"""Replies from the coordinator's IMAP mailbox, with the standard library's ``imaplib`` over TLS.

The mailbox is opened read-only (EXAMINE) and messages are fetched with BODY.PEEK, so nothing is marked
seen, flagged, moved or deleted: what the coordinator has not read stays unread. By default the unseen
messages are read (so the same ones are read again next time, and their answers are "already known");
``since`` reads every message from a date instead. Each command runs under its own deadline, a message's
size is asked before it is fetched (one over the cap is reported, not read), and at most
``MAX_MESSAGES`` are read in one go.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.calendars.mailbox import Reading, from_message
from scheduler.calendars.netlimits import EXCHANGE_S, MESSAGE_CAP, READ_S, Exchange, NetworkLimit, TooLarge, shut
from scheduler.errors import UserError, why

PORTS = {"tls": 993, "starttls": 143}
MAX_MESSAGES = 2000
SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ImapBox:
    host: str
    user: str
    password: str = field(repr=False)
    port: int | None = None
    security: str = "tls"  # tls (implicit, port 993) | starttls (port 143)
    mailbox: str = "INBOX"
    cafile: Path | None = None
    since: date | None = None  # every message from this date, seen or not; else the unseen ones
    deadline: float = EXCHANGE_S

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port or PORTS.get(self.security, 993)}"


class _Counted(imaplib.IMAP4):
    """What an IMAP client reads, counted against the budget of the command under way; its socket handed
    to ``sockets`` as soon as it is made (imaplib reads the greeting before its constructor returns, and a
    deadline must be able to end that too)."""

    budget = MESSAGE_CAP + 100_000
    what = "the mail server"

    def __init__(self, sockets: list[socket.socket], *args: Any, **kwargs: Any) -> None:
        self.sockets = sockets
        super().__init__(*args, **kwargs)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock: socket.socket = super()._create_socket(timeout)  # type: ignore[misc]  # typeshed leaves it out
        self.sockets.append(sock)
        return sock

    def read(self, size: int) -> bytes:
        if size > self.budget:  # a literal announced bigger than the cap is not read at all
            raise TooLarge(self.what, MESSAGE_CAP)
        data = super().read(size)
        self.budget -= len(data)
        return data

    def readline(self) -> bytes:
        line = super().readline()
        self.budget -= len(line)
        if self.budget < 0:
            raise TooLarge(self.what, MESSAGE_CAP)
        return line


class _Tls(_Counted, imaplib.IMAP4_SSL):
    pass


class _Plain(_Counted, imaplib.IMAP4):
    pass


def _since(day: date) -> str:
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def read_imap(box: ImapBox) -> Reading:
    """The calendars in the mailbox's unseen messages (or those since ``box.since``); UserError on failure."""
    if box.security not in PORTS:
        raise UserError("the mailbox's security must be tls (port 993) or starttls (port 143)")
    try:
        context = ssl.create_default_context(cafile=str(box.cafile) if box.cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise UserError(f"cannot read the certificate file {box.cafile}: {why(exc)}") from exc
    where = f"the mail server {box.address}"
    client: _Counted | None = None
    reading = Reading([], [])

    sockets: list[socket.socket] = []  # the connection's socket, then the TLS one wrapping it

    def abort() -> None:
        for sock in (*sockets, getattr(client, "sock", None)):  # no sock until the client has connected
            shut(sock)

    def command(seconds: float = box.deadline) -> Exchange:
        if client is not None:
            client.budget = MESSAGE_CAP + 100_000
        return Exchange(where, seconds, abort)

    try:
        port = box.port or PORTS[box.security]
        timeout = min(READ_S, box.deadline)
        with command():
            if box.security == "tls":
                client = _Tls(sockets, box.host, port, ssl_context=context, timeout=timeout)
            else:
                client = _Plain(sockets, box.host, port, timeout=timeout)
                client.starttls(ssl_context=context)
        with command():
            client.login(box.user, box.password)
        with command():
            status, _ = client.select(_quoted(box.mailbox), readonly=True)  # EXAMINE: nothing can change
        if status != "OK":
            raise UserError(f"{where} has no mailbox {box.mailbox!r} (give --mailbox, e.g. INBOX)")
        with command():
            criteria = f"SINCE {_since(box.since)}" if box.since else "UNSEEN"
            status, data = client.uid("SEARCH", criteria)
        uids = (data[0] or b"").split() if status == "OK" and data else []
        if len(uids) > MAX_MESSAGES:
            reading.problems.append(
                (box.mailbox, f"{len(uids)} messages match; the latest {MAX_MESSAGES} were read: give --since a "
                 "later date for the rest", False)
            )  # fmt: skip
            uids = uids[-MAX_MESSAGES:]
        for uid, size in _sizes(client, uids, command):
            source = f"{box.mailbox} message {uid.decode()}"
            if size > MESSAGE_CAP:
                reading.problems.append((source, f"{size:,} bytes, too large to be a reply: not read", False))
                continue
            with command():
                status, parts = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            body = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1), None)
            if status == "OK" and isinstance(body, bytes):
                from_message(reading, source, body, False, None)
        with command(5):
            client.logout()
    except NetworkLimit as exc:
        raise UserError(f"{exc.said}; nothing was recorded: try again later, or ask IT to check it") from exc
    except ssl.SSLCertVerificationError as exc:
        raise UserError(
            f"{where} gave a certificate that cannot be trusted ({exc.verify_message}); give the hub's "
            "certificate authority with --cafile"
        ) from exc
    except imaplib.IMAP4.error as exc:
        text = str(exc).lower()
        if "auth" in text or "login" in text or "credentials" in text or "password" in text:
            raise UserError(f"{where} refused the user name or password for {box.user}") from exc
        raise UserError(f"{where} did not answer as an IMAP server should ({str(exc)[:120]})") from exc
    except (OSError, ssl.SSLError) as exc:
        raise UserError(
            f"cannot reach {where} ({why(exc)}); is it the mailbox's server, and is the security right for "
            "its port (tls 993, starttls 143)?"
        ) from exc
    finally:
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown()
    return reading


def _sizes(client: imaplib.IMAP4, uids: list[bytes], command: Callable[[], Exchange]) -> list[tuple[bytes, int]]:
    """Each message's size, asked before anything is fetched (a hundred at a time)."""
    out: list[tuple[bytes, int]] = []
    for i in range(0, len(uids), 100):
        batch = b",".join(uids[i : i + 100]).decode()
        with command():
            _status, data = client.uid("FETCH", batch, "(RFC822.SIZE)")
        for line in data or []:
            text = line[0] if isinstance(line, tuple) else line
            match = SIZE.search(text or b"")
            if match:
                uid = match.group(1) or match.group(4)
                size = match.group(2) or match.group(3)
                out.append((uid, int(size)))
    return out


def _quoted(name: str) -> str:
    """A mailbox name as IMAP wants it: quoted, its quotes and backslashes escaped."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
