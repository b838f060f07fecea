"""Real servers on 127.0.0.1 for the tests that talk to one: CalDAV (Radicale, in a process of its own)
and SMTP (aiosmtpd, in a thread). A plugin of tests/conftest.py, since the calendars, the UI and the
product's life cycle all need them; the IMAP server, which only the calendars' tests need, is
tests/calendars/imap_server.py."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# -- a real CalDAV server (Radicale) on 127.0.0.1, for publishing from the CLI and the UI -------------

USER, PASSWORD = "coordinator", "correct horse"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Radicale as usual but without fsync after each write (its own private option cannot be set from its
# command line): what is tested is the conversation with a CalDAV server, not the test server's
# durability, and the fsyncs were a third of the publishing tests' time.
FAST_RADICALE = (
    "import os, sys; os.fsync = lambda fd: None; sys.argv[0] = 'radicale'; from radicale.__main__ import run; run()"
)


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """The server's URL; it takes USER with PASSWORD and keeps its calendars under tmp_path."""
    users = tmp_path / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            FAST_RADICALE,
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Radicale did not start")
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- a real SMTP server (aiosmtpd) on 127.0.0.1, for sending invites by e-mail ------------------------


@dataclass
class Mailbox:
    """What the SMTP server received, and the recipients it is told to refuse."""

    host: str
    port: int
    messages: list = None  # type: ignore[assignment]
    refuse: set = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.messages, self.refuse = [], set()

    def take(self) -> list:
        """The messages received since the last take, parsed by the standard ``email`` package."""
        out, self.messages[:] = list(self.messages), []
        return out


class SmtpHandler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.box.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.box.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A plain SMTP server (no TLS, no login) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(SmtpHandler(box), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
