"""A small IMAP server for tests, over TLS with a self-signed certificate, on 127.0.0.1 in a thread.

It speaks what ``imaplib`` says when Quorum reads replies (CAPABILITY, LOGIN, EXAMINE/SELECT, UID SEARCH
UNSEEN/SINCE/ALL, UID FETCH of RFC822.SIZE and BODY.PEEK[] or BODY[], LOGOUT), keeps each message's
\\Seen flag as a real server would (a BODY[] fetch in a mailbox opened with SELECT sets it), and logs
every command, so a test can check that nothing was marked, stored, moved or expunged. Two misbehaving
modes stand in for a hostile server: ``trickle`` sends its greeting one byte every ``trickle`` seconds,
and ``huge`` announces a message of 512 MB and starts sending it.
"""

from __future__ import annotations

import re
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path

ATOM = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class Message:
    data: bytes
    seen: bool = False

    @property
    def day(self) -> date:
        head = self.data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        found = re.search(r"^Date: (.+)$", head, re.MULTILINE)
        return parsedate_to_datetime(found.group(1).strip()).date() if found else date(1970, 1, 1)


@dataclass
class ImapState:
    user: str = "hub"
    password: str = "mailbox password"
    mailbox: str = "INBOX"
    messages: list[Message] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    trickle: float = 0.0
    huge: bool = False


def certificate(folder: Path) -> tuple[Path, Path] | None:
    key, cert = folder / "imap-key.pem", folder / "imap-cert.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
    )  # fmt: skip
    return (key, cert) if made.returncode == 0 else None


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def say(self, line: str | bytes) -> None:
        self.wfile.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")

    def handle(self) -> None:
        state = self.server.state
        try:
            if state.trickle:
                for byte in b"* OK IMAP4rev1 ready\r\n" * 50:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(state.trickle)
                return
            self.say("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Test IMAP ready")
            selected, writable = False, False
            while True:
                line = self.rfile.readline(100_000)
                if not line:
                    return
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                state.log.append(text)
                tag, _, rest = text.partition(" ")
                words = [a or b for a, b in ATOM.findall(rest)]
                command = words[0].upper() if words else ""
                if command == "CAPABILITY":
                    self.say("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                    self.say(f"{tag} OK CAPABILITY completed")
                elif command == "LOGIN":
                    if words[1:3] == [state.user, state.password]:
                        self.say(f"{tag} OK LOGIN completed")
                    else:
                        self.say(f"{tag} NO [AUTHENTICATIONFAILED] Authentication failed")
                elif command in ("SELECT", "EXAMINE"):
                    if words[1] != state.mailbox:
                        self.say(f"{tag} NO Mailbox does not exist")
                        continue
                    selected, writable = True, command == "SELECT"
                    self.say(f"* {len(state.messages)} EXISTS")
                    self.say("* 0 RECENT")
                    self.say("* OK [UIDVALIDITY 1] UIDs valid")
                    self.say(f"{tag} OK [{'READ-WRITE' if writable else 'READ-ONLY'}] {command} completed")
                elif command == "UID" and selected and len(words) > 1 and words[1].upper() == "SEARCH":
                    self.search(tag, words[2:])
                elif command == "UID" and selected and len(words) > 3 and words[1].upper() == "FETCH":
                    self.fetch(tag, words[2], " ".join(words[3:]).upper(), writable)
                elif command == "LOGOUT":
                    self.say("* BYE Logging out")
                    self.say(f"{tag} OK LOGOUT completed")
                    return
                elif command == "NOOP":
                    self.say(f"{tag} OK NOOP completed")
                else:
                    self.say(f"{tag} BAD Not supported here: {command}")
        except (OSError, ssl.SSLError):
            return

    def search(self, tag: str, criteria: list[str]) -> None:
        state = self.server.state
        uids = range(1, len(state.messages) + 1)
        key = criteria[0].upper() if criteria else "ALL"
        if key == "UNSEEN":
            uids = [u for u in uids if not state.messages[u - 1].seen]
        elif key == "SINCE":
            since = parsedate_to_datetime(f"Mon, {criteria[1].replace('-', ' ')} 00:00:00 +0000").date()
            uids = [u for u in uids if state.messages[u - 1].day >= since]
        self.say("* SEARCH " + " ".join(str(u) for u in uids))
        self.say(f"{tag} OK SEARCH completed")

    def fetch(self, tag: str, which: str, items: str, writable: bool) -> None:
        state = self.server.state
        for uid in (int(u) for u in which.split(",")):
            message = state.messages[uid - 1]
            if "RFC822.SIZE" in items:
                size = len(message.data)  # a hostile server may say one size and send another
                self.say(f"* {uid} FETCH (UID {uid} RFC822.SIZE {size})")
            elif "BODY" in items:
                if state.huge:
                    self.say(f"* {uid} FETCH (UID {uid} BODY[] {{{512 * 2**20}}}")
                    for _ in range(512):
                        self.wfile.write(b"x" * 2**20)
                    return
                if "PEEK" not in items and writable:
                    message.seen = True
                self.say(f"* {uid} FETCH (UID {uid} BODY[] {{{len(message.data)}}}")
                self.wfile.write(message.data)
                self.say(")")
        self.say(f"{tag} OK FETCH completed")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: ImapState, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state, self.context = state, context

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        return self.context.wrap_socket(sock, server_side=True), address


class ImapServer:
    """``with ImapServer(state, key, cert) as port:`` serves ``state`` on 127.0.0.1:port over TLS."""

    def __init__(self, state: ImapState, key: Path, cert: Path) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.server = _Server(state, context)

    def __enter__(self) -> int:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[1]

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
