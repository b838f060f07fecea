"""Scheduling services shared by the CLI and the UI: solving, the stored schedule, lock, move, cancel.

``solve`` builds the instance from the stored partnership and requests, keeps
locked and issued meetings where they are, runs greedy (and CP-SAT on top of it),
explains every absence and every unscheduled request, and stores the result
with its solver run in one transaction.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rotas.clock import zone
from rotas.model import Partnership
from rotas.sane import did_you_mean
from scheduler import today as clock
from scheduler.advice import Step
from scheduler.errors import UserError
from scheduler.services.describe import after_what_they_follow, agencies_invited, describe
from scheduler.services.requests import load_requests, resolve_stored
from scheduler.services.start_rules import why_not_start
from scheduler.solver.budget import OutOfTime
from scheduler.solver.greedy import Diary, assign, fixed_placement, greedy
from scheduler.solver.instance import Fixed, build_instance
from scheduler.solver.objective import score
from scheduler.solver.pipeline import SolveBudget
from scheduler.solver.request_file import stored_entries
from scheduler.solver.requests import Request
from scheduler.solver.starts import instant, minutes
from scheduler.store.calendar_records import ISSUED
from scheduler.store.database import Store
from scheduler.today import moment_text

if TYPE_CHECKING:  # OR-Tools takes half a second to import: loaded only when solving
    from scheduler.solver.cpsat import Progress

STRATEGIES = ("cpsat", "greedy")
FIXED_STATUSES = (ISSUED,)  # set when an invite goes out (any channel): it stays put like a locked one


# -- solving -------------------------------------------------------------------------------------


@dataclass
class SolveRequest:
    first: date | None = None
    days: int | None = None
    time_limit_s: float = 10.0
    strategy: str = "cpsat"
    alternatives: int = 0
    seed: int = 0
    deterministic_limit: float | None = None
    reschedule: tuple[str, ...] = ()
    workers: int = 2
    relative_gap: float = 0.0


def _fixed(meetings: dict[str, dict[str, Any]], reschedule: tuple[str, ...]) -> dict[str, Fixed]:
    out = {}
    for rid, m in meetings.items():
        if rid in reschedule or m["status"] == "cancelled" or not m["start"]:
            continue
        if m["locked"] or m["status"] in FIXED_STATUSES:
            people = tuple(a["person"] for a in (m["attendees"] or []))
            out[rid] = Fixed(minutes(datetime.fromisoformat(m["start"])), people, m["room"])
    return out


def _history(requests: list[Request], fixed: dict[str, Fixed]) -> dict[str, set[str]]:
    """Case -> people who attended a fixed meeting of that case (for continuity)."""
    case = {r.id: r.case for r in requests}
    out: dict[str, set[str]] = {}
    for rid, f in fixed.items():
        if rid in case:
            out.setdefault(case[rid], set()).update(f.attendees)
    return out


def relative_gap(bound: float | None, objective: float) -> float | None:
    """How far the objective may still be from the best possible, as a fraction of the bound (unrounded)."""
    if bound is None:
        return None
    return max(0.0, (bound - objective) / max(1.0, abs(bound)))


def plan(
    p: Partnership,
    requests: list[Request],
    meetings: dict[str, dict[str, Any]],
    now: datetime,
    job: SolveRequest,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    started: float | None = None,
) -> dict[str, Any]:
    """The schedule as one JSON-ready document (see docs/solver.md), not yet stored.

    ``started`` (time.monotonic()) is when the time limit began: by default now; ``solve`` gives the
    moment it began reading, so that reading and saving are inside the limit too.
    """
    if job.strategy not in STRATEGIES:
        raise UserError(f"unknown strategy {job.strategy!r} (use {' or '.join(STRATEGIES)})")
    started = time.monotonic() if started is None else started
    cancelled = {rid for rid, m in meetings.items() if m["status"] == "cancelled" and rid not in job.reschedule}
    active = [r for r in requests if r.id not in cancelled]
    fixed = _fixed(meetings, job.reschedule)
    # The limit's parts (building, CP-SAT's stages, describing, saving) are set in one place: solver.pipeline.
    shares = SolveBudget(started, job.time_limit_s, job.deterministic_limit)
    budget = shares.building()
    try:
        inst = build_instance(p, active, now, fixed, _history(active, fixed), job.first, job.days, budget=budget)
        placements = greedy(inst, budget)
    except OutOfTime as exc:
        raise UserError(
            f"the time limit ({job.time_limit_s:g} s) ran out before any schedule was found, while "
            f"{exc.stage} ({exc.done:,} of {exc.total:,} requests); nothing was saved. Long chains of "
            "follow-ups make every later meeting's window very wide",
            advice=[
                Step("give it longer", "solve_longer"),
                Step("or solve a shorter period", "solve_period"),
            ],
        ) from exc
    greedy_total = score(inst, placements).total
    status, bound, groups, bound_kind, clock_stopped = "HEURISTIC", None, None, None, False
    if job.strategy == "cpsat":
        from scheduler.solver.cpsat import SolveOptions, solve_cpsat

        # The time limit is the whole run's: building the instance, greedy, and describing the result
        # afterwards (explanations and alternatives) all count against it.
        left = max(0.1, shares.solving_ends(len(inst.tasks), job.alternatives) - time.monotonic())
        options = SolveOptions(
            time_limit_s=left,
            workers=job.workers,
            seed=job.seed,
            deterministic_limit=job.deterministic_limit,
            relative_gap=job.relative_gap,
            progress=progress,
            cancel=cancel,
        )
        result = solve_cpsat(inst, placements, options)
        # Tasks with no start at all are not modelled: they add nothing to objective or bound.
        placements, status, bound = result.placements, result.status, result.bound
        bound_kind, clock_stopped = result.bound_kind, result.clock_stopped
        groups = {
            "count": len(result.groups),
            "optimal": sum(g.status == "OPTIMAL" for g in result.groups),
            "without_solution": sum(g.status == "NO_SOLUTION" for g in result.groups),
        }
    final = score(inst, placements)
    # Describing gets what is left of the limit, less a moment to save and print: past it, reasons are left out.
    doc = describe(inst, placements, job.alternatives, shares.describe())
    doc.update(
        {
            "status": status,
            "strategy": job.strategy,
            "objective": final.total,
            "bound": bound,
            "bound_kind": bound_kind,
            "gap": relative_gap(bound, final.total),
            "groups": groups,
            "greedy_objective": greedy_total,
            "wall_time_s": round(time.monotonic() - started, 3),
            "seed": job.seed,
            "work_limit": job.deterministic_limit,
            "clock_stopped": clock_stopped,
        }
    )
    return doc


def solve(
    db_path: Path,
    pid: str | None,
    job: SolveRequest,
    now: datetime | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """Schedule the pending requests and store the result; returns the schedule document."""
    started = time.monotonic()
    now = now or clock.now()
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        read = store.snapshot(p.id)  # before reading: a change from here on is kept when saving
        requests = load_requests(store, p)
        meetings = store.meetings(p.id)
        unknown = [rid for rid in job.reschedule if rid not in {r.id for r in requests}]
        if unknown:
            raise UserError(f"no request {unknown[0]!r} to reschedule")
        doc = plan(p, requests, meetings, now, job, progress, cancel, started)
        rows = []
        for m in doc["meetings"]:
            before = meetings.get(m["request"]) or {}
            kept = before.get("status") in FIXED_STATUSES and m["request"] not in job.reschedule
            rows.append(
                {
                    "request": m["request"],
                    # An issued meeting stays issued (and so fixed) until it is rescheduled or cancelled.
                    "status": before["status"] if kept else "placed",
                    "start": m["start"],
                    "end": m["end"],
                    "locked": int(before.get("locked") or 0) if kept else int(m["locked"]),
                    "room": m["room"],
                    "attendees": m["attendees"],
                    "absent": m["absent"],
                    # A fixed meeting has no new alternatives: keep the ones found before it was fixed.
                    "alternatives": m["alternatives"] or (before.get("alternatives") if m["locked"] else []),
                    "explanation": None,
                    "updated_at": now.isoformat(),
                }
            )
        for u in doc["unscheduled"]:
            rows.append(
                {
                    "request": u["request"],
                    "status": "unscheduled",
                    "start": None,
                    "end": None,
                    "locked": 0,
                    "room": None,
                    "attendees": None,
                    "absent": None,
                    "alternatives": None,
                    "explanation": {k: u.get(k) for k in ("reason", "detail", "suggestions", "advice")},
                    "updated_at": now.isoformat(),
                }
            )
        summary = {k: doc[k] for k in ("greedy_objective", "gap")}
        not_saved = store.save_schedule(
            p.id,
            {
                "strategy": job.strategy,
                "status": doc["status"],
                "objective": doc["objective"],
                "bound": doc["bound"],
                "wall_time_s": doc["wall_time_s"],
                "seed": job.seed,
                "started_at": now.isoformat(),
                "summary": json.dumps(summary),
            },
            rows,
            read,
        )
        # What this run worked out for those is not what is stored: shown apart, not as the schedule.
        doc["meetings"] = [m for m in doc["meetings"] if m["request"] not in not_saved]
        doc["unscheduled"] = [u for u in doc["unscheduled"] if u["request"] not in not_saved]
        doc["not_saved"] = [{"request": rid, "reason": why} for rid, why in sorted(not_saved.items())]
        return doc


def stored_schedule(db_path: Path, pid: str | None) -> dict[str, Any]:
    """What was last solved (and decided since), in the same shape as ``solve``'s document."""
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        rows = store.requests(p.id)
        requests = stored_entries(rows)
        meetings = store.meetings(p.id)
        last = store.last_solve(p.id)
        replies = store.replies(p.id)
    # Where it is and which agencies were asked, as solve said them (requests that no longer fit are left out).
    resolved = {r.id: r for r in resolve_stored(p, rows)[0]}
    agency_of = {x.id: x.agency for x in p.people}
    doc: dict[str, Any] = {
        "status": last["status"] if last else None,
        "strategy": last["strategy"] if last else None,
        "objective": last["objective"] if last else None,
        "bound": last["bound"] if last else None,
        "wall_time_s": last["wall_time_s"] if last else None,
        "meetings": [],
        "unscheduled": [],
        "cancelled": [],
    }
    for rid, m in meetings.items():
        entry = requests.get(rid)
        kind, case = (entry.kind, entry.case) if entry else (None, None)
        if m["status"] in ("placed", *FIXED_STATUSES):
            doc["meetings"].append(
                {
                    "request": rid,
                    "kind": kind,
                    "case": case,
                    "start": m["start"],
                    "end": m["end"],
                    "location": resolved[rid].venue if rid in resolved else (entry.venue if entry else None),
                    "fixed": bool(entry and entry.fixed),  # a time set in the request (by the chair, say)
                    "agencies_invited": agencies_invited(resolved[rid], agency_of) if rid in resolved else None,
                    "room": m["room"],
                    "locked": bool(m["locked"]),
                    "attendees": m["attendees"] or [],
                    "absent": m["absent"] or [],
                    "alternatives": m["alternatives"] or [],
                }
            )
        elif m["status"] == "unscheduled":
            follows = entry.within.of_request if entry and entry.within else None
            doc["unscheduled"].append(
                {"request": rid, "kind": kind, "case": case, "depends_on": follows} | (m["explanation"] or {})
            )
        else:
            doc["cancelled"].append({"request": rid, "case": case, "status": m["status"]})
    doc["meetings"].sort(key=lambda m: (m["start"], m["request"]))
    doc["unscheduled"] = after_what_they_follow(doc["unscheduled"])
    for m in doc["meetings"]:
        for a in m["attendees"]:
            a["reply"] = replies.get((m["request"], a["person"]), "no answer yet")
    for m in doc["meetings"]:
        tz = zone(p.timezone)
        m["start"] = datetime.fromisoformat(m["start"]).astimezone(tz).isoformat()
        m["end"] = datetime.fromisoformat(m["end"]).astimezone(tz).isoformat()
    return doc


