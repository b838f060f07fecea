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

from rotas.files import DATA_LIMIT
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


def read_replies(db_path: Path, pid: str | None, files: list[Path], now: datetime | None = None) -> list[Reply]:
    """Record the replies in ``files``; returns them. Raises UserError (recording nothing) on any problem."""
    now = now or datetime.now(UTC)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        by_uid = {r["uid"]: r for r in store.sent(p.id).values()}
        by_email = {x.email.lower(): x.id for x in p.people}
        found: list[Reply] = []
        problems: list[str] = []
        for path in files:
            try:
                if path.stat().st_size > DATA_LIMIT:
                    raise ValueError("the file is too large to be a reply")
                cal = icalendar.Calendar.from_ical(path.read_bytes())
            except (OSError, ValueError, IndexError, KeyError) as exc:
                problems.append(f"{path}: not a readable iCalendar reply ({exc})")
                continue
            if str(cal.get("METHOD", "")).upper() != "REPLY":
                problems.append(f"{path}: not a reply (METHOD is {cal.get('METHOD', 'missing')}, expected REPLY)")
                continue
            for event in cal.walk("VEVENT"):
                uid = str(event.get("UID", ""))
                record = by_uid.get(uid)
                if record is None:
                    problems.append(f"{path}: no invite with UID {uid!r} was sent from this database")
                    continue
                attendees = event.get("ATTENDEE")
                for attendee in attendees if isinstance(attendees, list) else [attendees] if attendees else []:
                    email = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:").lower()
                    person = by_email.get(email)
                    if person is None:
                        problems.append(f"{path}: {email} is not someone in the partnership")
                        continue
                    partstat = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
                    if partstat not in ANSWERS:
                        problems.append(f"{path}: unknown answer PARTSTAT={partstat} for {email}")
                        continue
                    sequence = int(event.get("SEQUENCE", 0))
                    found.append(
                        Reply(
                            record["request"],
                            person,
                            ANSWERS[partstat],
                            sequence,
                            path.name,
                            sequence < record["sequence"],
                        )
                    )
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
