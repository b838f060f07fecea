"""Fixes in the invite life cycle: answers reset by a new SEQUENCE, replies checked, busy calendars kept to
an allow-list, UIDs and file names never built from a request id."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from rotas.busy import sanitise
from scheduler.calendars.export import export
from scheduler.calendars.replies import read_replies
from scheduler.services import partnership as services
from scheduler.services import scheduling
from scheduler.store.database import Store
from tests.calendars.test_export import reply_file
from tests.conftest import NOW, write_folder


@pytest.fixture
def db(solved_copy: Path, tmp_path: Path) -> Path:
    """The solved example, its invites sent (written to a folder) once."""
    export(solved_copy, None, tmp_path / "first", now=NOW)
    return solved_copy


def version(db: Path, rid: str) -> dict:
    with Store.open(db) as store:
        return store.versions(store.partnership().id)[rid]


def answers(db: Path, rid: str) -> dict[str, str]:
    doc = scheduling.stored_schedule(db, None)
    meeting = next(m for m in doc["meetings"] if m["request"] == rid)
    return {a["person"]: a["reply"] for a in meeting["attendees"]}


def email_of(db: Path, person: str) -> str:
    return next(x.email for x in services.open_partnership(db).people if x.id == person)


def test_an_answer_to_the_old_time_no_longer_shows_after_a_move(db: Path, tmp_path: Path) -> None:
    rid, person = "jv-10482", "sw-adeyemi"  # invited by name: comes whenever the meeting is
    accept = reply_file(tmp_path / "yes.ics", version(db, rid)["uid"], email_of(db, person), "ACCEPTED", seq=0)
    read_replies(db, None, [accept], now=NOW)
    assert answers(db, rid)[person] == "accepted"
    scheduling.move(db, None, rid, alternative=1, now=NOW)
    export(db, None, tmp_path / "out", now=NOW)  # SEQUENCE 1 asks everyone again (PARTSTAT=NEEDS-ACTION)
    assert version(db, rid)["sequence"] == 1
    assert answers(db, rid)[person] == "no answer yet"
    again = reply_file(tmp_path / "again.ics", version(db, rid)["uid"], email_of(db, person), "DECLINED", seq=1)
    read_replies(db, None, [again], now=NOW)
    assert answers(db, rid)[person] == "declined"


def problems_with(db: Path, path: Path) -> str:
    """Why the one answer in ``path`` was refused (each answer is judged on its own: nothing is raised)."""
    report = read_replies(db, None, [path], now=NOW)
    (outcome,) = report.outcomes
    assert outcome.outcome == "refused", outcome
    return outcome.note


def test_replies_that_cannot_be_answers_are_refused_with_their_reason(db: Path, tmp_path: Path) -> None:
    rid = "jv-10482"
    uid = version(db, rid)["uid"]
    invited = "sw-adeyemi"
    outsider = next(x for x in services.open_partnership(db).people if x.id not in answers(db, rid))
    assert "was not invited" in problems_with(db, reply_file(tmp_path / "a.ics", uid, outsider.email, "ACCEPTED"))
    bad_seq = reply_file(tmp_path / "b.ics", uid, email_of(db, invited), "ACCEPTED")
    bad_seq.write_bytes(bad_seq.read_bytes().replace(b"SEQUENCE:0", b"SEQUENCE:abc"))
    assert "SEQUENCE 'abc' is not a whole number" in problems_with(db, bad_seq)
    ahead = reply_file(tmp_path / "c.ics", uid, email_of(db, invited), "ACCEPTED", seq=7)
    assert "latest sent is version 0" in problems_with(db, ahead)
    no_event = tmp_path / "d.ics"
    no_event.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n")
    assert "holds no VEVENT" in problems_with(db, no_event)
    nobody = reply_file(tmp_path / "e.ics", uid, email_of(db, invited), "ACCEPTED")
    cal = icalendar.Calendar.from_ical(nobody.read_bytes())
    del cal.walk("VEVENT")[0]["ATTENDEE"]
    nobody.write_bytes(cal.to_ical())
    assert "names no ATTENDEE" in problems_with(db, nobody)
    binary = tmp_path / "f.ics"
    binary.write_bytes(bytes(range(256)) * 4)
    words = problems_with(db, binary)
    assert "not a text file" in words and "\x00" not in words and "\\x" not in words
    huge = tmp_path / "g.ics"
    with huge.open("wb") as f:
        f.truncate(60_000_000)
    assert "too large to be a reply" in problems_with(db, huge)
    with Store.open(db) as store:
        assert store.replies(store.partnership().id) == {}  # nothing recorded from any of them
    scheduling.cancel(db, None, rid, now=NOW)
    export(db, None, tmp_path / "out", now=NOW)
    late = reply_file(tmp_path / "h.ics", uid, email_of(db, invited), "ACCEPTED", seq=1)
    assert "since cancelled" in problems_with(db, late)


def test_the_replies_command_exits_2_on_a_bad_sequence(db: Path, tmp_path: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("QUORUM_DB", str(db))
    bad = reply_file(tmp_path / "b.ics", version(db, "jv-10482")["uid"], "x@example.org", "ACCEPTED")
    bad.write_bytes(bad.read_bytes().replace(b"SEQUENCE:0", b"SEQUENCE:abc"))
    result = run("replies", bad)
    assert result.code == 2 and "Traceback" not in result.err


BUSY_WITH_EXTRAS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0//EN
X-WR-CALNAME:Smith family visits
BEGIN:VEVENT
UID:a@example.org
DTSTAMP:20260301T000000Z
DTSTART:20260302T100000Z
DTEND:20260302T110000Z
SUMMARY:Visit
X-ALT-DESC;FMTTYPE=text/html:<p>Visit the Smith family at 12 Acacia Road</p>
X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-TITLE="Acacia Road Primary":geo:53.8,-1.5
X-SOMETHING-NEW:Smith again
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Smith
TRIGGER:-PT15M
END:VALARM
END:VEVENT
BEGIN:VTODO
UID:t@example.org
SUMMARY:Ring the Smiths
END:VTODO
END:VCALENDAR
"""