# -- the coordinator's decisions --------------------------------------------------------------


def undo(db_path: Path, pid: str | None) -> dict[str, Any]:
    """Undo the latest lock, unlock, move, cancel or request change not yet undone."""
    with Store.open(db_path) as store:
        return store.undo(store.partnership(pid).id)


def history(db_path: Path, pid: str | None) -> list[dict[str, Any]]:
    """The coordinator's decisions, latest first, each marked if undone; ``local`` is when, in the
    partnership's zone (``at`` is UTC)."""
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        items = store.history(p.id)
    tz = zone(p.timezone)
    return [{**x, "local": datetime.fromisoformat(x["at"]).astimezone(tz).isoformat()} for x in items]


def _meeting(store: Store, pid: str, rid: str) -> dict[str, Any]:
    meetings = store.meetings(pid)
    if rid not in meetings:
        hint = did_you_mean(rid, meetings)
        raise UserError(
            f"{rid!r} has not been scheduled{hint or ' (run quorum solve, or check the id with quorum schedule)'}"
        )
    return meetings[rid]


def lock(db_path: Path, pid: str | None, rid: str, locked: bool = True) -> None:
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        m = _meeting(store, p.id, rid)
        if m["status"] not in ("placed", *FIXED_STATUSES):
            raise UserError(f"{rid} is {m['status']}, not placed: only a placed meeting can be locked")
        store.update_meeting(p.id, rid, "locked" if locked else "unlocked", locked=int(locked))


