"""From the pooled model's solution to a schedule of named people.

The pooled model (``solver.pooled``) decides when meetings happen and how many of each pool fill each
slot; who exactly goes is then a colouring problem. Meetings are taken in the order their time (travel
included) begins and each pool's count is given to members free then (the fewest meetings that day
first, then anyone who already knows the case, then the least busy): for interchangeable people and
intervals, taking them in that order never runs out of free members where the pooled model found room.
Where it does (a daily limit, which the pooled model counts per pool, not per person), another free
candidate of the slot is taken, and a meeting that still cannot be staffed is left unplaced: the
result is always a valid schedule, which ``polish`` and the neighbourhood search then improve.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from scheduler.solver.greedy import Diary, fixed_placement, follows_in_time
from scheduler.solver.instance import Instance, Task
from scheduler.solver.lns import cut_starts
from scheduler.solver.model import ScheduleModel
from scheduler.solver.objective import Attendance, Placement, continuity_people
from scheduler.solver.pooled import Pool, PooledSolution
from scheduler.solver.requests import Slot
from scheduler.solver.sat import Effort, Outcome

log = logging.getLogger(__name__)
NEAR_MIN = 60  # polish may move a meeting this far on its day


def realise(inst: Instance, group: list[Task], solution: PooledSolution) -> list[Placement]:
    """The group's schedule: each request the solution places at its start, with named people."""
    diary = Diary(inst)
    for t in group:
        if t.fixed is not None:
            diary.add(fixed_placement(t))
    chosen = [t for t in group if t.fixed is None and t.id in solution.starts]
    chosen.sort(key=lambda t: (t.span(solution.starts[t.id])[0], t.id))
    wanted: dict[str, dict[int, dict[Pool, int]]] = defaultdict(lambda: defaultdict(dict))
    for (tid, j, pool, k), n in solution.fills.items():
        if solution.starts.get(tid) == k:
            wanted[tid][j][pool] = n
    optional: dict[str, set[str]] = defaultdict(set)
    for tid, person in solution.optional:
        optional[tid].add(person)
    for t in chosen:
        pl = _staff(diary, t, solution.starts[t.id], wanted[t.id], optional[t.id])
        if pl is not None:
            diary.add(pl)
    return list(diary.placements.values())


def _staff(
    diary: Diary, t: Task, k: int, wanted_by_slot: dict[int, dict[Pool, int]], optional: set[str]
) -> Placement | None:
    r = t.request
    if not follows_in_time(diary, t, k):
        return None
    attendees: list[Attendance] = []
    for person, required in r.invitees:
        if required or person in optional:
            if diary.free(person, t, k):
                attendees.append(
                    Attendance(person, "required" if required else "optional", None, t.off_duty_at(person, k))
                )
            elif required:
                return None
    taken = {a.person for a in attendees}
    for j, slot in enumerate(r.slots):
        keen = continuity_people(t, j)

        def free(people: tuple[str, ...], slot: Slot = slot, keen: set[str] = keen) -> list[str]:
            return _free_by_preference(
                diary, t, k, [c for c in people if c in slot.candidates and c not in taken], keen
            )

        picked: list[str] = []
        for pool, n in sorted(wanted_by_slot.get(j, {}).items()):
            chosen = free(pool)[:n]
            picked += chosen
            taken.update(chosen)
        if len(picked) < slot.count:  # another free candidate where a pool ran short
            chosen = free(slot.candidates)[: slot.count - len(picked)]
            picked += chosen
            taken.update(chosen)
        if len(picked) < slot.count:
            return None
        attendees += [Attendance(c, "slot", slot.label, t.off_duty_at(c, k)) for c in picked]
    room = diary.room_for(t, k)
    if room is False:
        return None
    return Placement(t, k, attendees, room or None)


def _free_by_preference(diary: Diary, t: Task, k: int, people: list[str], keen: set[str]) -> list[str]:
    """Those free at start ``k``: the fewest meetings that day first (the daily limit is per person, the
    pooled model's per pool), then anyone who knows the case, then the least busy."""
    day = diary.inst.local_day(t.starts[k])
    able = [c for c in people if diary.free(c, t, k)]
    return sorted(able, key=lambda c: (diary.per_day.get((c, day), 0), c not in keen, len(diary.busy.get(c, ())), c))


def near(inst: Instance, t: Task, k: int) -> list[int]:
    """Start ``k`` and the task's other starts on its day within ``NEAR_MIN`` of it: room to staff a meeting
    whose exact start the aim model's counting could not (a daily limit, travel, a member's own rota)."""
    at, day = t.starts[k], inst.local_day(t.starts[k])
    return [i for i, s in enumerate(t.starts) if abs(s - at) <= NEAR_MIN and inst.local_day(s) == day]


def polish(
    inst: Instance,
    group: list[Task],
    solution: PooledSolution,
    staffed: list[Placement],
    effort: Effort,
    run: Callable[[ScheduleModel, Effort], Outcome],
) -> tuple[list[Placement] | None, float]:
    """The full model with every request the solution places held near its start, hinted with ``staffed``.

    Who attends, and a small move on the day, is then all that is left to choose, so CP-SAT can staff the
    meetings the colouring left unplaced (a daily limit reached by the members it happened to take, travel
    the counting ignored) within a few seconds. Returns the schedule (None: nothing found) and the work it
    took.
    """
    ids = {t.id for t in group}
    # A follow-up goes only with the meeting it follows (the full model ignores a link to a request outside it).
    movable = [
        t
        for t in group
        if t.fixed is None and t.id in solution.starts and (t.depends_on not in ids or t.depends_on in solution.starts)
    ]
    cut = cut_starts(movable, {t.id: near(inst, t, solution.starts[t.id]) for t in movable})
    fixed = [t for t in group if t.fixed is not None]
    model = ScheduleModel(inst, [c for c, _ in cut.values()] + fixed).build()
    model.add_hint(
        [
            Placement(cut[pl.task.id][0], cut[pl.task.id][1].index(pl.k), pl.attendees, pl.room)
            for pl in staffed
            if pl.task.id in cut
        ]
    )
    outcome = run(model, effort)
    log.debug(
        "polish: %s, %d placed, bound %.0f, work %.2f",
        outcome.status,
        len(outcome.placements),
        outcome.bound,
        outcome.work,
    )
    if not outcome.found:
        return None, outcome.work
    originals = {t.id: t for t in group}
    return [
        pl
        if pl.task.fixed is not None
        else Placement(originals[pl.task.id], cut[pl.task.id][1][pl.k], pl.attendees, pl.room)
        for pl in outcome.placements
    ], outcome.work
