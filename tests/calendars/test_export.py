"""Calendar export: standards, clock changes, SEQUENCE life cycle, privacy, hostile text."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import vobject

from scheduler.calendars import ical
from scheduler.calendars.export import export
from scheduler.errors import UserError
from scheduler.services import partnership as services
from scheduler.services import scheduling
from tests.conftest import BASE_FILES, EXAMPLE, NOW, write_folder


def parse_both(path: Path) -> icalendar.Calendar:
    data = path.read_bytes()
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n")), f"{path} not CRLF/folded"
    vobject.readOne(data.decode("utf-8")).validate()
    return icalendar.Calendar.from_ical(data)


def events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return [c for c in cal.walk("VEVENT")]


def entry(db: Path, rid: str) -> dict:
    """The stored version of a meeting (its UID, SEQUENCE and file name)."""
    from scheduler.store.database import Store

    with Store.open(db) as store:
        return store.versions(store.partnership().id)[rid]


def invite_path(db: Path, out: Path, rid: str, folder: str = "invites") -> Path:
    return out / folder / f"{entry(db, rid)['event']['name']}.ics"


@pytest.fixture
def solved_example(solved_copy: Path) -> Path:
    return solved_copy


def test_example_export_parses_and_follows_itip(solved_example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export(solved_example, None, out, now=NOW)
    assert len(report.new) == 22 and not report.updated and not report.cancelled
    invites = sorted((out / "invites").glob("*.ics"))
    teams = sorted((out / "teams").glob("*.ics"))
    assert len(invites) == 22 and len(teams) == 13 + 5
    for path in invites:
        cal = parse_both(path)
        assert cal["METHOD"] == "REQUEST"
        (ev,) = events(cal)
        assert ev.get("ORGANIZER") and ev.get("ATTENDEE")
        assert next(c.name for c in cal.subcomponents) == "VTIMEZONE"
        assert ev["DTSTART"].params["TZID"] == "Europe/London"
        for attendee in ev.get("ATTENDEE") if isinstance(ev.get("ATTENDEE"), list) else [ev.get("ATTENDEE")]:
            assert attendee.params["CUTYPE"] == "INDIVIDUAL" and attendee.params["RSVP"] == "TRUE"
            assert attendee.params["ROLE"] in {"REQ-PARTICIPANT", "OPT-PARTICIPANT"}
            assert str(attendee).startswith("mailto:")
    for path in teams:
        cal = parse_both(path)
        assert cal["METHOD"] == "PUBLISH"
        for ev in events(cal):  # RFC 5546 3.2.1: PUBLISH has its ORGANIZER, and no ATTENDEE
            assert "ATTENDEE" not in ev and str(ev["ORGANIZER"]) == "mailto:hub.coordinator@example.org"


def test_reexport_without_changes_writes_identical_files(solved_example: Path, tmp_path: Path) -> None:
    export(solved_example, None, tmp_path / "a", now=NOW)
    before = {p: p.read_bytes() for p in (tmp_path / "a").rglob("*.ics")}
    report = export(solved_example, None, tmp_path / "a", now=datetime(2026, 3, 2, tzinfo=UTC))
    assert len(report.unchanged) == 22 and not report.new and not report.updated and not report.removed
    assert {p: p.read_bytes() for p in (tmp_path / "a").rglob("*.ics")} == before
    # Another folder is told everything as new, with the same UIDs, SEQUENCEs and DTSTAMPs: the same bytes.
    report = export(solved_example, None, tmp_path / "b", now=datetime(2026, 3, 3, tzinfo=UTC))
    assert len(report.new) == 22
    for path in before:
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


def sequence(path: Path) -> int:
    return int(events(icalendar.Calendar.from_ical(path.read_bytes()))[0]["SEQUENCE"])


def test_sequence_life_cycle_move_lock_cancel(solved_example: Path, tmp_path: Path) -> None:
    scheduling.solve(solved_example, None, scheduling.SolveRequest(strategy="greedy", alternatives=1), now=NOW)
    export(solved_example, None, tmp_path / "1", now=NOW)
    first = icalendar.Calendar.from_ical(invite_path(solved_example, tmp_path / "1", "jv-10482").read_bytes())
    uid = str(events(first)[0]["UID"])
    # Sent meetings stay put when solving again; the coordinator moves one to a stored alternative.
    again = scheduling.solve(solved_example, None, scheduling.SolveRequest(strategy="greedy"), now=NOW)
    assert next(m for m in again["meetings"] if m["request"] == "jv-10482")["locked"] is True
    scheduling.move(solved_example, None, "jv-10482", alternative=1, now=NOW)
    report = export(solved_example, None, tmp_path / "1", now=NOW)
    assert report.updated == ["jv-10482"]
    moved = invite_path(solved_example, tmp_path / "1", "jv-10482")
    assert sequence(moved) == 1 and str(events(icalendar.Calendar.from_ical(moved.read_bytes()))[0]["UID"]) == uid
    scheduling.lock(solved_example, None, "jv-10482", False)
    scheduling.lock(solved_example, None, "jv-10482", True)
    report = export(solved_example, None, tmp_path / "1", now=NOW)
    assert "jv-10482" in report.unchanged and sequence(moved) == 1
    scheduling.cancel(solved_example, None, "jv-10482", now=NOW)
    report = export(solved_example, None, tmp_path / "1", now=NOW)
    assert report.cancelled == ["jv-10482"] and moved in report.removed and not moved.exists()
    cancel = parse_both(invite_path(solved_example, tmp_path / "1", "jv-10482", "cancellations"))
    (ev,) = events(cancel)
    assert cancel["METHOD"] == "CANCEL" and str(ev["UID"]) == uid and int(ev["SEQUENCE"]) == 2
    assert ev["STATUS"] == "CANCELLED"
    # The team calendar shows it cancelled; a later export does not cancel it again.
    team = icalendar.Calendar.from_ical((tmp_path / "1" / "teams" / "team-sw-east.ics").read_bytes())
    assert any(str(e["UID"]) == uid and e["STATUS"] == "CANCELLED" for e in events(team))
    report = export(solved_example, None, tmp_path / "1", now=NOW)
    assert (
        report.cancelled == []
        and sequence(invite_path(solved_example, tmp_path / "1", "jv-10482", "cancellations")) == 2
    )
    # A folder that never had the meeting is not told of its cancellation.
    report = export(solved_example, None, tmp_path / "5", now=NOW)
    assert report.cancelled == [] and not (tmp_path / "5" / "cancellations").exists()


SMALL = BASE_FILES["partnership.toml"].replace(
    'bank_holidays = "GB-ENG"', 'bank_holidays = "GB-ENG"\n[settings]\ncase_reference_pattern = "(?s).+"'
)


def small_solved(tmp_path: Path, requests: str, people: str | None = None) -> Path:
    files = {"partnership.toml": SMALL, "requests.toml": requests}
    if people:
        files["people.toml"] = people
    folder = write_folder(tmp_path / "p", files)
    db = tmp_path / "q.db"
    services.load(db, folder, NOW)
    scheduling.solve(db, None, scheduling.SolveRequest(strategy="greedy"), now=NOW)
    return db


def test_meetings_after_both_clock_changes_are_local_nine(tmp_path: Path) -> None:
    requests = """
        [[requests]]
        id = "spring"
        kind = "custom"
        case = "CP-101"
        earliest = 2026-03-30
        latest = 2026-03-30
        fixed = 2026-03-30T09:00:00
        invite = [{ person = "worker" }]

        [[requests]]
        id = "autumn"
        kind = "custom"
        case = "CP-102"
        earliest = 2026-10-26
        latest = 2026-10-26
        fixed = 2026-10-26T09:00:00
        invite = [{ person = "worker" }]
    """
    db = small_solved(tmp_path, requests)
    export(db, None, tmp_path / "out", now=NOW)
    for name, utc_hour in (("spring", 8), ("autumn", 9)):
        path = invite_path(db, tmp_path / "out", name)
        assert b"DTSTART;TZID=Europe/London:202" in path.read_bytes()
        (ev,) = events(parse_both(path))
        start = ev["DTSTART"].dt
        assert (start.hour, start.minute) == (9, 0)
        assert start.astimezone(UTC).hour == utc_hour


def test_ambiguous_wall_time_is_written_in_utc() -> None:
    tz = ical.ZoneInfo("Europe/London")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, the first of two 01:30s
    shift = ical.Shift("u@example.org", "Late", first, datetime(2026, 10, 25, 5, tzinfo=UTC))
    data = ical.rota("x", [shift], tz, NOW, ical.Person("Co Ordinator", "coordinator@example.org"))
    assert b"DTSTART:20261025T003000Z" in data
    assert b"DTEND;TZID=Europe/London:20261025T050000" in data


HOSTILE_CASE = "CP;1,2\\3\nnew line é"
HOSTILE = 'Zoë "Q" O\'Brien; Smith, Jr.\\n\nline two \u202e \u00e9\u00e8 ' + "x" * 10_000
PRINTABLE_CASE = "CP;1,2\\3 new:line é"
PRINTABLE_HOSTILE = 'Zoë "Q" O\'Brien; Smith, Jr.\\n line:two \u00e9\u00e8 ' + "x" * 10_000


def test_hostile_text_is_escaped_and_parses_back_equal() -> None:
    """Names and case references with quotes, separators, newlines, non-ASCII and 10 KB of text."""
    tz = ical.ZoneInfo("Europe/London")
    person = ical.Person(HOSTILE, "odd@example.org")
    event = ical.MeetingEvent(
        uid="u@example.org",
        summary="Meeting " + HOSTILE_CASE + HOSTILE,
        start=datetime(2026, 3, 30, 8, tzinfo=UTC),
        end=datetime(2026, 3, 30, 9, tzinfo=UTC),
        location=HOSTILE,
        description=HOSTILE_CASE + "\n" + HOSTILE,
        organizer=person,
        invitees=(ical.Invitee(person, True),),
    )
    data = ical.invite(event, tz, 0, NOW)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    vobject.readOne(data.decode()).validate()
    (ev,) = events(icalendar.Calendar.from_ical(data))
    assert str(ev["SUMMARY"]) == event.summary
    assert str(ev["LOCATION"]) == HOSTILE
    assert str(ev["DESCRIPTION"]) == event.description
    assert ev["ATTENDEE"].params["CN"] == HOSTILE
    assert ev["ORGANIZER"].params["CN"] == HOSTILE


def test_hostile_names_and_case_references_end_to_end(tmp_path: Path) -> None:
    """Quotes, separators, backslashes and accents reach the invite intact. Line breaks and invisible
    marks never get that far: check refuses them in names and case references (tests/product/test_hostile_input.py)."""
    name = PRINTABLE_HOSTILE[:150]
    people = BASE_FILES["people.toml"].replace('name = "Sam Worker"', "name = " + _toml_string(name))
    case = _toml_string(PRINTABLE_CASE)
    requests = f"""
        [[requests]]
        id = "hostile"
        kind = "custom"
        case = {case}
        earliest = 2026-03-02
        latest = 2026-03-02
        invite = [{{ person = "worker" }}]
    """
    db = small_solved(tmp_path, requests, people)
    export(db, None, tmp_path / "out", now=NOW)
    (ev,) = events(parse_both(invite_path(db, tmp_path / "out", "hostile")))
    assert ev["ATTENDEE"].params["CN"] == name
    assert str(ev["SUMMARY"]) == "Meeting " + PRINTABLE_CASE


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def test_nothing_but_case_and_kind_leaves_with_a_request(tmp_path: Path) -> None:
    requests = """
        [[requests]]
        id = "private"
        kind = "professionals-meeting"
        case = "CP-999"
        earliest = 2026-03-06
        latest = 2026-03-06
        venue = "MARKER-VENUE Parkside Primary"
        notes = "MARKER-NOTES the family at 12 Acacia Road"
        invite = [{ person = "worker" }]
        slots = [{ team = "unit", label = "MARKER-LABEL", prefer = ["officer"] }]
    """
    db = small_solved(tmp_path, requests)
    export(db, None, tmp_path / "out", now=NOW)
    export(db, None, tmp_path / "out", now=NOW, meeting="private")
    files = list((tmp_path / "out").rglob("*.ics"))
    assert files
    for path in files:
        text = path.read_bytes().decode()
        assert "MARKER" not in text and "Acacia" not in text and "Parkside" not in text
    assert "CP-999" in invite_path(db, tmp_path / "out", "private").read_text()


@pytest.mark.parametrize("hostile", ["../../x", "..", "/etc/passwd", "a/b\\c", "", "con", "ä" * 300])
def test_file_names_stay_inside_the_folder(tmp_path: Path, hostile: str) -> None:
    name = ical.slug(hostile)
    assert "/" not in name and "\\" not in name and name not in {".", ".."} and len(name) <= 80
    assert (tmp_path / f"{name}.ics").resolve().parent == tmp_path.resolve()


def test_unwritable_folder_records_nothing(solved_example: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="cannot write"):
        export(solved_example, None, blocker / "out", now=NOW)
    conn = sqlite3.connect(solved_example)
    assert conn.execute("select count(*) from deliveries").fetchone()[0] == 0


def test_export_cli(run, tmp_path: Path) -> None:
    assert run("load", EXAMPLE).code == 0
    assert run("solve", "--strategy", "greedy").code == 0
    result = run("export", "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert "22 new" in result.out
    assert f"files to {(tmp_path / 'out').resolve()}:" in result.out  # the whole path, to find them
    assert run("export", "--out", tmp_path / "out", "--team", "nowhere").code == 2
    assert run("export", "--out", tmp_path / "out", "--meeting", "nothing").code == 2
    assert run("export").code == 2
    rota = run("export", "rota", "--person", "dc-patel", "--from", "2026-03-23", "--days", "14", "--out", tmp_path)
    assert rota.code == 0, rota.err
    cal = parse_both(tmp_path / "rota-dc-patel.ics")
    assert cal["METHOD"] == "PUBLISH" and len(events(cal)) == 7
    assert all(str(ev["ORGANIZER"]) == "mailto:hub.coordinator@example.org" for ev in events(cal))  # RFC 5546 3.2.1


def reply_file(path: Path, uid: str, email: str, partstat: str, seq: int = 0) -> Path:
    """A reply as a calendar client sends one back to the organiser."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Test client//EN")
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", NOW)
    ev.add("sequence", seq)
    attendee = icalendar.vCalAddress(f"mailto:{email}")
    attendee.params["PARTSTAT"] = partstat
    ev.add("attendee", attendee, encode=0)
    cal.add_component(ev)
    path.write_bytes(cal.to_ical())
    return path


