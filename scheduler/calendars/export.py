"""Writing the schedule as calendars: invites, cancellations, team and agency calendars.

Quorum remembers what it sent (UID, SEQUENCE, a hash of what matters, the
DTSTAMP of the last change and the event itself), so exporting again without
changes writes identical files and raises nothing, a change raises SEQUENCE by
one, and a meeting cancelled or unscheduled after it was sent is withdrawn
with METHOD:CANCEL. Files are written atomically (temporary file, then
rename) and nothing is recorded as sent until every file is written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rotas.clock import zone
from rotas.model import Partnership
from scheduler.calendars import ical
from scheduler.errors import UserError
from scheduler.solver.request_file import PRESETS
from scheduler.store.database import Store

SCHEDULED = ("placed", "sent")
VENUE_WORDS = {
    "virtual": "Virtual (joining details from the organiser)",
    "hub": "The safeguarding hub",
    "family home": "Family home (address from the organiser)",
    "school": "School (details from the organiser)",
    "hospital": "Hospital (details from the organiser)",
}


@dataclass
class ExportReport:
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".quorum-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def location(venue: str, room: str | None, p: Partnership) -> str:
    """Where, in words that cannot identify a family: a hub room's name, or a fixed phrase.

    A request's venue is free text (it could name a child's school), so it never leaves as typed.
    """
    if room:
        named = next((r.name for r in p.rooms if r.id == room), room)
        return f"{named}, the safeguarding hub"
    return VENUE_WORDS.get(venue.lower(), "Location from the organiser")


def _event(p: Partnership, rid: str, spec: dict[str, Any], meeting: dict[str, Any], domain: str) -> ical.MeetingEvent:
    people = {x.id: x for x in p.people}
    kind = spec.get("kind", "custom")
    label = PRESETS[kind].label if kind in PRESETS else "Meeting"
    case = spec.get("case", "")
    attendees = meeting["attendees"] or []
    invited = sorted({a["agency"] for a in attendees} | {x["agency"] for x in meeting["absent"] or []})
    present = sorted({a["agency"] for a in attendees})
    lines = [
        f"Case: {case}",
        f"Meeting: {label}",
        f"Agencies invited: {', '.join(invited)}",
        f"Agencies present: {', '.join(present)}",
    ]
    for x in meeting["absent"] or []:
        lines.append(f"Cannot attend: {people[x['person']].name} ({x['agency']}): {x['detail']}")
    lines.append("Arranged with Quorum; reply to the organiser.")
    invitees = tuple(
        ical.Invitee(ical.Person(people[a["person"]].name, people[a["person"]].email), a["role"] != "optional")
        for a in attendees
        if a["person"] in people
    )
    venue = str(spec.get("venue") or PRESETS.get(kind, PRESETS["custom"]).venue)
    return ical.MeetingEvent(
        uid=ical.uid_for(p.id, rid, domain),
        summary=f"{label} {case}",
        start=datetime.fromisoformat(meeting["start"]),
        end=datetime.fromisoformat(meeting["end"]),
        location=location(venue, meeting["room"], p),
        description="\n".join(lines),
        organizer=ical.Person(p.coordinator_name, p.coordinator_email),
        invitees=invitees,
    )


def _to_json(e: ical.MeetingEvent) -> dict[str, Any]:
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


def _from_json(d: dict[str, Any], cancelled: bool = False) -> ical.MeetingEvent:
    return ical.MeetingEvent(
        uid=d["uid"],
        summary=d["summary"],
        start=datetime.fromisoformat(d["start"]),
        end=datetime.fromisoformat(d["end"]),
        location=d["location"],
        description=d["description"],
        organizer=ical.Person(*d["organizer"]),
        invitees=tuple(ical.Invitee(ical.Person(n, m), r) for n, m, r in d["invitees"]),
        cancelled=cancelled,
    )


@dataclass
class Planned:
    """One meeting's calendar entry as it will be sent, with its SEQUENCE and DTSTAMP decided."""

    request: str
    event: ical.MeetingEvent
    sequence: int
    stamp: datetime
    change: str  # new | updated | unchanged | cancelled | withdrawn (already cancelled before)
    people: set[str]


def plan_export(
    p: Partnership, specs: dict[str, dict], meetings: dict[str, dict], sent: dict[str, dict], now: datetime
) -> list[Planned]:
    """What each meeting's calendar entry is now, compared with what was last sent."""
    domain = p.coordinator_email.rsplit("@", 1)[-1]
    out = []
    for rid, m in meetings.items():
        record = sent.get(rid)
        people = {a["person"] for a in m["attendees"] or []}
        if m["status"] in SCHEDULED and m["start"] and rid in specs:
            event = _event(p, rid, specs[rid], m, domain)
            digest = ical.content_hash(event)
            if record is None:
                out.append(Planned(rid, event, 0, now, "new", people))
            elif record["hash"] == digest and record["status"] == "sent":
                out.append(
                    Planned(
                        rid, event, record["sequence"], datetime.fromisoformat(record["stamp"]), "unchanged", people
                    )
                )
            else:
                out.append(Planned(rid, event, record["sequence"] + 1, now, "updated", people))
        elif record is not None:
            event = _from_json(record["event"], cancelled=True)
            people = set(record["event"].get("people", []))
            if record["status"] == "cancelled":
                out.append(
                    Planned(
                        rid, event, record["sequence"], datetime.fromisoformat(record["stamp"]), "withdrawn", people
                    )
                )
            else:
                out.append(Planned(rid, event, record["sequence"] + 1, now, "cancelled", people))
    return sorted(out, key=lambda x: (x.event.start, x.request))


