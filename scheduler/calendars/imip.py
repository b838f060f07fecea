"""Invitations as e-mail (iMIP, RFC 6047): one message per attendee and change, as pure functions.

A message is multipart/mixed: a multipart/alternative of a plain-text body and
the ``text/calendar; method=...`` part (what gives Outlook and Gmail users
their Accept and Decline buttons), then the same calendar attached as
``invite.ics`` for programs that only look at attachments. The body says no
more than the invite does: the meeting kind and case reference, the time, the
place; never a note or anything typed about a family.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from rotas import addresses
from rotas.model import Person
from scheduler.calendars import ical
from scheduler.calendars.ledger import Tell, for_one

SUBJECT = {
    "new": "Invitation",
    "updated": "Updated invitation",
    "cancelled": "Cancelled",
    "dropped": "No longer needed",
}
SAYS = {
    "new": "You are invited to this meeting. Please accept or decline it in your calendar.",
    "updated": "This meeting has changed. Please accept or decline it again in your calendar.",
    "cancelled": "This meeting has been cancelled. Your calendar program can remove it.",
    "dropped": "You are no longer needed at this meeting. Your calendar program can remove it.",
}


def _twice(local: datetime) -> bool:
    """A wall time the clocks show twice (the hour repeated when they go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """The meeting's time as an attendee reads it. Across a clock change, or in the hour the clocks repeat,
    each end has its own zone name ("01:30 BST-01:30 GMT"): "01:30-01:30" would say nothing."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    each = s.tzname() != e.tzname() or _twice(s) or _twice(e)
    first = f"{s:%a %d %b %Y, %H:%M}" + (f" {s:%Z}" if each else "")
    clock = f"{e:%H:%M}" + (f" {e:%Z}" if each else "")
    last = clock if e.date() == s.date() else f"{e:%a %d %b %Y} {clock}"
    return f"{first}-{last} ({tz.key})" if each else f"{first}-{last} ({tz.key}, {s:%Z})"


def calendar_of(tell: Tell, people: dict[str, Person], tz: ZoneInfo) -> bytes:
    """The iTIP document for this recipient: the invite or cancellation; a dropped attendee's names only them."""
    v = tell.version
    event = for_one(v, tell.recipient, people) if tell.change == "dropped" else v.event
    return ical.invite(event, tz, v.sequence, v.stamp)


def message_id(tell: Tell, email: str, domain: str) -> str:
    """The same for the same change to the same person: a message sent again after a crash (between the
    relay's acceptance and its record) repeats its Message-ID, and mail systems that see one twice keep one."""
    v = tell.version
    key = f"{v.event.uid}|{v.sequence}|{tell.method}|{email.lower()}"
    return f"<quorum-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{addresses.ascii_domain(domain)}>"


def message(tell: Tell, people: dict[str, Person], tz: ZoneInfo, now: datetime) -> EmailMessage:
    """The e-mail that tells one recipient one change (``people`` maps person ids to partnership people)."""
    v = tell.version
    person = people[tell.recipient]
    organizer = v.event.organizer
    domain = organizer.email.rsplit("@", 1)[-1]
    data = calendar_of(tell, people, tz)
    msg = EmailMessage()
    # Address objects, not strings put together: a name with a comma, a quote or an accent stays one address.
    msg["From"] = addresses.header(organizer.name, organizer.email)
    msg["To"] = addresses.header(person.name, person.email)
    msg["Subject"] = f"{SUBJECT[tell.change]}: {v.event.summary}, {when(v.event.start, v.event.end, tz)}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(tell, person.email, domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
    body = "\n".join(
        [
            v.event.summary,
            "",
            SAYS[tell.change],
            "",
            f"When:  {when(v.event.start, v.event.end, tz)}",
            f"Where: {v.event.location}",
            f"Organiser: {organizer.name} <{organizer.email}>",
            "",
            "The invitation is also attached as invite.ics.",
            "Arranged with Quorum.",
        ]
    )
    msg.set_content(body)
    msg.add_alternative(data.decode("utf-8"), subtype="calendar", params={"method": tell.method})
    msg.add_attachment(data, maintype="application", subtype="ics", filename="invite.ics")
    return msg
