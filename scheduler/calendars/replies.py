"""Reading attendees' answers: iTIP REPLY and COUNTER (RFC 5546 3.2.3, 3.2.7), from files and mailboxes.

Each answer is judged on its own and comes out as one row of a table: recorded, already known, or
refused with its reason; one late or broken answer never keeps the good ones beside it from being
recorded. An e-mail's sender is compared with the attendee it answers for: an answer sent by someone
else is recorded as unverified and shown so. A delegation (RFC 5546 4.2.5: the delegator DELEGATED with
DELEGATED-TO, the delegate named with DELEGATED-FROM, as Thunderbird sends it) records the delegator's
answer and whom they named; the delegate's own answer later is taken too. A COUNTER (Outlook's "propose
new time") is recorded as a proposal for the coordinator, who may move the meeting there. Answers are
applied in the order they were given (SEQUENCE, then DTSTAMP), so reading a mailbox again, in any order,
never lets an older answer replace a newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from rotas import addresses
from rotas.clock import zone
from scheduler.calendars.imap import ImapBox, read_imap
from scheduler.calendars.mailbox import Found, Reading, read_local
from scheduler.store.database import Store

ANSWERS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative", "DELEGATED": "delegated"}
RECORDED, KNOWN, REFUSED = "recorded", "already known", "refused"


@dataclass(frozen=True)
class Outcome:
    """One row of the table ``quorum replies`` prints."""

    source: str
    outcome: str  # recorded | already known | refused
    request: str = ""
    who: str = ""  # the person's id (or a delegate's address)
    answer: str = ""  # accepted, declined, tentative, delegated to ..., proposes ...
    note: str = ""  # why refused; or unverified (sent by ...), a later answer recorded, ...
    named: bool = True  # from a file the coordinator named (a refusal there is exit 2)
    proposal: tuple[datetime, datetime] | None = None  # a COUNTER's time (UTC)


@dataclass
class RepliesReport:
    outcomes: list[Outcome] = field(default_factory=list)
    left_alone: int = 0  # messages in a mailbox with no calendar in them
    timezone: str = "Europe/London"  # the partnership's, for the times proposed

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)


@dataclass(frozen=True)
class _Answer:
    source: str
    named: bool
    request: str
    person: str
    partstat: str  # a word of ANSWERS, or "" for a proposal
    sequence: int
    stamp: str
    delegate: str
    sender: str
    verified: bool
    proposal: tuple[datetime, datetime] | None = None


def _email(value: Any) -> str:
    text = str(value).strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    try:
        return addresses.wire(text).lower()
    except ValueError:
        return text.lower()


def _calendar(data: bytes) -> icalendar.Calendar | str:
    """The calendar, or why it is not one (in words, never its bytes)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not a text file, so not an iCalendar reply"
    text = text.lstrip("\ufeff \r\n\t")  # a byte-order mark (as some Windows programs write) is not content
    if not text.upper().startswith("BEGIN:VCALENDAR"):
        return "it does not begin with BEGIN:VCALENDAR, so it is not an iCalendar file"
    try:
        cal = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError):
        return "it is not valid iCalendar"
    if isinstance(cal, list):
        return "it holds several calendars; a reply holds one"
    return cal


def _value(component: icalendar.cal.Component, name: str) -> object:
    """A date, time or length property's value; None when it is missing or cannot be read (icalendar keeps
    an unreadable value as a vBroken, whose ``dt`` raises, and a value of another kind has no ``dt``)."""
    try:
        return getattr(component.get(name), "dt", None)
    except ValueError:  # icalendar's BrokenCalendarProperty
        return None