def cancel(db_path: Path, pid: str | None, rid: str, now: datetime | None = None) -> None:
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        m = _meeting(store, p.id, rid)
        if m["status"] == "cancelled":
            raise UserError(f"{rid} is already cancelled")
        store.update_meeting(
            p.id, rid, "cancelled", status="cancelled", locked=0, updated_at=(now or datetime.now(UTC)).isoformat()
        )


def move(
    db_path: Path,
    pid: str | None,
    rid: str,
    to: datetime | None = None,
    alternative: int | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Move a meeting to a local date-time (or its Nth stored alternative) and lock it there."""
    now = now or clock.now()
    with Store.open(db_path) as store:
        p = store.partnership(pid)
        tz = zone(p.timezone)
        m = _meeting(store, p.id, rid)
        if alternative is not None:
            options = m["alternatives"] or []
            if not 1 <= alternative <= len(options):
                raise UserError(f"{rid} has {len(options)} stored alternatives (solve with --alternatives K)")
            target = datetime.fromisoformat(options[alternative - 1]["start"])
        elif to is not None:
            target = to if to.tzinfo else to.replace(tzinfo=tz)
        else:
            raise UserError("give --to DATETIME or --alternative N")
        if target < now:
            raise UserError(
                f"{target.astimezone(tz):%a %d %b %Y %H:%M} has passed (today is {now.astimezone(tz):%a %d %b %Y}): "
                "choose a later time"
            )
        requests = load_requests(store, p)
        request = next((r for r in requests if r.id == rid), None)
        if request is None:
            raise UserError(f"no request {rid!r}")
        if request.fixed is not None and not force:
            raise UserError(
                f"{rid} is fixed at {request.fixed.astimezone(tz):%a %d %b %Y %H:%M} by its request (someone set "
                "that time, e.g. the chair): move it anyway with --force, or change the request"
            )
        meetings = store.meetings(p.id)
        others = {k: v for k, v in meetings.items() if k != rid and v["status"] in ("placed", *FIXED_STATUSES)}
        fixed = {
            k: Fixed(minutes(datetime.fromisoformat(v["start"])), tuple(a["person"] for a in v["attendees"]), v["room"])
            for k, v in others.items()
        }
        start_m = minutes(target)
        lo = instant(start_m)
        pinned = dataclasses.replace(request, earliest=lo, latest=None, within=None, fixed=None)
        pinned = dataclasses.replace(pinned, latest=instant(start_m + request.duration))
        inst = build_instance(p, [*(r for r in requests if r.id in fixed), pinned], now, fixed)
        task = inst.task(rid)
        if not task.starts or task.starts[0] != start_m:
            raise UserError(why_not_start(p, request, target, now))
        diary = Diary(inst)
        for t in inst.tasks:
            if t.fixed is not None:
                diary.add(fixed_placement(t))
        placement = assign(diary, task, 0)
        if placement is None:
            raise UserError(
                f"at {moment_text(target.astimezone(tz))} someone required for {rid} is at another "
                "meeting, travelling, or at their daily limit"
            )
        doc = describe(inst, [*(diary.placements.values()), placement])
        mine: dict[str, Any] = next(x for x in doc["meetings"] if x["request"] == rid)
        store.update_meeting(
            p.id,
            rid,
            "moved",
            start=instant(start_m).isoformat(),
            end=instant(start_m + request.duration).isoformat(),
            locked=1,
            room=mine["room"],
            attendees=mine["attendees"],
            absent=mine["absent"],
            alternatives=[],
            updated_at=now.isoformat(),
        )
        return mine
