"""Answers to invitations as Outlook, Gmail and Thunderbird send them back to the organiser: their real
MIME shapes, written out as those programs write them (not built with the email package, which would
make them all look alike).

- Outlook (Exchange): multipart/alternative of text/plain, text/html and ``text/calendar; method=REPLY``
  in base64, subject "Accepted: ..."; its own VTIMEZONE ("GMT Standard Time") and X-MICROSOFT-CDO-*.
  "Propose new time" is METHOD:COUNTER, subject "New Time Proposed: ...", with X-MS-OLK-ORIGINALSTART.
- Gmail: multipart/mixed of a multipart/alternative (text/plain, text/html, text/calendar in 7bit) and
  ``invite.ics`` attached as application/ics in base64; times in UTC; X-NUM-GUESTS.
- Thunderbird: multipart/mixed of text/plain, ``text/calendar; method=REPLY`` in 8bit and an
  application/ics ``invite.ics`` attachment; a delegation as RFC 5546 4.2.5 shapes it (the delegator
  DELEGATED with DELEGATED-TO, the delegate NEEDS-ACTION with DELEGATED-FROM).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime


def _b64(text: str) -> str:
    data = base64.b64encode(text.encode("utf-8")).decode()
    return "\r\n".join(data[i : i + 76] for i in range(0, len(data), 76))


def _crlf(text: str) -> str:
    return text.strip("\n").replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"


OUTLOOK_TZ = """BEGIN:VTIMEZONE
TZID:GMT Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T010000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def _local(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y%m%dT%H%M%S")


def outlook(
    uid: str,
    name: str,
    email: str,
    partstat: str,
    start: datetime,
    end: datetime,
    seq: int = 0,
    summary: str = "Strategy discussion CP-10482",
    sender: str | None = None,
    propose: tuple[datetime, datetime] | None = None,
    stamp: str = "20260302T091403Z",
) -> bytes:
    """An Outlook answer; with ``propose``, its "propose new time" (METHOD:COUNTER)."""
    method = "COUNTER" if propose else "REPLY"
    words = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}[partstat]
    subject = f"New Time Proposed: {summary}" if propose else f"{words}: {summary}"
    shown_start, shown_end = propose or (start, end)
    original = (
        f"X-MS-OLK-ORIGINALSTART;TZID=GMT Standard Time:{_local(start)}\n"
        f"X-MS-OLK-ORIGINALEND;TZID=GMT Standard Time:{_local(end)}\n"
        if propose
        else ""
    )
    calendar = _crlf(f"""BEGIN:VCALENDAR
METHOD:{method}
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
{OUTLOOK_TZ}
BEGIN:VEVENT
ATTENDEE;PARTSTAT={partstat};CN={name}:mailto:{email}
COMMENT;LANGUAGE=en-GB:\\n
SUMMARY;LANGUAGE=en-GB:{subject}
DTSTART;TZID=GMT Standard Time:{_local(shown_start)}
DTEND;TZID=GMT Standard Time:{_local(shown_end)}
UID:{uid}
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:{stamp}
TRANSP:OPAQUE
STATUS:CONFIRMED
SEQUENCE:{seq}
LOCATION;LANGUAGE=en-GB:The safeguarding hub
{original}X-MICROSOFT-CDO-APPT-SEQUENCE:{seq}
X-MICROSOFT-CDO-OWNERAPPTID:-1
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY
X-MICROSOFT-CDO-ALLDAYEVENT:FALSE
X-MICROSOFT-CDO-IMPORTANCE:1
X-MICROSOFT-CDO-INSTTYPE:0
X-MICROSOFT-DONOTFORWARDMEETING:FALSE
X-MICROSOFT-DISALLOW-COUNTER:FALSE
END:VEVENT
END:VCALENDAR""")
    boundary = "_000_DB9PR01MB7355C1E2A0B5F4A1D6E4C9A2DB9PR01MB7355eurp_"
    message = f"""From: {name} <{sender or email}>
To: Hub Coordinator <hub.coordinator@example.org>
Subject: {subject}
Thread-Topic: {summary}
Thread-Index: AQHZ8k3wTQ2Yc1i7Q0KpYv0Sx7aG5A==
Date: Mon, 2 Mar 2026 09:14:03 +0000
Message-ID: <DB9PR01MB7355C1E2A0B5F4A1D6E4C9A2{seq}{partstat[:2]}@DB9PR01MB7355.eurprd01.prod.exchangelabs.com>
Accept-Language: en-GB, en-US
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable


--{boundary}
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><head><meta http-equiv=3D"Content-Type" content=3D"text/html; charset=3Dus-ascii"></head><body></body></html>

--{boundary}
Content-Type: text/calendar; charset="utf-8"; method={method}
Content-Transfer-Encoding: base64

{_b64(calendar)}

--{boundary}--
"""
    return _crlf(message).encode("utf-8")