def test_replies_are_recorded_and_shown(run, tmp_path: Path) -> None:
    import json

    run("load", EXAMPLE)
    run("solve", "--strategy", "greedy")
    run("export", "--out", tmp_path / "out")
    invite = icalendar.Calendar.from_ical(
        invite_path(tmp_path / "quorum.db", tmp_path / "out", "sd-10482").read_bytes()
    )
    uid = str(events(invite)[0]["UID"])
    ok = reply_file(tmp_path / "accept.ics", uid, "Folake.Adeyemi@socialwork.example.org", "ACCEPTED")
    bad = reply_file(tmp_path / "bad.ics", "nobody@example.org", "folake.adeyemi@socialwork.example.org", "DECLINED")
    result = run("replies", ok, bad)  # each judged on its own: the bad one refused, the good one recorded
    assert result.code == 2
    assert "no invite with UID 'nobody@example.org'" in result.err and "the others were recorded" in result.err
    assert "recorded" in result.out and "sd-10482: sw-adeyemi accepted" in result.out
    result = run("replies", ok)
    assert result.code == 0, result.err
    assert "already known" in result.out and "0 recorded" in result.out
    shown = json.loads(run("schedule", "--json").out)
    meeting = next(m for m in shown["meetings"] if m["request"] == "sd-10482")
    assert next(a for a in meeting["attendees"] if a["person"] == "sw-adeyemi")["reply"] == "accepted"
    assert "Folake Adeyemi (social-work; required, accepted)" in run("schedule").out
    not_reply = tmp_path / "invite.ics"
    not_reply.write_bytes(invite_path(tmp_path / "quorum.db", tmp_path / "out", "sd-10482").read_bytes())
    result = run("replies", not_reply)
    assert result.code == 2 and "not a reply (METHOD is REQUEST" in result.err


