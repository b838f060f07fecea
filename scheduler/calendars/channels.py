"""Where each meeting has got to, channel by channel: written (files), published (CalDAV), sent (e-mail).

The dashboard and the export screen show these apart, because they mean different things to a
coordinator: a file written is not an invite received, and a meeting counts as sent only when the
mail relay accepted a message for every one of its attendees at its current SEQUENCE.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rotas.clock import zone
from scheduler.calendars import export, mail, publish
from scheduler.calendars.ledger import Version, ledger_index, to_tell
from scheduler.store.database import Store

CHANNELS = {"written": export.CHANNEL, "published": publish.CHANNEL, "sent": mail.CHANNEL}


@dataclass
class Pending:
    """What each channel would send now: meetings by change for files and CalDAV, messages for e-mail."""

    folder: dict[str, list[str]] = field(default_factory=dict)
    caldav: dict[str, list[str]] = field(default_factory=dict)
    email: Counter[str] = field(default_factory=Counter)


def _up_to_date(v: Version, rows: list[dict[str, Any]], channel: str) -> bool:
    current = [r for r in rows if r["sequence"] == v.sequence and r["status"] == "request"]
    if channel == mail.CHANNEL:
        return bool(v.people) and v.people <= {r["recipient"] for r in current}
    if channel == export.CHANNEL:  # some folder holds the current invite for everyone
        targets: dict[str, set[str]] = {}
        for r in current:
            targets.setdefault(r["target"], set()).add(r["recipient"])
        return any(v.people <= got for got in targets.values())
    return bool(current)


def delivered(db_path: Path, pid: str | None, now: datetime | None = None) -> dict[str, int]:
    """How many meetings that stand have their current version written, published and sent."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        versions = [v for v in export.stored_versions(store, p, now).values() if not v.cancelled]
        rows = store.deliveries(p.id)
    by_request: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        by_request.setdefault((r["request"], r["channel"]), []).append(r)
    return {
        word: sum(_up_to_date(v, by_request.get((v.request, channel), []), channel) for v in versions)
        for word, channel in CHANNELS.items()
    }


def pending(db_path: Path, pid: str | None, folder: Path, now: datetime | None = None) -> Pending:
    """What an export into ``folder``, a publish (to the calendars published before) and a send would do."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        versions = sorted(export.stored_versions(store, p, now).values(), key=lambda v: (v.event.start, v.request))
        written = ledger_index(store.deliveries(p.id, export.CHANNEL, export.folder_target(folder)))
        caldav = store.deliveries(p.id, publish.CHANNEL)
        emailed = ledger_index(store.deliveries(p.id, mail.CHANNEL, mail.TARGET))
    _files, _rows, report = export.folder_state(p, versions, written, zone(p.timezone), now)
    out = Pending(folder={k: getattr(report, k) for k in ("new", "updated", "unchanged", "cancelled")})
    held: dict[str, dict[str, Any]] = {}
    for r in caldav:  # the least up to date of the collections holding it stands for the meeting
        if r["request"] not in held or r["sequence"] < held[r["request"]]["sequence"]:
            held[r["request"]] = r
    out.caldav = {"new": [], "updated": [], "unchanged": [], "cancelled": []}
    for v in versions:
        row = held.get(v.request)
        if v.cancelled:
            if row is not None and (row["status"] != "cancel" or row["sequence"] < v.sequence):
                out.caldav["cancelled"].append(v.request)
        elif row is None:
            out.caldav["new"].append(v.request)
        elif row["sequence"] < v.sequence or row["status"] != "request":
            out.caldav["updated"].append(v.request)
        else:
            out.caldav["unchanged"].append(v.request)
        out.email.update(t.change for t in to_tell(v, emailed.get(v.request, {})))
    return out
