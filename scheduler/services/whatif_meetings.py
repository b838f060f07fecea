"""The meetings side of a what-if comparison: which requests, replayed how, solved alike on both sides.

Both sides get the same request specs (a leaver's place in them taken by their successor), the same
``now``, seeds and deterministic work limit, and nothing fixed (a what-if asks how the requests would
fare, not where this week's invites went). The figures compared are those a coordinator reads: requests
placed, agencies present, required invitees kept away by their rota, each agency's presence.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rotas.clock import zone
from rotas.model import Partnership
from rotas.problems import Problem
from scheduler.errors import UserError
from scheduler.services.describe import agencies_invited
from scheduler.services.requests import resolve_stored
from scheduler.services.scheduling import SolveRequest, plan
from scheduler.solver.request_file import InviteEntry, RequestEntry
from scheduler.solver.requests import Request, check_requests, request_window

LOOK_BACK_WEEKS = 26  # the typical fortnight is looked for this far back


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _closed(specs: list[RequestEntry]) -> tuple[list[RequestEntry], int]:
    """The requests whose chain of ``within.of_request`` stays inside the set, and how many were left out."""
    kept = {s.id: s for s in specs}
    while True:
        gone = [i for i, s in kept.items() if s.within and (ref := s.within.of_request) and ref not in kept]
        if not gone:
            return list(kept.values()), len(specs) - len(kept)
        for i in gone:
            del kept[i]


def pending(
    p: Partnership, rows: list[dict[str, Any]], meetings: dict[str, dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """The stored requests still to happen: not cancelled, their window not wholly past."""
    requests, _ = resolve_stored(p, rows)
    by_id = {r.id: r for r in requests}
    specs: list[RequestEntry] = []
    for row in rows:
        r = by_id.get(row["id"])
        if r is None or (meetings.get(r.id) or {}).get("status") == "cancelled":
            continue
        window = request_window(r, p)
        end = r.fixed + timedelta(minutes=r.duration) if r.fixed else (window[1] if window else None)
        if end is not None and end <= now:
            continue
        specs.append(r.entry)
    specs, dropped = _closed(specs)
    note = f"{len(specs)} requests still to happen (cancelled ones and those wholly past left out)"
    if dropped:
        note += f"; {dropped} follow-ups of a meeting already past left out"
    return {"specs": specs, "note": note}


def _request_day(
    r: Request, by_id: dict[str, Request], meetings: dict[str, dict[str, Any]], tz: ZoneInfo, trail: int = 0
) -> date | None:
    """The local day a request belongs to: its meeting's, else its window's first day, else its lead's."""
    m = meetings.get(r.id) or {}
    if m.get("start"):
        return datetime.fromisoformat(m["start"]).astimezone(tz).date()
    if r.fixed is not None:
        return r.fixed.astimezone(tz).date()
    if r.earliest is not None:
        return r.earliest.astimezone(tz).date()
    if r.within is not None and r.within.of_date is not None:
        return r.within.of_date
    ref = by_id.get(r.within.of_request or "") if r.within else None
    return _request_day(ref, by_id, meetings, tz, trail + 1) if ref is not None and trail < 50 else None


def typical(
    p: Partnership,
    rows: list[dict[str, Any]],
    meetings: dict[str, dict[str, Any]],
    today: date,
    replay_from: date,
    fortnight: date | None = None,
) -> dict[str, Any]:
    """A past fortnight's requests, moved by whole weeks to start on the first Monday on or after
    ``replay_from`` (so each falls on the same weekday at the same local time).

    The fortnight is Monday ``fortnight`` and the 13 days after it; by default the two weeks ending with
    the week of the latest request before this week (within ``LOOK_BACK_WEEKS``). A request belongs to the
    day of its meeting, else its window's first day; follow-ups whose meeting to follow is outside the
    fortnight are left out (said in the note).
    """
    tz = zone(p.timezone)
    requests, _ = resolve_stored(p, rows)
    by_id = {r.id: r for r in requests}
    days = {r.id: _request_day(r, by_id, meetings, tz) for r in requests}
    this_week = _monday(today)
    if fortnight is None:
        past = [d for d in days.values() if d is not None and this_week - timedelta(weeks=LOOK_BACK_WEEKS) <= d]
        past = [d for d in past if d < this_week]
        if not past:
            return {"specs": [], "note": "no requests in the database from before this week", "from": None}
        fortnight = _monday(max(past)) - timedelta(days=7)
    start = _monday(fortnight)
    chosen = {rid for rid, d in days.items() if d is not None and start <= d < start + timedelta(days=14)}
    specs = [r.entry for r in requests if r.id in chosen and (meetings.get(r.id) or {}).get("status") != "cancelled"]
    target = _monday(replay_from + timedelta(days=6))  # the first Monday on or after replay_from
    weeks = (target - start).days // 7
    specs, dropped = _closed([shifted(s, weeks) for s in specs])
    note = (
        f"the {len(specs)} requests of {start:%a %d %b %Y} to {start + timedelta(days=13):%a %d %b %Y}, "
        f"replayed {weeks} weeks later from {target:%a %d %b %Y} (same weekdays and times)"
    )
    if dropped:
        note += f"; {dropped} follow-ups of a meeting outside that fortnight left out"
    return {"specs": specs, "note": note, "from": start.isoformat(), "replayed_from": target.isoformat()}


def shifted(entry: RequestEntry, weeks: int) -> RequestEntry:
    """A request with every date in it moved by ``weeks`` weeks."""
    if not weeks:
        return entry
    step = timedelta(weeks=weeks)
    moved: dict[str, Any] = {k: getattr(entry, k) + step for k in ("earliest", "latest", "fixed") if getattr(entry, k)}
    if entry.within is not None and entry.within.of_date is not None:
        moved["within"] = entry.within.model_copy(update={"of_date": entry.within.of_date + step})
    return entry.model_copy(update=moved)


