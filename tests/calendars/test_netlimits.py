"""Nothing hangs: a mail relay and a CalDAV server that trickle bytes, answer with 512 MB, invalid XML or
an entity bomb, or send Quorum to another host, all end in exit 2 with what to do, in bounded time, with
nothing half-recorded. The misbehaving servers run in-process on 127.0.0.1; the well-behaved are the
real Radicale and aiosmtpd."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import caldav
import pytest

from scheduler.calendars import netlimits
from scheduler.calendars.mail import Relay, send
from scheduler.calendars.publish import publish
from scheduler.errors import UserError
from scheduler.services import scheduling
from scheduler.store.database import Store
from tests.conftest import NOW
from tests.servers import PASSWORD, USER

BOUND_S = 45  # far above the deadlines set here, far below what a trickle would take


class RawServer:
    """A TCP server on 127.0.0.1 whose every connection is given to ``talk(connection)`` in a thread."""

    def __init__(self, talk: Callable[[socket.socket], None]) -> None:
        self.talk = talk
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            self.talk(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self) -> RawServer:
        threading.Thread(target=self.serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.sock.close()


def trickle(conn: socket.socket, data: bytes, every: float = 0.2, stop: threading.Event | None = None) -> None:
    for byte in data:
        if stop is not None and stop.is_set():
            return
        conn.sendall(bytes([byte]))
        time.sleep(every)


def deliveries(db: Path) -> list:
    with Store.open(db) as store:
        return store.deliveries(store.partnership().id)


# -- SMTP -----------------------------------------------------------------------------------------------


def test_a_relay_that_trickles_its_greeting_is_given_up_on_in_time(solved_copy: Path) -> None:
    with RawServer(lambda c: trickle(c, b"220 relay.example.org ESMTP ready\r\n" * 20)) as server:
        started = time.monotonic()
        with pytest.raises(UserError, match="did not finish within 2 s") as caught:
            send(solved_copy, None, Relay("127.0.0.1", server.port, "none", deadline=2), now=NOW)
        assert time.monotonic() - started < BOUND_S  # 140 s of greeting at this pace
        assert "nothing was sent" in caught.value.message
    assert deliveries(solved_copy) == []


def smtp_conversation(conn: socket.socket, after_data: Callable[[socket.socket], None]) -> None:
    """A relay that talks normally until the first message's data, then does ``after_data``."""
    f = conn.makefile("rb")
    conn.sendall(b"220 relay.example.org ESMTP\r\n")
    while True:
        line = f.readline()
        if not line:
            return
        word = line[:4].upper()
        if word in (b"EHLO", b"HELO"):
            conn.sendall(b"250-relay.example.org\r\n250 8BITMIME\r\n")
        elif word in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            conn.sendall(b"250 OK\r\n")
        elif word == b"DATA":
            conn.sendall(b"354 go ahead\r\n")
            while f.readline() not in (b".\r\n", b""):
                pass
            after_data(conn)
        elif word == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return


def test_a_relay_that_trickles_its_answer_to_a_message_stops_the_send_in_time(solved_copy: Path, run) -> None:
    with RawServer(lambda c: smtp_conversation(c, lambda c: trickle(c, b"250 queued as 1234567890\r\n" * 20))) as s:
        started = time.monotonic()
        report = send(solved_copy, None, Relay("127.0.0.1", s.port, "none", deadline=2), now=NOW)
        assert time.monotonic() - started < BOUND_S
    ((_who, why),) = report.refused
    assert "did not finish within 2 s" in why and report.sent == [] and len(report.unsent) == len(report.planned) - 1
    assert deliveries(solved_copy) == []  # not recorded: it goes again next time


def test_a_relay_that_answers_without_end_is_cut_off_at_the_cap(solved_copy: Path) -> None:
    def endless(conn: socket.socket) -> None:
        conn.sendall(b"220 relay ESMTP\r\n")
        conn.recv(1000)  # EHLO
        line = b"250-" + b"x" * 500 + b"\r\n"
        for _ in range(20_000):  # 10 MB of an answer that never ends
            conn.sendall(line)

    with RawServer(endless) as server, pytest.raises(UserError, match="more than 1,000,000 bytes"):
        send(solved_copy, None, Relay("127.0.0.1", server.port, "none", deadline=30), now=NOW)


# -- CalDAV ---------------------------------------------------------------------------------------------


