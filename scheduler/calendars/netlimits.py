"""A deadline for the whole of each network exchange and a cap on what it may read: SMTP, IMAP and CalDAV.

A socket timeout is per read: a server that sends one byte every few seconds never trips it, so a relay
or a CalDAV server that trickles would hold ``send`` or ``publish`` for ever. Here each exchange (opening
a session, one message, one HTTP request, one IMAP command) runs under a timer that, when its deadline
passes, shuts the connection from another thread: the read blocked on it ends at once, and the caller
raises ``DeadlinePassed``. What a server sends is counted as it is read, and past the cap the exchange
ends with ``TooLarge`` instead of reading a 512 MB answer whole.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

EXCHANGE_S = 60.0  # an exchange (a message handed over, an HTTP request, an IMAP command) ends by then
READ_S = 30.0  # and no single read waits longer than this
REPLY_CAP = 1_000_000  # bytes a mail relay may answer in a whole session (its answers are a few lines)
HTTP_CAP = 20_000_000  # bytes one CalDAV answer may hold (a calendar list or a resource: kilobytes)
MESSAGE_CAP = 10_000_000  # bytes one e-mail read from a mailbox may hold (a reply is a few kilobytes)


class NetworkLimit(Exception):
    """An exchange went past its deadline or its cap; ``what`` names the exchange in words."""

    def __init__(self, what: str, said: str) -> None:
        super().__init__(said)
        self.what = what
        self.said = said


class DeadlinePassed(NetworkLimit):
    def __init__(self, what: str, seconds: float) -> None:
        super().__init__(
            what, f"{what} did not finish within {seconds:g} s (the server answers too slowly or not at all)"
        )
        self.seconds = seconds


class TooLarge(NetworkLimit):
    def __init__(self, what: str, cap: int) -> None:
        super().__init__(what, f"{what} sent more than {cap:,} bytes, far more than it should")
        self.cap = cap


class Exchange:
    """``with Exchange(what, seconds, abort):`` runs its body under a deadline; ``abort`` (called from a
    timer thread when it passes) closes the connection, and the exception that follows becomes
    ``DeadlinePassed``."""

    def __init__(self, what: str, seconds: float, abort: Callable[[], None]) -> None:
        self.what, self.seconds, self.abort = what, seconds, abort
        self.expired = False
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        self.expired = True
        with contextlib.suppress(Exception):  # the connection may be closing already: the deadline is what matters
            self.abort()

    def __enter__(self) -> Exchange:
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        assert self._timer is not None
        self._timer.cancel()
        if self.expired and (exc is None or not isinstance(exc, NetworkLimit)):
            raise DeadlinePassed(self.what, self.seconds) from exc


def shut(sock: socket.socket | None) -> None:
    """End a connection another thread is reading from: its read returns or fails at once (the thread that
    owns it closes it; closing it from here could hand its number to another file meanwhile)."""
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class Counted:
    """A binary file read through, counting what it gives: past ``cap`` bytes in all it raises TooLarge."""

    def __init__(self, raw: Any, cap: int, what: str) -> None:
        self.raw, self.cap, self.what = raw, cap, what
        self.count = 0

    def _took(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > self.cap:
            raise TooLarge(self.what, self.cap)
        return data

    def readline(self, limit: int = -1) -> bytes:
        room = self.cap - self.count + 1
        return self._took(self.raw.readline(room if limit is None or limit < 0 else min(limit, room)))

    def read(self, size: int = -1) -> bytes:
        room = self.cap - self.count + 1
        return self._took(self.raw.read(room if size is None or size < 0 else min(size, room)))

    def close(self) -> None:
        self.raw.close()
