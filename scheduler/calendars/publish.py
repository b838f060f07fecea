"""Publishing team and agency calendars to a CalDAV server (RFC 4791), with the ``caldav`` library.

Each team (and agency) gets a calendar collection, created if missing, with
one resource per meeting UID: publishing again updates resources in place (no
duplicates), a cancelled meeting stays with STATUS:CANCELLED, and a meeting
that no longer involves the team is removed from its collection. What was
published is recorded exactly as an export is, so SEQUENCE rises once per
change whichever way the meeting went out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import caldav
from caldav.lib import error as caldav_error

from rotas.clock import zone
from scheduler.calendars import ical
from scheduler.calendars.export import plan_export, sent_row, shared_calendars
from scheduler.errors import UserError
from scheduler.store.database import Store

UID_PREFIX = "quorum-"


@dataclass
class PublishReport:
    collections: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: int = 0  # resources written
    removed: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def publish(
    db_path: Path, pid: str | None, url: str, user: str | None, password: str | None, now: datetime | None = None
) -> PublishReport:
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        specs = {r["id"]: r["spec"] for r in store.requests(p.id)}
        planned = plan_export(p, specs, store.meetings(p.id), store.sent(p.id), now)
        tz = zone(p.timezone)
        report = PublishReport()
        try:
            client = caldav.DAVClient(url=url, username=user, password=password, timeout=30)
            principal = client.principal()
            existing = {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c for c in principal.calendars()}
            for name, title, people in shared_calendars(p):
                cal_id = ical.slug(name)
                calendar = existing.get(cal_id)
                if calendar is None:
                    calendar = principal.make_calendar(name=f"{title} (Quorum)", cal_id=cal_id)
                    report.created.append(cal_id)
                report.collections.append(cal_id)
                wanted = {x.event.uid: x for x in planned if x.people & people}
                for x in wanted.values():
                    data = ical.resource(x.event, tz, x.sequence, x.stamp).decode("utf-8")
                    calendar.add_event(data, increase_seqno=False)
                    report.updated += 1
                for resource in calendar.events():
                    uid = str(resource.icalendar_component.get("UID", ""))
                    if uid.startswith(UID_PREFIX) and uid not in wanted:
                        resource.delete()
                        report.removed += 1
        except caldav_error.AuthorizationError as exc:
            raise UserError(f"the CalDAV server at {url} refused the user name or password") from exc
        except caldav_error.DAVError as exc:
            raise UserError(f"the CalDAV server at {url} refused the calendar: {exc}") from exc
        except OSError as exc:
            raise UserError(f"cannot reach the CalDAV server at {url} ({type(exc).__name__}); is it running?") from exc
        records, status = [], {}
        for x in planned:
            if x.change == "withdrawn":
                continue
            record, meeting_status = sent_row(x, now)
            records.append(record)
            if meeting_status:
                status[x.request] = meeting_status
            outcome = {
                "new": report.new,
                "updated": report.changed,
                "cancelled": report.cancelled,
                "unchanged": report.unchanged,
            }
            outcome[x.change].append(x.request)
        store.record_sent(p.id, records, status)
        return report
