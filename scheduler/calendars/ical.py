"""iCalendar documents as small pure functions (RFC 5545, iTIP RFC 5546), apart from any UI or storage.

Everything that leaves Quorum as a calendar goes through here, so the privacy
rule lives in one place: an event carries the meeting kind and the case
reference, never a request's notes or anything else typed about a family.
Times are written with the partnership's TZID and a matching VTIMEZONE,
except a wall time that occurs twice on a clock-change night, which is written
in UTC because icalendar does not keep ``fold``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from scheduler.calendars.vtimezone import vtimezone

PRODID = "-//Quorum//Safeguarding meetings//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invitee:
    person: Person
    required: bool


@dataclass(frozen=True)
class MeetingEvent:
    """What a calendar may know about a meeting: nothing beyond this is ever written."""

    uid: str
    summary: str  # e.g. "Strategy discussion CP-10482"
    start: datetime  # aware
    end: datetime
    location: str
    description: str
    organizer: Person
    invitees: tuple[Invitee, ...] = ()
    cancelled: bool = False
    categories: tuple[str, ...] = field(default_factory=tuple)


def content_hash(event: MeetingEvent) -> str:
    """A hash of what makes a change worth a new SEQUENCE: time, place, status, who is invited."""
    key = {
        "start": event.start.astimezone(UTC).isoformat(),
        "end": event.end.astimezone(UTC).isoformat(),
        "location": event.location,
        "cancelled": event.cancelled,
        "invitees": sorted((i.person.email.lower(), i.required) for i in event.invitees),
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def _when(moment: datetime, tz: ZoneInfo) -> datetime:
    """Local time with TZID, or UTC for a wall time that happens twice (icalendar drops ``fold``)."""
    local = moment.astimezone(tz)
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local.replace(fold=0)


def _organizer(person: Person) -> icalendar.vCalAddress:
    organizer = icalendar.vCalAddress(f"mailto:{person.email}")
    organizer.params["CN"] = person.name
    return organizer


def _vevent(
    e: MeetingEvent, tz: ZoneInfo, sequence: int, stamp: datetime, *, organizer: bool, attendees: bool
) -> icalendar.Event:
    """One meeting, with its ORGANIZER and its ATTENDEEs where asked (an invitation has both)."""
    ev = icalendar.Event()
    ev.add("uid", e.uid)
    ev.add("dtstamp", stamp.astimezone(UTC))
    ev.add("sequence", sequence)
    ev.add("dtstart", _when(e.start, tz))
    ev.add("dtend", _when(e.end, tz))
    ev.add("summary", e.summary)
    if e.location:
        ev.add("location", e.location)
    if e.description:
        ev.add("description", e.description)
    if e.categories:
        ev.add("categories", list(e.categories))
    ev.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
    ev.add("transp", "OPAQUE")
    if organizer:
        ev.add("organizer", _organizer(e.organizer))
    if attendees:
        for i in e.invitees:
            attendee = icalendar.vCalAddress(f"mailto:{i.person.email}")
            attendee.params["CN"] = i.person.name
            attendee.params["CUTYPE"] = "INDIVIDUAL"
            attendee.params["ROLE"] = "REQ-PARTICIPANT" if i.required else "OPT-PARTICIPANT"
            attendee.params["PARTSTAT"] = "NEEDS-ACTION"
            attendee.params["RSVP"] = "TRUE"
            ev.add("attendee", attendee, encode=False)
    return ev


def _calendar(method: str | None, name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _values(component: icalendar.cal.Component) -> list[Any]:
    """A component's property values (a property given several times is a list of them)."""
    out: list[Any] = []
    for value in component.values():
        out += value if isinstance(value, list) else [value]
    return [v for v in out if hasattr(v, "params")]


