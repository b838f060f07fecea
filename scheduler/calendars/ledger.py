"""The invite life cycle: each meeting's current version, and what each recipient still has to be told.

Every channel (a folder, a CalDAV collection, e-mail) asks the same two
questions here, so none can hide a change from another:

- ``current_versions``: what each meeting's calendar entry is now. Its UID is
  fixed when it is first issued (a keyed hash under the database's own random
  key: never readable as a request id, which is free text and could name a
  family, and the same in a dry run as in the real send); its SEQUENCE rises by one when what
  attendees must act on changes (time, place, who is invited, cancelled) since
  the version last issued through any channel.
- ``to_tell``: given what one target's ledger says each recipient has, who now
  needs a REQUEST (new or updated) and who a CANCEL: the whole meeting
  cancelled, or an attendee dropped by a move or a re-solve (RFC 5546 3.2.5).
  Pure functions of the stored rows; the channels record what they delivered.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rotas.model import Partnership
from scheduler.calendars import ical, privacy
from scheduler.solver.request_file import PRESETS, RequestEntry
from scheduler.store.database import IN_CALENDARS

VENUE_WORDS = {
    "virtual": "Virtual (joining details from the organiser)",
    "hub": "The safeguarding hub",
    "family home": "Family home (address from the organiser)",
    "school": "School (details from the organiser)",
    "hospital": "Hospital (details from the organiser)",
}


@dataclass(frozen=True)
class Version:
    """One meeting's calendar entry as it stands now, with its SEQUENCE and DTSTAMP decided."""

    request: str
    event: ical.MeetingEvent  # cancelled=True once the meeting is cancelled or unscheduled
    sequence: int
    stamp: datetime
    people: frozenset[str]  # person ids invited (for a cancelled meeting: those last invited)
    name: str  # file and resource name: kind, case reference, a digest of the UID; never the request id
    fresh: bool  # not yet stored: save it before it goes out, so every channel gives the same SEQUENCE

    @property
    def cancelled(self) -> bool:
        return self.event.cancelled

    def row(self) -> dict[str, Any]:
        """The ``versions`` row that fixes this version."""
        return {
            "request": self.request,
            "uid": self.event.uid,
            "sequence": self.sequence,
            "hash": "" if self.cancelled else ical.content_hash(self.event),
            "status": "cancelled" if self.cancelled else "confirmed",
            "stamp": self.stamp.isoformat(),
            "event": {**event_to_json(self.event), "people": sorted(self.people), "name": self.name},
        }


@dataclass(frozen=True)
class Tell:
    """One recipient to be told one thing about one meeting."""

    version: Version
    recipient: str  # a person's id
    method: str  # REQUEST | CANCEL
    change: str  # new | updated | cancelled (the meeting) | dropped (this attendee)


def location(venue: str, room: str | None, p: Partnership) -> str:
    """Where, in words that cannot identify a family: a hub room's name, or a fixed phrase.

    A request's venue is free text (it could name a child's school), so it never leaves as typed.
    """
    if room:
        named = next((r.name for r in p.rooms if r.id == room), room)
        return f"{named}, the safeguarding hub"
    return VENUE_WORDS.get(venue.lower(), "Location from the organiser")


