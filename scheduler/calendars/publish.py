"""Publishing team and agency calendars to a CalDAV server (RFC 4791), with the ``caldav`` library.

Each team (and agency) gets a calendar collection, created if missing, with
one resource per meeting: a meeting that involves the team is put there, a
cancelled one stays with STATUS:CANCELLED, and one that no longer involves the
team is removed. The ledger (``scheduler.calendars.ledger``) remembers what
each collection holds, at which SEQUENCE and ETag, so publishing again sends
only what changed, and with ``If-Match``: a resource edited on the server since
Quorum wrote it is reported and left alone, not silently overwritten.

A team calendar is for seeing, not for inviting: its resources carry no
ORGANIZER or ATTENDEE (a server with scheduling, RFC 6638, would otherwise send
invitations of its own). Attendees hear of changes through the folder or by
e-mail, whose ledgers a publish leaves untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from rotas.clock import zone
from scheduler.calendars import ical
from scheduler.calendars.davsession import BadXml, GuardedSession, OtherHost
from scheduler.calendars.export import shared_calendars, stored_versions
from scheduler.calendars.ledger import Version, ledger_index
from scheduler.calendars.netlimits import READ_S, NetworkLimit
from scheduler.errors import UserError, why
from scheduler.store.database import Store

CHANNEL = "caldav"


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
    conflicts: list[str] = field(default_factory=list)  # "collection: meeting" edited on the server: left alone
    deleted: list[str] = field(default_factory=list)  # "collection: meeting" deleted on the server: left deleted


@dataclass(frozen=True)
class Put:
    """One resource to write (or, with ``delete``, remove) in one collection."""

    collection: str
    version: Version
    change: str  # new | updated | cancelled | removed
    row: dict[str, Any] | None  # what the ledger says the collection holds, if anything

    @property
    def delete(self) -> bool:
        return self.change == "removed"


def safe_url(url: str) -> str:
    """The URL as it may be shown: any user name or password written into it taken out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def check_url(url: str) -> str:
    """The server's URL, refused (without echoing secrets) if it is not http(s) or carries credentials."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise UserError(
            f"the URL {safe_url(url)} must not hold a user name or password: give --user, and the password "
            "in an environment variable or at the prompt"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{safe_url(url)!r} is not a server address such as https://calendar.example.org/")
    return url


def plan_publish(
    versions: list[Version], collections: list[tuple[str, set[str], dict[str, dict[str, dict[str, Any]]]]]
) -> tuple[list[Put], dict[str, list[str]]]:
    """What each collection needs written or removed, and a word for each meeting (new, updated, ...).

    ``collections`` holds (name, its members, the ledger index of what it holds).
    """
    puts: list[Put] = []
    seen: dict[str, set[str]] = {}  # request: what happened to it in each collection ("held" if nothing)
    for name, members, holds in collections:
        for v in versions:
            row = holds.get(v.request, {}).get("")
            change = None
            if v.cancelled:
                if row is not None and (row["status"] != "cancel" or row["sequence"] < v.sequence):
                    change = "cancelled"
            elif v.people & members:
                if row is None:
                    change = "new"
                elif row["sequence"] < v.sequence or row["status"] != "request":
                    change = "updated"
            elif row is not None:
                change = "removed"
            if change is not None:
                puts.append(Put(name, v, change, row))
            if change is not None or (row is not None and not v.cancelled):
                seen.setdefault(v.request, set()).add(change or "held")
    out: dict[str, list[str]] = {"new": [], "updated": [], "unchanged": [], "cancelled": []}
    for v in versions:
        changes = seen.get(v.request, set())
        if "cancelled" in changes:
            out["cancelled"].append(v.request)
        elif changes & {"updated", "removed"} or ("new" in changes and "held" in changes):
            out["updated"].append(v.request)
        elif "new" in changes:
            out["new"].append(v.request)
        elif changes:
            out["unchanged"].append(v.request)
    return puts, out


def publish(
    db_path: Path,
    pid: str | None,
    url: str,
    user: str | None,
    password: str | None,
    now: datetime | None = None,
    overwrite: bool = False,
) -> PublishReport:
    """Bring each team's and agency's collection up to date; records each resource as it is written."""
    import caldav  # the CalDAV client is loaded only when publishing
    from caldav.lib import error as caldav_error
    from lxml import etree  # caldav's XML parser

    check_url(url)
    shown = safe_url(url)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        versions = sorted(stored_versions(store, p, now).values(), key=lambda v: (v.event.start, v.request))
        tz = zone(p.timezone)
        report = PublishReport()
        try:
            client = _client(caldav, url, user, password)
            client, principal = _principal(caldav, client, url)
            existing = {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c for c in principal.calendars()}
            calendars, collections = {}, []
            for name, title, members in shared_calendars(p):
                cal_id = ical.slug(name)
                calendar = existing.get(cal_id)
                if calendar is None:
                    calendar = principal.make_calendar(name=f"{title} (Quorum)", cal_id=cal_id)
                    report.created.append(cal_id)
                report.collections.append(cal_id)
                calendars[name] = calendar
                # The collection's own URL is the ledger's target: another user or path is another calendar.
                holds = ledger_index(store.deliveries(p.id, CHANNEL, collection_target(calendar)))
                collections.append((name, members, holds))
            puts, words = plan_publish(versions, collections)
            report.new, report.changed = words["new"], words["updated"]
            report.cancelled, report.unchanged = words["cancelled"], words["unchanged"]
            store.save_versions(p.id, [v.row() for v in versions if v.fresh])
            for put in puts:
                _apply(client, calendars[put.collection], put, tz, now, overwrite, store, p.id, report)
        except caldav_error.AuthorizationError as exc:
            if getattr(exc, "status", None) == 403 or "403" in str(getattr(exc, "reason", "")):
                raise UserError(
                    f"the CalDAV server at {shown} does not let {user or 'this user'} use that address (403 "
                    "Forbidden): give the server's root or your own calendar home"
                ) from exc
            raise UserError(f"the CalDAV server at {shown} refused the user name or password") from exc
        except caldav_error.DAVError as exc:
            status = getattr(exc, "status", None)
            raise UserError(
                f"the server at {shown} did not answer as a CalDAV server should"
                + (f" (HTTP {status})" if status else "")
                + f" when asked for {type(exc).__name__.removesuffix('Error').lower() or 'its calendars'}: "
                "is this the calendar server's address?"
                + (f" {report.updated} resources were written first and are recorded." if report.updated else "")
            ) from exc
        except OtherHost as exc:
            raise UserError(
                f"the CalDAV server at {shown} sent Quorum to {exc.origin} for your calendars; Quorum sends the "
                f"password only to the server you give: if {exc.origin} is your calendar server, publish with "
                f"--url {exc.origin}/ (ask IT if unsure)" + _kept(report)
            ) from exc
        except (BadXml, etree.XMLSyntaxError) as exc:
            raise UserError(
                f"the server at {shown} answered with XML that is not valid or declares entities (a DTD), which "
                "a CalDAV server never needs; nothing more was sent: ask IT to check the server (is --url "
                "the calendar server's address?)" + _kept(report)
            ) from exc
        except NetworkLimit as exc:
            raise UserError(
                f"{exc.said}; nothing more was sent: try again later, or ask IT to check the server" + _kept(report)
            ) from exc
        except OSError as exc:
            raise UserError(f"cannot reach the CalDAV server at {shown}: {why(exc)}") from exc
        return report


def _kept(report: PublishReport) -> str:
    return f" {report.updated} resources were written first and are recorded." if report.updated else ""


def _client(caldav: Any, url: str, user: str | None, password: str | None) -> Any:
    """A CalDAV client whose every request goes to ``url``'s server only, under a deadline and a size cap."""
    client = caldav.DAVClient(url=url, username=user, password=password, timeout=READ_S)
    client.session = GuardedSession(client.session, url)
    return client


