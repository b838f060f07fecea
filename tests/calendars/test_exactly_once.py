"""Exactly once, at worst twice alike: an export that could not record what it wrote is finished by the next
with the same files and UIDs; a send cut between the relay's acceptance and its record (kill -9, or a
database held busy) says so, and the next send repeats that one message with the same UID, SEQUENCE and
Message-ID, nothing else."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import icalendar
import pytest

from scheduler.calendars.export import export
from scheduler.calendars.mail import Relay, send
from scheduler.errors import UserError
from scheduler.store import database
from scheduler.store.database import Store
from tests.conftest import NOW
from tests.servers import Mailbox, SmtpHandler, free_port


def uids_in(folder: Path) -> dict[str, str]:
    out = {}
    for path in (folder / "invites").glob("*.ics"):
        (event,) = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
        out[path.name] = str(event["UID"])
    return out


def test_an_export_that_cannot_record_is_finished_by_the_next_with_the_same_uids(
    solved_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args, **kwargs):  # the database turns read-only between the files and their record
        raise sqlite3.OperationalError("attempt to write a readonly database")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "record_deliveries", refuse)
        with pytest.raises(UserError) as caught:
            export(solved_copy, None, tmp_path / "out", now=NOW)
    assert "were written, but the database" in caught.value.message and "same UIDs" in caught.value.message
    first = uids_in(tmp_path / "out")
    assert len(first) == 22
    report = export(solved_copy, None, tmp_path / "out", now=NOW)
    assert len(report.new) == 22 and not report.removed  # told now, as nothing was recorded
    assert uids_in(tmp_path / "out") == first  # the files attendees imported keep their UIDs
    again = export(solved_copy, None, tmp_path / "out", now=NOW)
    assert len(again.unchanged) == 22


class _Killing(SmtpHandler):
    """Keeps each message; at the ``nth``, kills the sender before answering (it never hears 250)."""

    def __init__(self, box: Mailbox, nth: int) -> None:
        super().__init__(box)
        self.nth, self.pid = nth, 0

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.box.messages) == self.nth and self.pid:
            os.kill(self.pid, signal.SIGKILL)
        return answer


def received(box: Mailbox) -> Counter:
    out: Counter = Counter()
    for _sender, (rcpt,), msg in box.take():
        part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        (event,) = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
        out[(str(event["UID"]), int(event["SEQUENCE"]), rcpt, msg["Message-ID"])] += 1
    return out


def test_a_send_killed_between_acceptance_and_record_repeats_one_message_alike(solved_copy: Path) -> None:
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())
    handler = _Killing(box, nth=3)
    controller = Controller(handler, hostname=box.host, port=box.port)
    controller.start()
    try:
        env = {**os.environ, "QUORUM_DB": str(solved_copy)}
        command = [sys.executable, "-m", "scheduler", "send", "--smtp", f"{box.host}:{box.port}", "--security", "none"]
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        handler.pid = child.pid
        child.wait(timeout=120)
        assert child.returncode == -signal.SIGKILL
        first = received(box)
        assert sum(first.values()) == 3
        with Store.open(solved_copy) as store:
            intended = store.outbox(store.partnership().id)
        assert len(intended) == 1  # the message the relay took and the record never saw
        handler.pid = 0
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert "1 of them may have gone already" in again.stdout
        second = received(box)
    finally:
        controller.stop()
    both = first + second
    repeated = [key for key, n in both.items() if n > 1]
    assert len(repeated) == 1 and both[repeated[0]] == 2  # once again, with its UID, SEQUENCE, Message-ID
    assert all(n == 1 for key, n in both.items() if key != repeated[0])
    with Store.open(solved_copy) as store:
        assert store.outbox(store.partnership().id) == {}


class _Holding(SmtpHandler):
    """Takes the database's write lock when the first message arrives, as another coordinator might."""

    def __init__(self, box: Mailbox, db: Path) -> None:
        super().__init__(box)
        self.db, self.conn = db, None
        self.held = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.conn is None:
            self.conn = sqlite3.connect(self.db, isolation_level=None, check_same_thread=False)
            self.conn.execute("BEGIN IMMEDIATE")
            self.held.set()
        return answer


def test_a_database_held_busy_after_the_relay_accepted_says_so_and_the_next_send_repeats_it_alike(
    solved_copy: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller

    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 1)  # the wait for the lock, shortened from 15 s
    box = Mailbox("127.0.0.1", free_port())
    handler = _Holding(box, solved_copy)
    controller = Controller(handler, hostname=box.host, port=box.port)
    controller.start()
    monkeypatch.setenv("QUORUM_DB", str(solved_copy))
    relay = ["send", "--smtp", f"{box.host}:{box.port}", "--security", "none"]
    try:
        result = run(*relay)
        assert result.code == 2
        assert "the relay accepted 1 message(s), but the database could not record them" in result.err
        assert "is busy" in result.err and "nothing was changed" not in result.err.split(";")[0]
        assert "same UID, SEQUENCE and Message-ID" in result.err
        first = received(box)
        assert handler.held.is_set() and handler.conn is not None
        handler.conn.execute("ROLLBACK")
        handler.conn.close()
        result = run(*relay)
        assert result.code == 0, result.err
        second = received(box)
    finally:
        controller.stop()
    ((key, n),) = first.items()
    assert n == 1 and second[key] == 1  # the same message again, alike; and everything else once
    assert all(n == 1 for n in second.values())
    assert len(send(solved_copy, None, Relay(box.host, box.port, "none"), dry_run=True).planned) == 0
