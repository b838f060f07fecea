"""The limit: each request at its own best start, ignoring every other meeting. An upper bound anyone can compute.

No schedule places more requests, brings more agencies or attendees, or scores a higher objective than
this, because every other meeting only takes people, rooms and days away. It is what the benchmark
measures greedy and CP-SAT against ("how far from greedy to the limit"), and the bound reported when
CP-SAT's own is weaker or missing. Every estimate here errs upwards, never down:

- placed: every request with a start at which its required people and slots can all attend (a
  follow-up only if the request it follows can be placed too);
- agencies: the required people's agencies, those of optional invitees who can come, and for each slot
  up to its count of its candidates' other agencies;
- objective: the placement weight, those agencies, optional invitees who can come, continuity up to
  each slot's count, less the days-later and the off-duty costs nobody can avoid (a required invitee
  off duty); fair spread, which only ever subtracts, is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.solver.greedy import fixed_placement
from scheduler.solver.instance import Instance, Task
from scheduler.solver.objective import (
    W_AGENCY,
    W_CONTINUITY,
    W_DAY_LATER,
    W_OPTIONAL,
    W_PLACE,
    continuity_people,
    days_later,
    off_duty_weight,
    placement_value,
)


@dataclass(frozen=True)
class TaskLimit:
    """The best one request could do on its own: at most these agencies, attendees and objective terms."""

    agencies: int
    attendees: int
    value: int


@dataclass(frozen=True)
class Limit:
    placed: int
    agencies: int
    attendees: int
    objective: int
    per_task: dict[str, TaskLimit]


def start_limits(inst: Instance, task: Task) -> list[TaskLimit]:
    """The best the request could do at each of its starts on its own (index ``k`` of the list: start ``k``).

    Worked out person by person over the starts each can make (not start by start over every candidate):
    the capacity model asks this for 25,000 starts, where a loop over candidates per start took a second.
    """
    agency = inst.agency_of
    r = task.request
    n = len(task.starts)
    required = [p for p, req in r.invitees if req]
    base = {agency[p] for p in required}
    present: list[set[str]] = [set(base) for _ in range(n)]
    optional = [0] * n
    for p, req in r.invitees:
        if not req:
            for k in task.able(p):
                optional[k] += 1
                present[k].add(agency[p])
    extra = [0] * n  # each slot adds at most its count of new agencies, and all of them at most every new one
    union: list[set[str]] = [set() for _ in range(n)]
    continuity = [0] * n
    for j, slot in enumerate(r.slots):
        keen = continuity_people(task, j)
        agencies_at: list[set[str]] = [set() for _ in range(n)]
        keen_at = [0] * n
        for c in slot.candidates:
            for k in task.able(c):
                agencies_at[k].add(agency[c])
                keen_at[k] += c in keen
        for k in range(n):
            new = agencies_at[k] - present[k]
            extra[k] += min(slot.count, len(new))
            union[k] |= new
            continuity[k] += min(slot.count, keen_at[k])
    extra = [min(e, len(u)) for e, u in zip(extra, union, strict=True)]
    attendees_base = len(required) + sum(s.count for s in r.slots)
    out = []
    for k in range(n):
        agencies = len(present[k]) + extra[k]
        unavoidable = sum(off_duty_weight(task.off_duty_at(p, k)) for p in required)
        value = (
            W_PLACE[r.urgency]
            + W_AGENCY * agencies
            + W_OPTIONAL * optional[k]
            + W_CONTINUITY * continuity[k]
            - W_DAY_LATER[r.urgency] * days_later(inst, task, k)
            - unavoidable
        )
        out.append(TaskLimit(agencies, attendees_base + optional[k], value))
    return out


def task_limit(inst: Instance, task: Task) -> TaskLimit | None:
    """The request's best on its own (each figure maximised separately), or None if it cannot be placed."""
    if not task.starts:
        return None
    agency = inst.agency_of
    if task.fixed is not None:
        pl = fixed_placement(task)
        return TaskLimit(
            len({agency[a.person] for a in pl.attendees}), len(pl.attendees), placement_value(inst, pl).total
        )
    each = start_limits(inst, task)
    return TaskLimit(max(x.agencies for x in each), max(x.attendees for x in each), max(x.value for x in each))


def limit(inst: Instance, tasks: list[Task] | None = None) -> Limit:
    """The limit over ``tasks`` (default: every task of the instance)."""
    tasks = inst.tasks if tasks is None else tasks
    by_id = {t.id: t for t in inst.tasks}
    per_task: dict[str, TaskLimit] = {}
    for t in tasks:
        best = task_limit(inst, t)
        ref, seen = t.depends_on, set()
        while best is not None and ref is not None and ref not in seen:  # a chain is no stronger than its first
            seen.add(ref)
            if ref not in by_id or not by_id[ref].starts:
                best = None
            else:
                ref = by_id[ref].depends_on
        if best is not None:
            per_task[t.id] = best
    return Limit(
        len(per_task),
        sum(x.agencies for x in per_task.values()),
        sum(x.attendees for x in per_task.values()),
        sum(x.value for x in per_task.values()),
        per_task,
    )