def _finish(cal: icalendar.Calendar, moments: Iterable[datetime], always: ZoneInfo | None = None) -> bytes:
    """VTIMEZONE for every TZID used (covering the events' years only; ``always`` even if none uses it), then
    CRLF-folded bytes."""
    moments = list(moments)
    if moments:
        first = min(m.date() for m in moments) - timedelta(days=366)
        last = max(m.date() for m in moments) + timedelta(days=366)
    else:
        today = datetime.now(UTC).date()
        first, last = today - timedelta(days=366), today + timedelta(days=366)
    named = {str(v.params["TZID"]) for c in cal.walk() for v in _values(c) if "TZID" in v.params}
    used = sorted(named | ({always.key} if always is not None else set()))
    # VTIMEZONE components must come before the events that use them.
    cal.subcomponents[:0] = [vtimezone(ZoneInfo(key), first, last) for key in used]
    ical: bytes = cal.to_ical()  # icalendar leaves to_ical unannotated
    return ical


def invite(e: MeetingEvent, tz: ZoneInfo, sequence: int, stamp: datetime) -> bytes:
    """METHOD:REQUEST, or METHOD:CANCEL for a cancelled meeting (same UID, the caller raises SEQUENCE)."""
    cal = _calendar("CANCEL" if e.cancelled else "REQUEST")
    cal.add_component(_vevent(e, tz, sequence, stamp, organizer=True, attendees=True))
    return _finish(cal, [e.start, e.end])


REFRESH = timedelta(hours=1)  # how often a subscribed calendar should be fetched again


def _subscribed(cal: icalendar.Calendar, tz: ZoneInfo) -> None:
    """What a calendar to subscribe to tells its client: how often to look again (RFC 7986 REFRESH-INTERVAL,
    and Outlook's and Google's X-PUBLISHED-TTL), and its zone (X-WR-TIMEZONE)."""
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add("x-wr-timezone", tz.key)


def published(name: str, events: Iterable[tuple[MeetingEvent, int, datetime]], tz: ZoneInfo) -> bytes:
    """METHOD:PUBLISH calendar to subscribe to: an ORGANIZER (the coordinator), no ATTENDEE (RFC 5546 3.2.1).

    A team with no meetings still gets a valid calendar: RFC 5545 wants at least one component, and the
    zone's VTIMEZONE is one (clients read such a file as an empty calendar), so it is always written."""
    cal = _calendar("PUBLISH", name)
    _subscribed(cal, tz)
    moments = []
    for e, sequence, stamp in events:
        cal.add_component(_vevent(e, tz, sequence, stamp, organizer=True, attendees=False))
        moments += [e.start, e.end]
    return _finish(cal, moments, always=tz)


def resource(e: MeetingEvent, tz: ZoneInfo, sequence: int, stamp: datetime) -> bytes:
    """One event as a CalDAV resource for a shared team calendar: no METHOD inside (RFC 4791 4.1).

    No ORGANIZER or ATTENDEE either, as in a published calendar: a server with scheduling
    (RFC 6638) would otherwise send its own invitations from a team calendar.
    """
    cal = _calendar(None)
    cal.add_component(_vevent(e, tz, sequence, stamp, organizer=False, attendees=False))
    return _finish(cal, [e.start, e.end])


def slug(text: str) -> str:
    """A file name that is safe whatever the text holds ('../../x' stays inside its folder)."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return cleaned[:80] or "calendar"


@dataclass(frozen=True)
class Shift:
    uid: str
    summary: str
    start: datetime
    end: datetime


def rota(name: str, shifts: Iterable[Shift], tz: ZoneInfo, stamp: datetime, organizer: Person) -> bytes:
    """Someone's (or a team's) shifts as a calendar to subscribe to, beside their meetings (METHOD:PUBLISH:
    an ORGANIZER, the coordinator who publishes it, as RFC 5546 3.2.1 requires)."""
    cal = _calendar("PUBLISH", name)
    _subscribed(cal, tz)
    moments = []
    for s in shifts:
        ev = icalendar.Event()
        ev.add("uid", s.uid)
        ev.add("dtstamp", stamp.astimezone(UTC))
        ev.add("dtstart", _when(s.start, tz))
        ev.add("dtend", _when(s.end, tz))
        ev.add("summary", s.summary)
        ev.add("organizer", _organizer(organizer))
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
        moments += [s.start, s.end]
    return _finish(cal, moments, always=tz)