def test_a_busy_calendar_keeps_only_what_busy_time_needs() -> None:
    kept = sanitise(BUSY_WITH_EXTRAS)
    assert "Smith" not in kept and "Acacia" not in kept and "VALARM" not in kept and "VTODO" not in kept
    (event,) = icalendar.Calendar.from_ical(kept).walk("VEVENT")
    assert event["DTSTART"].dt == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_uids_and_file_names_carry_no_request_id(tmp_path: Path) -> None:
    requests = """
        [[requests]]
        id = "jv-smith-family"
        kind = "joint-visit"
        case = "CP-10999"
        earliest = 2026-03-02
        latest = 2026-03-06
        invite = [{ person = "worker" }]
    """
    folder = write_folder(tmp_path / "p", {"requests.toml": requests})
    db = tmp_path / "q.db"
    services.load(db, folder, NOW)
    scheduling.solve(db, None, scheduling.SolveRequest(time_limit_s=5), now=NOW)
    export(db, None, tmp_path / "out", now=NOW)
    files = list((tmp_path / "out").rglob("*"))
    assert files and not any("smith" in str(p).lower() for p in files)
    for path in (tmp_path / "out").rglob("*.ics"):
        assert "smith" not in path.read_text().lower()
    (invite,) = (tmp_path / "out" / "invites").glob("*.ics")
    assert invite.name.startswith("joint-visit-cp-10999-")


def test_a_reply_with_a_sequence_of_23_digits_is_refused(db: Path, tmp_path: Path, run, monkeypatch) -> None:
    """Once "Python int too large to convert to SQLite INTEGER" (exit 1); now a reason, exit 2."""
    monkeypatch.setenv("QUORUM_DB", str(db))
    path = reply_file(tmp_path / "big.ics", version(db, "jv-10482")["uid"], email_of(db, "sw-adeyemi"), "ACCEPTED")
    path.write_bytes(path.read_bytes().replace(b"SEQUENCE:0", b"SEQUENCE:" + b"9" * 23))
    result = run("replies", path)
    assert result.code == 2 and "latest sent is version 0" in result.err and "Internal error" not in result.err