def sent_row(x: Planned, now: datetime) -> tuple[dict[str, Any], str | None]:
    """The record of one entry sent (by file or CalDAV), and the meeting's new status if it changes."""
    cancelled = x.change == "cancelled"
    record = {
        "request": x.request,
        "uid": x.event.uid,
        "sequence": x.sequence,
        "hash": "" if cancelled else ical.content_hash(x.event),
        "status": "cancelled" if cancelled else "sent",
        "stamp": x.stamp.isoformat(),
        "event": {**_to_json(x.event), "people": sorted(x.people)},
        "sent_at": now.isoformat(),
    }
    return record, None if cancelled else "sent"


def shared_calendars(p: Partnership, team: str | None = None) -> list[tuple[str, str, set[str]]]:
    """(file or collection name, title, members) of each team's calendar, and each agency's unless one team."""
    groups = [
        (f"team-{t.id}", t.name, {x.id for x in p.people if x.team == t.id})
        for t in p.teams
        if team is None or t.id == team
    ]
    if team is None:
        groups += [(f"agency-{a.id}", a.name, {x.id for x in p.people if x.agency == a.id}) for a in p.agencies]
    return groups


def export(
    db_path: Path,
    pid: str | None,
    out: Path,
    team: str | None = None,
    meeting: str | None = None,
    now: datetime | None = None,
) -> ExportReport:
    """Write invites, cancellations and team calendars under ``out``; record what was sent."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        specs = {r["id"]: r["spec"] for r in store.requests(p.id)}
        meetings = store.meetings(p.id)
        sent = store.sent(p.id)
        if team is not None and team not in {t.id for t in p.teams}:
            raise UserError(f"no team {team!r} (teams: {', '.join(t.id for t in p.teams)})")
        if meeting is not None and meeting not in meetings:
            raise UserError(f"no scheduled meeting {meeting!r} (see quorum schedule)")
        tz = zone(p.timezone)
        planned = plan_export(p, specs, meetings, sent, now)
        members = {t.id: {x.id for x in p.people if x.team == t.id} for t in p.teams}
        if meeting is not None:
            planned = [x for x in planned if x.request == meeting]
        if team is not None:
            planned = [x for x in planned if x.people & members[team]]
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot write to {out}: {exc.strerror or exc}") from exc
        report = ExportReport()
        records = []
        status: dict[str, str] = {}
        try:
            for x in planned:
                if x.change == "withdrawn":
                    continue
                folder = "cancellations" if x.change == "cancelled" else "invites"
                path = out / folder / f"{ical.slug(x.request)}.ics"
                write_atomic(path, ical.invite(x.event, tz, x.sequence, x.stamp))
                report.files.append(path)
                getattr(report, x.change).append(x.request)
                record, meeting_status = sent_row(x, now)
                records.append(record)
                if meeting_status:
                    status[x.request] = meeting_status
            if meeting is None:
                report.files += _write_shared_calendars(p, planned, tz, out, team)
        except OSError as exc:
            raise UserError(
                f"cannot write to {out}: {exc.strerror or exc}; what was written is not recorded as sent"
            ) from exc
        store.record_sent(p.id, records, status)
        return report


def _write_shared_calendars(p: Partnership, planned: list[Planned], tz, out: Path, team: str | None) -> list[Path]:
    """One METHOD:PUBLISH calendar per team and per agency, cancelled meetings shown as cancelled."""
    written = []
    for name, title, people in shared_calendars(p, team):
        events = [(x.event, x.sequence, x.stamp) for x in planned if x.people & people]
        path = out / "teams" / f"{ical.slug(name)}.ics"
        write_atomic(path, ical.published(f"{title} (Quorum)", events, tz))
        written.append(path)
    return written


def export_rota(
    db_path: Path, pid: str | None, out: Path, first, days: int, person: str | None = None, team: str | None = None
) -> Path:
    """Shifts as a calendar file for one person or a team; returns the file written."""
    from rotas.roster import roster
    from scheduler.services.partnership import check_range, select_people

    check_range(days)
    if (person is None) == (team is None):
        raise UserError("give --person or --team")
    with Store.open(db_path) as store:
        p = store.partnership(pid)
    chosen = select_people(p, person=person, team=team)
    tz = zone(p.timezone)
    domain = p.coordinator_email.rsplit("@", 1)[-1]
    shifts = []
    for pid_, days_ in roster(p, first, days, [x.id for x in chosen]).items():
        name = next(x.name for x in chosen if x.id == pid_)
        for d in days_:
            for k, (s, e) in enumerate(d.intervals):
                label = d.label.split(" + ")[k] if " + " in d.label else d.label
                summary = f"{label}: {name}" if team else label
                shifts.append(ical.Shift(f"quorum-shift-{p.id}-{pid_}-{d.date:%Y%m%d}-{k}@{domain}", summary, s, e))
    title = p.person(person).name if person else p.team(team).name  # type: ignore[arg-type]
    path = out / f"rota-{ical.slug(person or f'team-{team}')}.ics"
    try:
        write_atomic(
            path,
            ical.rota(
                f"{title}: rota (Quorum)",
                shifts,
                tz,
                datetime(first.year, first.month, first.day, tzinfo=UTC),
                ical.Person(p.coordinator_name, p.coordinator_email),
            ),
        )
    except OSError as exc:
        raise UserError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return path


def preview(db_path: Path, pid: str | None, now: datetime | None = None) -> dict[str, list[str]]:
    """What an export or publish would send now: new, updated, unchanged and cancelled request ids."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        specs = {r["id"]: r["spec"] for r in store.requests(p.id)}
        planned = plan_export(p, specs, store.meetings(p.id), store.sent(p.id), now)
    out: dict[str, list[str]] = {"new": [], "updated": [], "unchanged": [], "cancelled": []}
    for x in planned:
        if x.change in out:
            out[x.change].append(x.request)
    return out
