"""A placed schedule in words and JSON: who attends, who cannot and why, alternatives, unscheduled requests.

Kept apart from solving so that a move or a re-solve describes its result with the same code.
"""

from __future__ import annotations

from typing import Any

from rotas.clock import zone
from scheduler.advice import Step, cli_text, steps
from scheduler.solver.budget import UNLIMITED, Budget
from scheduler.solver.explain import Unscheduled, Words, absent_reasons, alternatives
from scheduler.solver.greedy import Diary
from scheduler.solver.instance import Instance
from scheduler.solver.objective import Placement
from scheduler.solver.requests import Request
from scheduler.solver.starts import instant
from scheduler.solver.unscheduled import explain_unscheduled


def describe(
    inst: Instance, placements: list[Placement], alternatives_count: int = 0, budget: Budget = UNLIMITED
) -> dict[str, Any]:
    """Meetings (with attendees, absentees and reasons, alternatives) and unscheduled requests.

    Explaining an unscheduled request rebuilds its window without pruning (about 60 ms at city scale)
    and alternatives search every start: when ``budget`` runs out, the rest are listed without them,
    saying so, so that a solve ends near its time limit however many requests it could not place.
    """
    words = Words(inst)
    tz = zone(inst.partnership.timezone)
    people = {x.id: x for x in inst.partnership.people}
    agency_of = {x.id: x.agency for x in inst.partnership.people}
    diary = Diary(inst)
    for pl in placements:
        diary.add(pl)
    meetings = []
    for pl in sorted(placements, key=lambda x: (x.start, x.task.id)):
        r = pl.task.request
        s, e = pl.task.meeting(pl.k)
        invited = agencies_invited(r, agency_of)
        present = sorted({people[a.person].agency for a in pl.attendees})
        meetings.append(
            {
                "request": r.id,
                "kind": r.kind,
                "label": r.label,
                "case": r.case,
                "urgency": r.urgency,
                "start": instant(s).astimezone(tz).isoformat(),
                "end": instant(e).astimezone(tz).isoformat(),
                "location": r.venue,
                "room": pl.room,
                "travel_minutes": r.travel,
                "locked": pl.task.fixed is not None,
                "fixed": r.fixed is not None,  # a time set in the request itself (by the chair, say)
                "attendees": [
                    {
                        "person": a.person,
                        "name": people[a.person].name,
                        "agency": people[a.person].agency,
                        "team": people[a.person].team,
                        "role": a.role,
                        "slot": a.slot,
                        "off_duty": a.off_duty is not None,
                        "off_duty_cost": (
                            {"hours": a.off_duty.hours, "rate": a.off_duty.rate, "rest_day": a.off_duty.rest_day}
                            if a.off_duty
                            else None
                        ),
                    }
                    for a in pl.attendees
                ],
                "absent": [
                    {
                        "person": x.person,
                        "name": people[x.person].name,
                        "agency": people[x.person].agency,
                        "role": x.role,
                        "reason": x.reason,
                        "detail": x.detail,
                    }
                    for x in absent_reasons(inst, diary, pl, words)
                ],
                "agencies_invited": invited,
                "agencies_present": present,
                "alternatives": [
                    {
                        "start": instant(a.start).astimezone(tz).isoformat(),
                        "end": instant(a.end).astimezone(tz).isoformat(),
                        "attendees": a.attendees,
                        "agencies_present": list(a.agencies_present),
                    }
                    for a in alternatives(inst, diary, pl, alternatives_count if not budget.spent() else 0)
                ],
            }
        )
    placed = {pl.task.id for pl in placements}
    unscheduled = []
    for task in inst.tasks:
        if task.id in placed:
            continue
        u = explain_unscheduled(inst, diary, task, words) if not budget.spent() else unexplained(task.id)
        advice = steps(u.suggestions)
        unscheduled.append(
            {
                "request": task.id,
                "kind": task.request.kind,
                "case": task.request.case,
                "depends_on": task.depends_on,
                "reason": u.reason,
                "detail": u.detail,
                # As the command line says them; "advice" is the same, for the UI to say as its keys.
                "suggestions": [cli_text(x) for x in advice],
                "advice": [x.as_json() for x in advice],
            }
        )
    return {"meetings": meetings, "unscheduled": after_what_they_follow(unscheduled)}