class _Judge:
    """Turns found calendars into answers to record, and outcomes for everything else."""

    def __init__(self, store: Store, pid: str | None) -> None:
        p = store.partnership(pid)
        self.p, self.tz = p, zone(p.timezone)
        self.by_uid = {r["uid"]: r for r in store.versions(p.id).values()}
        self.by_email = {_email(x.email): x.id for x in p.people}
        self.stored = store.reply_rows(p.id)
        self.delegates = {(r["request"], r["delegate"]) for r in self.stored.values() if r["delegate"]}
        self.answers: list[_Answer] = []
        self.outcomes: list[Outcome] = []

    def refuse(self, found: Found, why: str, request: str = "", who: str = "") -> None:
        self.outcomes.append(Outcome(found.source, REFUSED, request, who, note=why, named=found.named))

    def calendar(self, found: Found) -> None:
        if found.sender:  # compared with attendees' addresses as those are: lower case, the domain in IDNA
            found = replace(found, sender=_email(found.sender))
        cal = _calendar(found.data)
        if isinstance(cal, str):
            self.refuse(found, cal)
            return
        method = str(cal.get("METHOD", "")).upper()
        if method not in ("REPLY", "COUNTER"):
            self.refuse(found, f"not a reply (METHOD is {method[:20] or 'missing'}, expected REPLY or COUNTER)")
            return
        events = cal.walk("VEVENT")
        if not events:
            self.refuse(found, "holds no VEVENT, so it answers no meeting")
        for event in events:
            self.event(found, event, method)

    def event(self, found: Found, event: icalendar.cal.Component, method: str) -> None:
        uid = str(event.get("UID", ""))
        record = self.by_uid.get(uid)
        if record is None:
            self.refuse(found, f"no invite with UID {uid[:120]!r} was sent from this database")
            return
        rid = record["request"]
        if record["status"] == "cancelled":
            self.refuse(found, "answers a meeting since cancelled: nothing to record", rid)
            return
        raw = event.get("SEQUENCE", 0)
        try:
            sequence = int(str(raw))
        except ValueError:
            self.refuse(found, f"SEQUENCE {str(raw)[:40]!r} is not a whole number", rid)
            return
        if sequence < 0 or sequence > record["sequence"]:
            self.refuse(found, f"answers version {sequence} of the invite, but the latest sent is version "
                        f"{record['sequence']}", rid)  # fmt: skip
            return
        attendees = event.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []
        if not attendees:
            self.refuse(found, "names no ATTENDEE, so it is nobody's answer", rid)
            return
        stamp = _value(event, "DTSTAMP")
        when = stamp.astimezone(UTC).isoformat() if isinstance(stamp, datetime) else ""
        invited = set(record["event"].get("people", []))
        if method == "COUNTER":
            self.counter(found, event, attendees, rid, sequence, when, invited)
            return
        delegating = {
            _email(a): _email(a.params.get("DELEGATED-TO", ""))
            for a in attendees
            if str(a.params.get("PARTSTAT", "")).upper() == "DELEGATED"
        }
        answered = False
        for attendee in attendees:
            email = _email(attendee)
            partstat = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
            origin = _email(attendee.params.get("DELEGATED-FROM", "")) if attendee.params.get("DELEGATED-FROM") else ""
            if partstat == "NEEDS-ACTION":
                continue  # the delegate as the delegator names them, or a client listing everyone: no answer
            answered = True
            person = self.by_email.get(email)
            is_delegate = bool(origin) and (self.by_email.get(origin) in invited or delegating.get(origin) == email)
            is_delegate = is_delegate or (rid, email) in self.delegates
            if person is None and not is_delegate:
                self.refuse(found, f"{email[:120]} is not someone in the partnership", rid)
                continue
            if person not in invited and not is_delegate and sequence == record["sequence"]:
                self.refuse(found, f"{email} was not invited to this meeting", rid, person or email)
                continue
            if partstat not in ANSWERS:
                self.refuse(found, f"unknown answer PARTSTAT={partstat[:40]} for {email}", rid, person or email)
                continue
            delegate = _email(attendee.params.get("DELEGATED-TO", "")) if partstat == "DELEGATED" else ""
            self.answers.append(
                _Answer(found.source, found.named, rid, person or email, ANSWERS[partstat], sequence, when,
                        delegate, found.sender or "", found.sender in (None, email))
            )  # fmt: skip
        if not answered:
            self.refuse(found, "gives no answer (every ATTENDEE is NEEDS-ACTION)", rid)

    def counter(
        self,
        found: Found,
        event: icalendar.cal.Component,
        attendees: list[icalendar.vCalAddress],
        rid: str,
        sequence: int,
        when: str,
        invited: set[str],
    ) -> None:
        emails = [_email(a) for a in attendees]
        mine = [e for e in emails if found.sender and e == found.sender] or (emails if len(emails) == 1 else [])
        if not mine:
            self.refuse(found, "a proposal naming several attendees, none of them its sender: whose is it?", rid)
            return
        email = mine[0]
        person = self.by_email.get(email)
        if person is None or person not in invited:
            self.refuse(found, f"{email} was not invited to this meeting, so cannot propose a time", rid)
            return
        start, end, length = _value(event, "DTSTART"), _value(event, "DTEND"), _value(event, "DURATION")
        if not isinstance(start, datetime):
            self.refuse(found, "proposes no time (no DTSTART with a time of day)", rid, person)
            return
        begin = start if start.tzinfo else start.replace(tzinfo=self.tz)
        if isinstance(end, datetime):
            finish = end if end.tzinfo else end.replace(tzinfo=self.tz)
        elif isinstance(length, timedelta):
            finish = begin + length
        else:  # no end, or one that cannot be read: the meeting's own length
            record = self.by_uid[str(event.get("UID"))]["event"]
            finish = begin + (datetime.fromisoformat(record["end"]) - datetime.fromisoformat(record["start"]))
        proposal = (begin.astimezone(UTC), finish.astimezone(UTC))
        self.answers.append(
            _Answer(found.source, found.named, rid, person, "", sequence, when, "", found.sender or "",
                    found.sender in (None, email), proposal)
        )  # fmt: skip