def with_successors(entry: RequestEntry, successors: dict[str, str | None]) -> RequestEntry:
    """A request as it would be after people leave: each named leaver replaced by their successor
    (required if either was), or left out when there is none."""
    invite: list[InviteEntry] = []
    for inv in entry.invite:
        person: str | None = inv.person
        if person in successors:
            person = successors[person]
            if person is None:
                continue
        same = next((x for x in invite if x.person == person), None)
        if same is not None:
            invite[invite.index(same)] = same.model_copy(update={"required": same.required or inv.required})
            continue
        invite.append(inv.model_copy(update={"person": person}))
    slots = []
    for slot in entry.slots:
        prefer = [successors.get(x, x) if x in successors else x for x in slot.prefer]
        kept = [x for x in dict.fromkeys(prefer) if x is not None]
        slots.append(slot.model_copy(update={"prefer": kept}) if slot.prefer else slot)
    return entry.model_copy(update={"invite": invite, "slots": slots})


def resolved(p: Partnership, entries: list[RequestEntry]) -> tuple[list[Request], list[str]]:
    """The requests checked against ``p``; the ids of any that no longer make sense there (with why)."""
    problems: list[Problem] = []
    requests = check_requests(list(entries), p, "requests", problems)
    return requests, [str(x) for x in problems]


def solve_side(
    p: Partnership,
    requests: list[Request],
    now: datetime,
    job: SolveRequest,
    seeds: list[int],
    step: Callable[[], None],
    deadline: float,
    solves_left: Callable[[], int],
) -> list[dict[str, Any]]:
    """One solve per seed (fewer when the first is proven optimal: no seed can then do better), each given
    an equal share of the time left as a safety limit; the work limit is what stops them."""
    docs: list[dict[str, Any]] = []
    for n, seed in enumerate(seeds):
        if n and docs[0]["status"] == "OPTIMAL":
            step()
            continue
        share = max(1.0, (deadline - time.monotonic()) / max(1, solves_left()))
        try:
            doc = plan(p, requests, {}, now, dataclasses.replace(job, seed=seed, time_limit_s=share))
        except UserError as exc:
            raise UserError(f"{exc.message} (solving for the comparison, seed {seed})") from exc
        doc["time_limit_s"] = share
        docs.append(doc)
        step()
    return docs


def figures(doc: dict[str, Any], requests: list[Request], p: Partnership) -> dict[str, Any]:
    """What a coordinator compares: placed, agencies present, required invitees away because of their rota,
    off-duty asks, and per agency how often it is there of the requests that ask for it."""
    agency_of = {x.id: x.agency for x in p.people}
    meetings = {m["request"]: m for m in doc["meetings"]}
    asked: dict[str, int] = {}
    there: dict[str, int] = {}
    for r in requests:
        present = set(meetings[r.id]["agencies_present"]) if r.id in meetings else set()
        for a in agencies_invited(r, agency_of):
            asked[a] = asked.get(a, 0) + 1
            there[a] = there.get(a, 0) + (a in present)
    return {
        "requests": len(requests),
        "placed": len(meetings),
        "agencies_present": sum(len(m["agencies_present"]) for m in meetings.values()),
        "required_off_duty": sum(
            1 for m in meetings.values() for a in m["absent"] if a["role"] == "required" and a["reason"] == "off_duty"
        ),
        "off_duty_asks": sum(1 for m in meetings.values() for a in m["attendees"] if a["off_duty"]),
        "presence": {a: {"asked": asked[a], "present": there[a], "rate": round(there[a] / asked[a], 3)} for a in asked},
        "status": doc["status"],
    }


def per_request(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        m["request"]: {"case": m["case"], "start": m["start"], "agencies": sorted(m["agencies_present"])}
        for m in doc["meetings"]
    } | {u["request"]: {"case": u["case"], "start": None, "agencies": []} for u in doc["unscheduled"]}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Which requests fare differently: newly placed, no longer placed, more or fewer agencies, another time."""
    a, b = per_request(before), per_request(after)
    out: dict[str, list[dict[str, Any]]] = {"placed": [], "not_placed": [], "more_agencies": [], "fewer_agencies": []}
    moved = 0
    for rid in sorted(set(a) | set(b)):
        x, y = a.get(rid, {"start": None, "agencies": []}), b.get(rid, {"start": None, "agencies": []})
        item = {
            "request": rid,
            "case": (x.get("case") or y.get("case")),
            "before": x["start"],
            "after": y["start"],
            "agencies_before": len(x["agencies"]),
            "agencies_after": len(y["agencies"]),
        }
        if x["start"] is None and y["start"] is not None:
            out["placed"].append(item)
        elif x["start"] is not None and y["start"] is None:
            out["not_placed"].append(item)
        elif len(y["agencies"]) > len(x["agencies"]):
            out["more_agencies"].append(item)
        elif len(y["agencies"]) < len(x["agencies"]):
            out["fewer_agencies"].append(item)
        elif x["start"] != y["start"]:
            moved += 1
        continue
    return {**out, "other_time": moved}


def spread(docs: list[dict[str, Any]], key: Callable[[dict[str, Any]], int]) -> list[int]:
    values = [key(d) for d in docs]
    return [min(values), max(values)]


def within_variation(before: list[int], after: list[int]) -> bool:
    """The rule (docs/whatif.md): a difference is within what the solver's own variation could explain
    when the ranges over the seeds of the two sides overlap."""
    return before[0] <= after[1] and after[0] <= before[1]