def gmail(
    uid: str,
    name: str,
    email: str,
    partstat: str,
    start: datetime,
    end: datetime,
    seq: int = 0,
    summary: str = "Strategy discussion CP-10482",
    stamp: str = "20260302T101500Z",
) -> bytes:
    """A Gmail answer: the calendar inline and attached as invite.ics."""
    words = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}[partstat]
    utc = "%Y%m%dT%H%M%SZ"
    calendar = _crlf(f"""BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:REPLY
BEGIN:VEVENT
DTSTART:{start.astimezone(UTC).strftime(utc)}
DTEND:{end.astimezone(UTC).strftime(utc)}
DTSTAMP:{stamp}
ORGANIZER;CN=Hub Coordinator:mailto:hub.coordinator@example.org
UID:{uid}
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={name};X-NUM-GUESTS=0:mailto:{email}
CREATED:20260301T000000Z
LAST-MODIFIED:{stamp}
LOCATION:The safeguarding hub
SEQUENCE:{seq}
STATUS:CONFIRMED
SUMMARY:{summary}
TRANSP:OPAQUE
END:VEVENT
END:VCALENDAR""")
    when = f"{start:%a %d %b %Y}"
    message = f"""MIME-Version: 1.0
Date: Mon, 2 Mar 2026 10:15:00 +0000
Message-ID: <calendar-5f8e1c2a-7b3d-4e61-9a0f-{seq:012d}@google.com>
Subject: {words}: {summary} @ {when} (GMT) (hub.coordinator@example.org)
From: {name} <{email}>
To: hub.coordinator@example.org
Content-Type: multipart/mixed; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60716"

--000000000000a1b2c3d4e5f60716
Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes
Content-Transfer-Encoding: base64

{_b64(f"{name} has {words.lower()} this invitation.")}
--000000000000a1b2c3d4e5f60716
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<span>{name} has {words.lower()} this invitation.</span>
--000000000000a1b2c3d4e5f60716
Content-Type: text/calendar; charset="UTF-8"; method=REPLY
Content-Transfer-Encoding: 7bit

{calendar}
--000000000000a1b2c3d4e5f60716--

--000000000000a1b2c3d4e5f60718
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

{_b64(calendar)}
--000000000000a1b2c3d4e5f60718--
"""
    return _crlf(message).encode("utf-8")


def thunderbird_delegation(
    uid: str,
    name: str,
    email: str,
    delegate_name: str,
    delegate_email: str,
    start: datetime,
    end: datetime,
    seq: int = 0,
    summary: str = "Strategy discussion CP-10482",
) -> bytes:
    """Thunderbird's answer when ``name`` delegates the invitation to ``delegate_name``."""
    calendar = _crlf(f"""BEGIN:VCALENDAR
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
VERSION:2.0
METHOD:REPLY
BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
CREATED:20260302T110000Z
LAST-MODIFIED:20260302T110500Z
DTSTAMP:20260302T110500Z
UID:{uid}
SUMMARY:{summary}
ORGANIZER;CN=Hub Coordinator:mailto:hub.coordinator@example.org
ATTENDEE;RSVP=TRUE;PARTSTAT=DELEGATED;ROLE=REQ-PARTICIPANT;DELEGATED-TO="mailto:{delegate_email}";CN={name}:mailto:{email}
ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;DELEGATED-FROM="mailto:{email}";CN={delegate_name}:mailto:{delegate_email}
DTSTART;TZID=Europe/London:{_local(start)}
DTEND;TZID=Europe/London:{_local(end)}
SEQUENCE:{seq}
X-MOZ-RECEIVED-SEQUENCE:{seq}
X-MOZ-RECEIVED-DTSTAMP:20260301T000000Z
X-MOZ-GENERATION:1
END:VEVENT
END:VCALENDAR""")
    boundary = "------------9Hq3Zb0w5Kc1Xr7Tn2Lm4Pd8"
    message = f"""Content-Type: multipart/mixed; boundary="{boundary}"
Message-ID: <b3f1a7d2-64c0-4a8e-9f1e-0c2d5e6f7a8b@example.org>
Date: Mon, 2 Mar 2026 11:05:00 +0000
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: en-GB
From: {name} <{email}>
To: Hub Coordinator <hub.coordinator@example.org>
Subject: Delegated: {summary}

This is a multi-part message in MIME format.
--{boundary}
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

{name} has delegated your event invitation to {delegate_name}.

--{boundary}
Content-Type: text/calendar; charset=UTF-8; method=REPLY
Content-Transfer-Encoding: 8bit

{calendar}
--{boundary}
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

{_b64(calendar)}

--{boundary}--
"""
    return _crlf(message).encode("utf-8")


def newsletter() -> bytes:
    """Ordinary mail, as a mailbox holds beside the answers: left alone."""
    return _crlf("""From: Training Team <training@example.org>
To: hub.coordinator@example.org
Subject: Safeguarding training dates
Date: Mon, 2 Mar 2026 08:00:00 +0000
Message-ID: <t1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

New dates are on the intranet.
""").encode("utf-8")