def test_a_sent_meeting_still_offers_alternatives_to_move_to(solved_example: Path, tmp_path: Path) -> None:
    export(solved_example, None, tmp_path / "out", now=NOW)
    doc = scheduling.solve(solved_example, None, scheduling.SolveRequest(strategy="greedy", alternatives=2), now=NOW)
    meeting = next(m for m in doc["meetings"] if m["request"] == "jv-10482")
    assert meeting["locked"] is True and len(meeting["alternatives"]) == 2
    assert all(a["start"] != meeting["start"] for a in meeting["alternatives"])


def test_a_reply_to_an_older_version_is_reported_not_recorded(solved_example: Path, tmp_path: Path) -> None:
    from scheduler.calendars.replies import read_replies

    scheduling.solve(solved_example, None, scheduling.SolveRequest(strategy="greedy", alternatives=1), now=NOW)
    export(solved_example, None, tmp_path / "1", now=NOW)
    scheduling.move(solved_example, None, "jv-10482", alternative=1, now=NOW)
    export(solved_example, None, tmp_path / "2", now=NOW)  # SEQUENCE 1 now
    uid = entry(solved_example, "jv-10482")["uid"]
    old = reply_file(tmp_path / "old.ics", uid, "folake.adeyemi@socialwork.example.org", "DECLINED", seq=0)
    (reply,) = read_replies(solved_example, None, [old], now=NOW).outcomes
    assert reply.outcome == "refused" and reply.answer == "declined" and "asked again" in reply.note
    doc = scheduling.stored_schedule(solved_example, None)
    meeting = next(m for m in doc["meetings"] if m["request"] == "jv-10482")
    assert {a["reply"] for a in meeting["attendees"]} == {"no answer yet"}