def _words(a: _Answer, tz: ZoneInfo) -> str:
    if a.proposal is not None:
        s, e = (x.astimezone(tz) for x in a.proposal)
        return f"proposes {s:%a %d %b %Y %H:%M}-{e:%H:%M}"
    return f"delegated to {a.delegate}" if a.delegate else a.partstat


def judge(
    store: Store, pid: str | None, reading: Reading, now: datetime
) -> tuple[RepliesReport, list[dict[str, Any]], list[dict[str, Any]]]:
    """Outcomes for everything read, and the reply and proposal rows to record (nothing recorded here)."""
    j = _Judge(store, pid)
    for found in reading.found:
        j.calendar(found)
    report = RepliesReport(left_alone=reading.left_alone, timezone=j.p.timezone)
    report.outcomes += [Outcome(src, REFUSED, note=why, named=named) for src, why, named in reading.problems]
    report.outcomes += j.outcomes
    latest = {rid: r["sequence"] for rid, r in ((r["request"], r) for r in j.by_uid.values())}
    current = {k: (r["sequence"], r["stamp"], r["partstat"], r["delegate"]) for k, r in j.stored.items()}
    counters = {(c["request"], c["person"]): c for c in store.counters(j.p.id)}
    replies: list[dict[str, Any]] = []
    proposals: list[dict[str, Any]] = []
    for a in sorted(j.answers, key=lambda a: (a.sequence, a.stamp, a.source)):
        key, said = (a.request, a.person), _words(a, j.tz)
        note = "" if a.verified else f"unverified: sent by {a.sender}"
        row = Outcome(a.source, RECORDED, a.request, a.person, said, note, a.named, a.proposal)
        if a.sequence < latest[a.request]:
            row = Outcome(a.source, REFUSED, a.request, a.person, said, f"answers version {a.sequence} of the "
                          f"invite; it has changed since (version {latest[a.request]}): they are asked again",
                          a.named)  # fmt: skip
        elif a.proposal is not None:
            proposed = counters.get(key)
            if proposed and (proposed["start"], proposed["end"]) == tuple(x.isoformat() for x in a.proposal):
                row = Outcome(a.source, KNOWN, a.request, a.person, said, note, a.named, a.proposal)
            else:
                counters[key] = {"start": a.proposal[0].isoformat(), "end": a.proposal[1].isoformat()}
                proposals.append(_proposal_row(a, now))
        else:
            held = current.get(key)
            if held and (held[0], held[1]) > (a.sequence, a.stamp):
                row = Outcome(a.source, KNOWN, a.request, a.person, said, f"a later answer ({held[2]}) is recorded")
            elif held and (held[0], held[2], held[3]) == (a.sequence, a.partstat, a.delegate):
                row = Outcome(a.source, KNOWN, a.request, a.person, said, note, a.named)
            else:
                current[key] = (a.sequence, a.stamp, a.partstat, a.delegate)
                replies.append(_reply_row(a, now))
        report.outcomes.append(row)
    return report, replies, proposals


def _reply_row(a: _Answer, now: datetime) -> dict[str, Any]:
    return {"request": a.request, "person": a.person, "partstat": a.partstat, "sequence": a.sequence,
            "received_at": now.isoformat(), "source": Path(a.source).name, "sender": a.sender,
            "verified": int(a.verified), "delegate": a.delegate, "stamp": a.stamp}  # fmt: skip


def _proposal_row(a: _Answer, now: datetime) -> dict[str, Any]:
    assert a.proposal is not None
    return {"request": a.request, "person": a.person, "sequence": a.sequence, "start": a.proposal[0].isoformat(),
            "end": a.proposal[1].isoformat(), "sender": a.sender, "verified": int(a.verified), "stamp": a.stamp,
            "received_at": now.isoformat(), "source": Path(a.source).name, "status": "open"}  # fmt: skip


def read_replies(
    db_path: Path,
    pid: str | None,
    paths: list[Path],
    now: datetime | None = None,
    imap: ImapBox | None = None,
    since: date | None = None,
) -> RepliesReport:
    """Read answers from ``paths`` (files, mbox files, Maildir folders) and ``imap``; record each good one.

    Reading the mailbox happens before the database is opened for writing: a slow server never holds it.
    """
    now = now or datetime.now(UTC)
    reading = read_local(paths, since)
    if imap is not None:
        remote = read_imap(imap)
        reading.found += remote.found
        reading.problems += remote.problems
        reading.left_alone += remote.left_alone
    with Store.open(db_path) as store:
        report, replies, proposals = judge(store, pid, reading, now)
        if replies or proposals:
            store.record_replies(store.partnership(pid).id, replies, proposals)
    return report
