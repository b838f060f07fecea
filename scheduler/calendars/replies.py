"""Reading attendees' replies to invites (iTIP METHOD:REPLY, RFC 5546 3.2.3).

Each file is checked before anything is recorded: every problem is reported
with its file, and one bad file means nothing is recorded, so a coordinator
can fix and run the same command again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import icalendar

from scheduler.errors import UserError
from scheduler.store.database import Store

ANSWERS = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "DELEGATED": "delegated",
    "NEEDS-ACTION": "no answer yet",
}


@dataclass(frozen=True)
class Reply:
    request: str
    person: str
    partstat: str
    sequence: int
    source: str
    stale: bool  # answers an older version of the invite


REPLY_LIMIT = 1_000_000  # bytes: a reply is a few kilobytes; anything near this is not one


def _attendees(event: icalendar.cal.Component) -> list:
    value = event.get("ATTENDEE")
    return value if isinstance(value, list) else [value] if value is not None else []


def _parse(path: Path) -> icalendar.Calendar:
    """The file as a calendar, or ValueError saying why in words (never the file's bytes)."""
    if path.stat().st_size > REPLY_LIMIT:
        raise ValueError(f"the file is {path.stat().st_size:,} bytes, too large to be a reply")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not a text file, so not an iCalendar reply") from None
    if not text.lstrip("\ufeff \r\n\t").upper().startswith("BEGIN:VCALENDAR"):
        raise ValueError("it does not begin with BEGIN:VCALENDAR, so it is not an iCalendar file")
    try:
        cal = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError):
        raise ValueError("it is not valid iCalendar") from None
    if isinstance(cal, list):
        raise ValueError("it holds several calendars; a reply holds one")
    return cal


def read_replies(db_path: Path, pid: str | None, files: list[Path], now: datetime | None = None) -> list[Reply]:
    """Record the replies in ``files``; returns them. Raises UserError (recording nothing) on any problem."""
    now = now or datetime.now(UTC)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        by_uid = {r["uid"]: r for r in store.versions(p.id).values()}
        by_email = {x.email.lower(): x.id for x in p.people}
        found: list[Reply] = []
        problems: list[str] = []
        for path in files:
            try:
                cal = _parse(path)
            except OSError as exc:
                problems.append(f"{path}: cannot read it ({exc.strerror or exc})")
                continue
            except ValueError as exc:
                problems.append(f"{path}: {exc}")
                continue
            if str(cal.get("METHOD", "")).upper() != "REPLY":
                problems.append(f"{path}: not a reply (METHOD is {cal.get('METHOD', 'missing')}, expected REPLY)")
                continue
            events = cal.walk("VEVENT")
            if not events:
                problems.append(f"{path}: holds no VEVENT, so it answers no meeting")
            for event in events:
                problems += _check_event(path, event, by_uid, by_email, found)
        if problems:
            raise UserError(f"{len(problems)} problem(s) in the replies; nothing was recorded", problems)
        store.record_replies(
            p.id,
            [
                {
                    "request": r.request,
                    "person": r.person,
                    "partstat": r.partstat,
                    "sequence": r.sequence,
                    "received_at": now.isoformat(),
                    "source": r.source,
                }
                for r in found
                if not r.stale
            ],
        )
        return found


def _check_event(
    path: Path,
    event: icalendar.cal.Component,
    by_uid: dict[str, dict],
    by_email: dict[str, str],
    found: list[Reply],
) -> list[str]:
    """Problems with one answered event; appends the replies it holds to ``found`` if it has none."""
    uid = str(event.get("UID", ""))
    record = by_uid.get(uid)
    if record is None:
        return [f"{path}: no invite with UID {uid[:120]!r} was sent from this database"]
    if record["status"] == "cancelled":
        return [f"{path}: answers a meeting that was cancelled (UID {uid}); nothing to record"]
    raw = event.get("SEQUENCE", 0)
    try:
        sequence = int(str(raw))
    except ValueError:
        return [f"{path}: SEQUENCE {str(raw)[:40]!r} is not a whole number"]
    if sequence < 0 or sequence > record["sequence"]:
        return [
            f"{path}: answers version {sequence} of the invite, but the latest sent is version {record['sequence']}"
        ]
    attendees = _attendees(event)
    if not attendees:
        return [f"{path}: names no ATTENDEE, so it is nobody's answer"]
    invited = set(record["event"].get("people", []))
    problems, replies = [], []
    for attendee in attendees:
        email = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:").lower()
        person = by_email.get(email)
        if person is None:
            problems.append(f"{path}: {email[:120]} is not someone in the partnership")
            continue
        if person not in invited and sequence == record["sequence"]:
            problems.append(f"{path}: {email} was not invited to this meeting")
            continue
        partstat = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
        if partstat not in ANSWERS:
            problems.append(f"{path}: unknown answer PARTSTAT={partstat[:40]} for {email}")
            continue
        replies.append(
            Reply(record["request"], person, ANSWERS[partstat], sequence, path.name, sequence < record["sequence"])
        )
    if not problems:
        found += replies
    return problems