def new_uid(domain: str, key: str, pid: str, rid: str) -> str:
    """A UID for a meeting's whole life: an HMAC of its request under the database's random ``key``, so
    nothing typed about a family can be read from it, and a dry run names the files the real send will."""
    digest = hmac.new(key.encode(), f"{pid}\0{rid}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"quorum-{digest}@{domain}"


def entry_name(kind_label: str, case: str, uid: str) -> str:
    """The name of a meeting's files and CalDAV resources: what it is, its case, and a digest that keeps
    two meetings of one case apart. Case references may leave Quorum; request ids may not."""
    digest = hashlib.sha256(uid.encode()).hexdigest()[:8]
    return f"{ical.slug(kind_label)}-{ical.slug(case or 'no-case')}-{digest}"[:100]


def meeting_event(
    p: Partnership, entry: RequestEntry, meeting: dict[str, Any], uid: str
) -> tuple[ical.MeetingEvent, frozenset[str]]:
    """The calendar entry of a placed meeting, and the ids of the people it invites."""
    people = {x.id: x for x in p.people}
    label = PRESETS[entry.kind].label
    case = entry.case
    attendees = meeting["attendees"] or []
    invited = sorted({a["agency"] for a in attendees} | {x["agency"] for x in meeting["absent"] or []})
    present = sorted({a["agency"] for a in attendees})
    lines = [
        f"Case: {case}",
        f"Meeting: {label}",
        f"Agencies invited: {', '.join(invited)}",
        f"Agencies present: {', '.join(present)}",
    ]
    shared = privacy.shared_kinds(p)
    for x in meeting["absent"] or []:
        lines.append(privacy.cannot_attend(x, people[x["person"]].name, shared))
    lines.append("Arranged with Quorum; reply to the organiser.")
    chosen = [a for a in attendees if a["person"] in people]
    invitees = tuple(
        ical.Invitee(ical.Person(people[a["person"]].name, people[a["person"]].email), a["role"] != "optional")
        for a in chosen
    )
    venue = entry.venue or PRESETS[entry.kind].venue
    event = ical.MeetingEvent(
        uid=uid,
        summary=f"{label} {case}",
        start=datetime.fromisoformat(meeting["start"]),
        end=datetime.fromisoformat(meeting["end"]),
        location=location(venue, meeting["room"], p),
        description="\n".join(lines),
        organizer=ical.Person(p.coordinator_name, p.coordinator_email),
        invitees=invitees,
    )
    return event, frozenset(a["person"] for a in chosen)


def event_to_json(e: ical.MeetingEvent) -> dict[str, Any]:
    return {
        "uid": e.uid,
        "summary": e.summary,
        "start": e.start.isoformat(),
        "end": e.end.isoformat(),
        "location": e.location,
        "description": e.description,
        "organizer": [e.organizer.name, e.organizer.email],
        "invitees": [[i.person.name, i.person.email, i.required] for i in e.invitees],
    }


def event_from_json(d: dict[str, Any], cancelled: bool = False) -> ical.MeetingEvent:
    return ical.MeetingEvent(
        uid=d["uid"],
        summary=d["summary"],
        start=datetime.fromisoformat(d["start"]),
        end=datetime.fromisoformat(d["end"]),
        location=d["location"],
        description=privacy.scrubbed(d["description"]),
        organizer=ical.Person(*d["organizer"]),
        invitees=tuple(ical.Invitee(ical.Person(n, m), r) for n, m, r in d["invitees"]),
        cancelled=cancelled,
    )


def _stored_name(stored: dict[str, Any]) -> str:
    event = stored["event"]
    return event.get("name") or entry_name("meeting", "", stored["uid"])


def current_versions(
    p: Partnership,
    entries: dict[str, RequestEntry],
    meetings: dict[str, dict[str, Any]],
    stored: dict[str, dict[str, Any]],
    now: datetime,
    key: str,
) -> dict[str, Version]:
    """Each meeting's version now: the stored one if nothing that matters changed, else the next SEQUENCE.

    A meeting never issued and not placed has no version (nobody is to be told anything).
    """
    domain = p.coordinator_email.rsplit("@", 1)[-1]
    out: dict[str, Version] = {}
    for rid in sorted(set(meetings) | set(stored)):
        m, record = meetings.get(rid), stored.get(rid)
        if m is not None and m["status"] in IN_CALENDARS and m["start"] and rid in entries:
            entry = entries[rid]
            uid = record["uid"] if record else new_uid(domain, key, p.id, rid)
            event, people = meeting_event(p, entry, m, uid)
            name = entry_name(PRESETS[entry.kind].label, entry.case, uid)
            if record is None:
                out[rid] = Version(rid, event, 0, now, people, name, True)
            elif record["status"] != "cancelled" and record["hash"] == ical.content_hash(event):
                stamp = datetime.fromisoformat(record["stamp"])
                out[rid] = Version(rid, event, record["sequence"], stamp, people, name, name != _stored_name(record))
            else:
                out[rid] = Version(rid, event, record["sequence"] + 1, now, people, name, True)
        elif record is not None:
            event = event_from_json(record["event"], cancelled=True)
            people = frozenset(record["event"].get("people", []))
            name = _stored_name(record)
            if record["status"] == "cancelled":
                stamp = datetime.fromisoformat(record["stamp"])
                out[rid] = Version(rid, event, record["sequence"], stamp, people, name, False)
            else:
                out[rid] = Version(rid, event, record["sequence"] + 1, now, people, name, True)
    return out


def ledger_index(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Ledger rows of one target as {request: {recipient: row}}."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["request"], {})[row["recipient"]] = row
    return out


def to_tell(version: Version, had: dict[str, dict[str, Any]]) -> list[Tell]:
    """Who must hear what about ``version``, given what each recipient had from this target.

    Each recipient is told once per SEQUENCE: a REQUEST when they are invited and hold no invite of this
    SEQUENCE, a CANCEL when they hold an invite and are no longer invited (or nobody is).
    """
    tells = []
    if not version.cancelled:
        for person in sorted(version.people):
            row = had.get(person)
            if row is None or row["status"] == "cancel":
                tells.append(Tell(version, person, "REQUEST", "new"))
            elif row["sequence"] < version.sequence:
                tells.append(Tell(version, person, "REQUEST", "updated"))
    for person, row in sorted(had.items()):
        if row["status"] == "request" and (version.cancelled or person not in version.people):
            tells.append(Tell(version, person, "CANCEL", "cancelled" if version.cancelled else "dropped"))
    return tells


def delivery_row(tell: Tell, channel: str, target: str, at: datetime, **extra: str) -> dict[str, Any]:
    """The ledger row that records ``tell`` as delivered."""
    return {
        "request": tell.version.request,
        "channel": channel,
        "target": target,
        "recipient": tell.recipient,
        "uid": tell.version.event.uid,
        "sequence": tell.version.sequence,
        "status": "request" if tell.method == "REQUEST" else "cancel",
        "at": at.isoformat(),
        **extra,
    }


def meeting_change(version: Version, had: dict[str, dict[str, Any]], tells: list[Tell]) -> str:
    """One word for what a target learns about a meeting: new, updated, unchanged, cancelled or withdrawn."""
    if version.cancelled:
        return "cancelled" if tells else "withdrawn"
    if not any(row["status"] == "request" for row in had.values()):
        return "new"
    return "updated" if any(t.method == "REQUEST" for t in tells) else "unchanged"


def for_one(version: Version, person: str, people: dict[str, Any]) -> ical.MeetingEvent:
    """The event as a CANCEL to one dropped attendee: the same UID, with only them as ATTENDEE."""
    x = people.get(person)
    invitees = (ical.Invitee(ical.Person(x.name, x.email), True),) if x else ()
    return replace(version.event, invitees=invitees, cancelled=True)