def collection_target(calendar: Any) -> str:
    return safe_url(str(calendar.url))


def _principal(caldav: Any, client: Any, url: str) -> tuple[Any, Any]:
    """The user's principal; from the server's root if the URL given is a home not yet made.

    A fresh Radicale makes a user's home at their first login, so its own URL answers 404 until then.
    """
    from caldav.lib import error as caldav_error

    try:
        try:
            return client, client.principal()
        except caldav_error.NotFoundError:
            parts = urlsplit(url)
            root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
            if root == url:
                raise
            client = _client(caldav, root, client.username, client.password)
            return client, client.principal()
    except ValueError as exc:  # caldav will not join a principal on another host to the server's URL
        found = re.search(r"joined with (\S+?)\.?$", str(exc))
        if found is None:
            raise
        raise OtherHost(found.group(1)) from exc


def _apply(
    client: Any,
    calendar: Any,
    put: Put,
    tz: ZoneInfo,
    now: datetime,
    overwrite: bool,
    store: Store,
    pid: str,
    report: PublishReport,
) -> None:
    """Write or remove one resource (If-Match the ETag Quorum last saw) and record it at once."""
    v, row = put.version, put.row
    href = (row or {}).get("href") or str(calendar.url.join(f"{v.name}.ics"))
    headers = {"Content-Type": "text/calendar; charset=utf-8"}
    etag = (row or {}).get("etag")
    if etag and not overwrite:
        headers["If-Match"] = etag
    key = {"request": v.request, "channel": CHANNEL, "target": collection_target(calendar), "recipient": ""}
    if put.delete:
        response = client.delete(href, headers={k: x for k, x in headers.items() if k == "If-Match"})
    else:
        body = ical.resource(v.event, tz, v.sequence, v.stamp).decode("utf-8")
        response = client.put(href, body, headers)
    status = int(response.status)
    if status == 412:
        gone = not put.delete and int(client.request(href, "HEAD").status) == 404
        (report.deleted if gone else report.conflicts).append(f"{put.collection}: {v.name}")
        return
    if put.delete and status in (200, 204, 404):
        store.record_deliveries(pid, [], forget=[key])
        report.removed += 1
        return
    if status not in (200, 201, 204):
        raise _refused(status, href)
    new_etag = response.headers.get("ETag", "") if response.headers else ""
    store.record_deliveries(
        pid,
        [
            {
                **key,
                "uid": v.event.uid,
                "sequence": v.sequence,
                "status": "cancel" if v.cancelled else "request",
                "etag": new_etag,
                "href": href,
                "at": now.isoformat(),
            }
        ],
    )
    report.updated += 1


def _refused(status: int, href: str) -> Exception:
    from caldav.lib import error as caldav_error

    error = caldav_error.AuthorizationError if status in (401, 403) else caldav_error.PutError
    exc = error(href)
    exc.status = status
    return exc
