"""Where each request stands against its deadline, for the dashboard and the request list.

A deadline is the last local day of the request's window (for "within N working days of
another request", counted from that meeting once it is placed). Requests already placed,
issued or cancelled have met theirs; the rest are overdue, due within two working days, or fine.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from rotas.bankholidays import add_working_days
from rotas.clock import zone
from scheduler.services.requests import resolve_stored
from scheduler.solver.requests import request_window
from scheduler.store.database import Store

DONE = ("placed", "issued", "cancelled")
SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class RequestState:
    id: str
    kind: str
    case: str
    state: str  # pending, placed, issued, unscheduled, cancelled
    deadline: date | None  # None: not known yet (it follows a meeting not placed)
    status: str  # overdue, due soon, fine, met, follows (another meeting not yet placed)
    replies: int  # attendees who have replied to the invitation


def request_states(db_path: Path, pid: str | None, today: date) -> list[RequestState]:
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        rows, meetings, replies = store.requests(p.id), store.meetings(p.id), store.replies(p.id)
    requests, _ = resolve_stored(p, rows)  # a request that no longer checks out is left out here
    tz = zone(p.timezone)
    answered = Counter(rid for rid, _person in replies)
    soon = add_working_days(today, SOON_WORKING_DAYS, p.bank_holidays, p.extra_bank_holidays)
    out = []
    for r in requests:
        meeting: dict[str, Any] = meetings.get(r.id) or {}
        state = meeting.get("status", "pending")
        ref: dict[str, Any] = meetings.get(r.within.of_request) or {} if r.within and r.within.of_request else {}
        window = request_window(
            r,
            p,
            datetime.fromisoformat(ref["start"]) if ref.get("start") else None,
            datetime.fromisoformat(ref["end"]) if ref.get("end") else None,
        )
        deadline = (window[1] - timedelta(minutes=1)).astimezone(tz).date() if window else None
        if state in DONE:
            status = "met"
        elif deadline is None:
            status = "follows"
        elif deadline < today:
            status = "overdue"
        elif deadline <= soon:
            status = "due soon"
        else:
            status = "fine"
        out.append(RequestState(r.id, r.kind, r.case, state, deadline, status, answered[r.id]))
    return out