def test_invites_written_before_the_manifest_are_cleared_and_other_files_kept(
    solved_example: Path, tmp_path: Path
) -> None:
    """A folder written by an older Quorum (files named by request id, no manifest) ends up current too."""
    from scheduler.calendars.export import MANIFEST

    out = tmp_path / "out"
    export(solved_example, None, out, now=NOW)
    (out / MANIFEST).unlink()
    for path in (out / "invites").glob("*.ics"):
        path.rename(path.with_name(f"old-{path.name}"))
    (out / "invites" / "coordinator-notes.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    report = export(solved_example, None, out, now=NOW)
    assert len(report.removed) == 22 and len(report.unchanged) == 22
    names = {p.name for p in (out / "invites").glob("*.ics")}
    assert "coordinator-notes.ics" in names and not any(n.startswith("old-") for n in names) and len(names) == 23


def test_temporary_files_left_by_a_killed_export_are_cleared_by_the_next(solved_example: Path, tmp_path: Path) -> None:
    import os

    from scheduler.calendars.export import MANIFEST

    out = tmp_path / "out"
    export(solved_example, None, out, now=NOW)
    stale, fresh = out / "invites" / ".quorum-abc123", out / "teams" / ".quorum-def456"
    stale.write_bytes(b"half an invite")
    fresh.write_bytes(b"another export writing now")
    os.utime(stale, (0, 0))
    export(solved_example, None, out, now=NOW)
    assert not stale.exists() and fresh.exists() and (out / MANIFEST).exists()