def after_what_they_follow(unscheduled: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests not placed, each after the one it must follow when that is not placed either (a joint
    visit after its strategy discussion), otherwise in the order given."""
    ids = {u["request"] for u in unscheduled}
    done: set[str] = set()
    out: list[dict[str, Any]] = []
    by_id = {u["request"]: u for u in unscheduled}

    def add(u: dict[str, Any], seen: frozenset[str] = frozenset()) -> None:
        rid = u["request"]
        if rid in done or rid in seen:
            return
        first = u.get("depends_on")
        if first in ids and first not in done:
            add(by_id[first], seen | {rid})
        done.add(rid)
        out.append(u)

    for u in unscheduled:
        add(u)
    return out


def agencies_invited(r: Request, agency_of: dict[str, str]) -> list[str]:
    """The agencies a request asks for: its invitees' and every slot candidate's (solve and the stored
    schedule both say "2 of 3 agencies" against this)."""
    people = [x for x, _ in r.invitees] + [c for slot in r.slots for c in slot.candidates]
    return sorted({agency_of[x] for x in people if x in agency_of})


def unexplained(rid: str) -> Unscheduled:
    return Unscheduled(
        rid,
        "not_explained",
        "not placed; the time limit ran out before the reason was worked out",
        [Step("solve again with a longer time limit to see why", "solve_longer")],
    )


def gap_text(gap: float | None) -> str:
    """A gap in per cent with enough digits that one which is not zero never reads as 0.00%."""
    if gap is None:
        return "-"
    if gap == 0:
        return "0%"
    pct = gap * 100
    return f"{pct:.2f}%" if pct >= 0.01 else f"{pct:.2g}%"


STATUS_WORDS = {
    "OPTIMAL": "optimal",
    "FEASIBLE": "feasible",
    "NO_SOLUTION": "no schedule of its own in time, greedy's kept",
    "HEURISTIC": "heuristic",
}

# What a solve's status means to a coordinator; the solver's own words and figures are the details.
OUTCOME_WORDS = {
    "OPTIMAL": "No other schedule gets more of them to their meetings",
    "FEASIBLE": "The best found in the time allowed; a slightly better one may exist",
    "NO_SOLUTION": "Placed one at a time: no better arrangement was found in the time allowed",
    "HEURISTIC": "Placed one at a time, without the solver",
}


def role_text(attendee: dict[str, Any]) -> str:
    """Why someone is at a meeting: required, optional, or the role they fill ("any PVU officer"),
    never the solver's word "slot"."""
    role: str = attendee["role"]
    if role != "slot":
        return role
    return attendee.get("slot") or "for a role asked for"


def outcome_text(doc: dict[str, Any]) -> str:
    """'Placed 22 of 25 requests. No other schedule gets more of them to their meetings (3.1 s).'"""
    total = len(doc["meetings"]) + len(doc["unscheduled"])
    words = OUTCOME_WORDS.get(doc.get("status") or "")
    took = f" ({doc['wall_time_s']:.1f} s)" if doc.get("wall_time_s") is not None else ""
    return f"Placed {len(doc['meetings'])} of {total} requests." + (f" {words}{took}." if words else "")


BOUND_WORDS = {  # which bound the gap is measured against (the lowest found: see docs/solver.md)
    "limit": " from the limit: each request at its own best start",
    "relaxation": " from the linear relaxation",
    "cp-sat": ", CP-SAT's own",
    "mixed": ", the lowest of each group's",
}


def solver_details(doc: dict[str, Any]) -> str:
    """The solver's figures, for whoever tunes it (quorum solve --details, i on the Solve screen)."""
    status = STATUS_WORDS.get(doc["status"], doc["status"].lower())
    head = f"Solver: {doc['strategy']}, {status}, objective {doc['objective']:,.0f}"
    if doc.get("bound") is not None:
        which = BOUND_WORDS.get(doc.get("bound_kind") or "", "")
        head += f" (bound {doc['bound']:,.0f}{which}, gap {gap_text(doc.get('gap'))})"
    if doc.get("greedy_objective") is not None:
        head += f", greedy {doc['greedy_objective']:,.0f}"
    if doc.get("wall_time_s") is not None:
        head += f", {doc['wall_time_s']:.1f} s"
    groups = doc.get("groups") or {}
    if doc.get("clock_stopped"):
        head += (
            f"\nThe time limit stopped the search before its work limit ({doc.get('work_limit')}): another run "
            "with the same work limit may give another schedule (give a longer --time-limit)."
        )
    if groups.get("without_solution"):
        head += (
            f"\nCP-SAT found no schedule of its own for {groups['without_solution']} of {groups['count']} groups of "
            "requests in the time given: greedy's placements are kept there (a longer --time-limit may help)."
        )
    return head