def http_server(answer: Callable[[socket.socket, bytes], None]) -> RawServer:
    """A server reading one HTTP request per connection and answering it with ``answer(conn, request)``."""

    def talk(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(x.split(b":")[1]) for x in head.split(b"\r\n") if x.lower().startswith(b"content-length")), 0
        )
        while len(body) < length:
            body += conn.recv(65536)
        answer(conn, head)

    return RawServer(talk)


def xml_answer(body: bytes, status: str = "207 Multi-Status") -> Callable[[socket.socket, bytes], None]:
    def answer(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(
            f"HTTP/1.1 {status}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )

    return answer


PRINCIPAL_ELSEWHERE = b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href><d:propstat><d:prop>
<d:current-user-principal><d:href>http://calendar-elsewhere.example.net:8443/principals/hub/</d:href>
</d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"""

ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<d:multistatus xmlns:d="DAV:"><d:response><d:href>&lol3;</d:href></d:response></d:multistatus>"""


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netlimits, "EXCHANGE_S", 2.0)


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (xml_answer(b"<d:multistatus xmlns:d='DAV:'><d:response><d:href>/</d:hr"), "not valid"),
        (xml_answer(ENTITY_BOMB), "declares entities"),
        (xml_answer(PRINCIPAL_ELSEWHERE), "sent Quorum to http://calendar-elsewhere.example.net:8443"),
    ],
    ids=["invalid-xml", "entity-bomb", "principal-elsewhere"],
)
def test_a_caldav_server_answering_badly_is_exit_2_with_what_to_do(
    solved_copy: Path, run, monkeypatch, answer, says: str
) -> None:
    monkeypatch.setenv("QUORUM_DB", str(solved_copy))
    monkeypatch.setenv("QUORUM_TEST_PASSWORD", PASSWORD)
    with http_server(answer) as server:
        url = f"http://127.0.0.1:{server.port}/"
        result = run("publish", "--url", url, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD")
    assert result.code == 2, result.err
    assert says in result.err and "Internal error" not in result.err and "Traceback" not in result.err
    assert deliveries(solved_copy) == []


def test_a_caldav_server_that_trickles_or_sends_512_mb_is_cut_off(solved_copy: Path, short_deadline) -> None:
    stop = threading.Event()

    def slow(conn: socket.socket, _head: bytes) -> None:
        trickle(conn, b"HTTP/1.1 207 Multi-Status\r\nContent-Type: text/xml\r\nX-Padding: " + b"a" * 600, stop=stop)

    with http_server(slow) as server:
        started = time.monotonic()
        with pytest.raises(UserError, match="did not finish within 2 s"):
            publish(solved_copy, None, f"http://127.0.0.1:{server.port}/", USER, PASSWORD, now=NOW)
        assert time.monotonic() - started < BOUND_S
        stop.set()

    def huge(conn: socket.socket, _head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Type: text/xml\r\nContent-Length: 536870912\r\n\r\n")
        block = b"<" + b"x" * 65535
        for _ in range(8192):
            conn.sendall(block)

    with http_server(huge) as server, pytest.raises(UserError, match="more than 20,000,000 bytes"):
        publish(solved_copy, None, f"http://127.0.0.1:{server.port}/", USER, PASSWORD, now=NOW)
    assert deliveries(solved_copy) == []


def test_a_resource_deleted_on_the_server_is_reported_as_deleted(solved_copy: Path, radicale: str, run, monkeypatch):
    publish(solved_copy, None, radicale, USER, PASSWORD, now=NOW)
    with Store.open(solved_copy) as store:
        uid = store.versions(store.partnership().id)["jv-10482"]["uid"]
    principal = caldav.DAVClient(url=radicale, username=USER, password=PASSWORD).principal()
    team = next(c for c in principal.calendars() if str(c.url).rstrip("/").endswith("team-sw-east"))
    next(e for e in team.events() if str(e.icalendar_component["UID"]) == uid).delete()
    scheduling.move(solved_copy, None, "jv-10482", alternative=1, now=NOW)
    report = publish(solved_copy, None, radicale, USER, PASSWORD, now=NOW)
    assert [x.split(":")[0] for x in report.deleted] == ["team-sw-east"] and report.conflicts == []
    monkeypatch.setenv("QUORUM_DB", str(solved_copy))
    monkeypatch.setenv("QUORUM_TEST_PASSWORD", PASSWORD)
    result = run("publish", "--url", radicale, "--user", USER, "--password-env", "QUORUM_TEST_PASSWORD")
    assert result.code == 2 and "deleted on the server" in result.err and "deleted: team-sw-east" in result.err
