"""Moving a meeting to one of its alternatives, whether or not its solve stored any.

A solve stores each meeting's next best times (two by default); a move, or a solve asked for none, leaves
a meeting without them. ``quorum move ID --alternative N`` and the schedule's 1 and 2 then work them out
against the schedule as it is now, so the README's move works after any solve.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from rotas.clock import zone
from scheduler import today as clock
from scheduler.errors import UserError
from scheduler.services import scheduling
from scheduler.services.requests import load_requests
from scheduler.solver.explain import alternatives
from scheduler.solver.greedy import Diary, assign
from scheduler.solver.instance import Fixed, build_instance
from scheduler.solver.starts import instant, minutes
from scheduler.store.database import IN_CALENDARS, Store


def alternatives_now(db_path: Path, pid: str | None, rid: str, count: int, now: datetime) -> list[dict[str, Any]]:
    """The next best ``count`` starts for a placed meeting, every other meeting where it is now."""
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        meetings = store.meetings(p.id)
        requests = load_requests(store, p)
    placed = {k: v for k, v in meetings.items() if v["status"] in IN_CALENDARS and v["start"]}
    if rid not in placed:
        return []
    fixed = {
        k: Fixed(minutes(datetime.fromisoformat(v["start"])), tuple(a["person"] for a in v["attendees"]), v["room"])
        for k, v in placed.items()
    }
    inst = build_instance(p, [r for r in requests if r.id in fixed], now, fixed)
    diary = Diary(inst)
    for task in inst.tasks:
        placement = assign(diary, task, 0)
        if placement is not None:
            diary.add(placement)
    mine = diary.placements.get(rid)
    if mine is None:
        return []
    tz = zone(p.timezone)
    return [
        {
            "start": instant(a.start).astimezone(tz).isoformat(),
            "end": instant(a.end).astimezone(tz).isoformat(),
            "attendees": a.attendees,
            "agencies_present": list(a.agencies_present),
        }
        for a in alternatives(inst, diary, mine, count)
    ]


def move_to_alternative(
    db_path: Path, pid: str | None, rid: str, n: int, now: datetime | None = None, force: bool = False
) -> dict[str, Any]:
    """Move ``rid`` to its ``n``th alternative (stored, else worked out now) and lock it there."""
    now = now or clock.now()
    if n < 1:
        raise UserError("alternatives are numbered from 1")
    stored = next(
        (m for m in scheduling.stored_schedule(db_path, pid)["meetings"] if m["request"] == rid),
        None,
    )
    if stored is None:
        scheduling.move(db_path, pid, rid, alternative=n, now=now, force=force)  # says what is wrong with rid
    options = (stored or {}).get("alternatives") or []
    if len(options) < n:
        options = alternatives_now(db_path, pid, rid, max(n, 2), now)
    if len(options) < n:
        found = "no other time" if not options else f"only {len(options)} other time{'s' if len(options) > 1 else ''}"
        raise UserError(
            f"{rid} has {found} that works with the schedule as it is now (everyone required on duty, "
            "no clash): give a time yourself, or change the request"
        )
    target = datetime.fromisoformat(options[n - 1]["start"])
    return scheduling.move(db_path, pid, rid, to=target, now=now, force=force)
