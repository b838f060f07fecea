"""Large-neighbourhood search around the incumbent: re-solve a few days' meetings with the rest held fixed.

Under contention (a surge of urgent meetings on the same few officers, social workers and rooms) the
full model of a city's fortnight is too big for CP-SAT to improve on greedy within a coordinator's
patience: presolve alone takes seconds. But meetings compete only with meetings on the same days, so
a neighbourhood of consecutive days (the meetings placed in them, and the unplaced ones that could
be, each free to take any of its starts on those days), with the meetings on those days held where
they are, captures what matters and solves in a fraction of a second. Sliding that window across the
period, widening it when a pass finds nothing, climbs from greedy's schedule towards the optimum; the
full model then has the rest of the time, hinted with the result, to improve further and give its bound.

Each neighbourhood's model is exact for the whole schedule: the meetings held on its days are in it as
fixed tasks (so clashes, travel, daily limits and rooms count), every other meeting adds to its
people's fair-spread load as a constant, and a change is kept only when ``score`` of the whole
schedule rises.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from scheduler.solver.greedy import fixed_placement
from scheduler.solver.instance import Fixed, Instance, Task
from scheduler.solver.model import ScheduleModel
from scheduler.solver.objective import W_AGENCY, Placement, score

FIRST_WIDTH = 1  # days in a neighbourhood on the first pass (two made each too slow to settle at city scale)
STEP_SECONDS = 1.0  # at most this long on one neighbourhood
# A busier window is split by time of day into parts of at most this many (start, possible attendee) pairs:
# the model's size, which decides whether CP-SAT settles a part within its step (a city's hub, with a hundred
# officers able to fill each slot, needs smaller parts than a borough's).
MAX_CHOICES = 120_000


@dataclass
class SearchResult:
    placements: list[Placement]
    objective: int
    neighbourhoods: int  # how many CP-SAT answered with a schedule (better or not)
    improved: int  # how many of them improved the schedule


def days_of(inst: Instance, task: Task) -> set[date]:
    return {inst.local_day(s) for s in task.starts}


def with_chains(tasks: list[Task], group: list[Task]) -> list[Task]:
    """``tasks`` and every meeting chained to one of them (a follow-up moves with what it follows)."""
    by_id = {t.id: t for t in group}
    chosen = {t.id for t in tasks}
    changed = True
    while changed:
        changed = False
        for t in group:
            linked = t.depends_on is not None and t.depends_on in by_id
            if linked and (t.id in chosen) != (t.depends_on in chosen):
                chosen |= {t.id, t.depends_on}
                changed = True
    return [t for t in group if t.id in chosen]


def held(pl: Placement) -> Task:
    """A placed meeting as a fixed task: its start, attendees and room, nothing left to choose."""
    t = pl.task
    people = tuple(a.person for a in pl.attendees)
    return replace(
        t,
        starts=[pl.start],
        on_duty={p: {0} for p in people},
        off_duty={},
        fixed=Fixed(pl.start, people, pl.room),
        depends_on=None,
        deadline_after={},
    )


def cut_starts(tasks: list[Task], keep: dict[str, list[int]]) -> dict[str, tuple[Task, list[int]]]:
    """Each task cut down to the start indexes ``keep`` gives it: (the cut task, original index of each start)."""
    out: dict[str, tuple[Task, list[int]]] = {t.id: (t.keeping(keep[t.id]), keep[t.id]) for t in tasks}
    for cut, _ in out.values():  # a follow-up's deadlines are indexed by the starts of the one it follows
        if cut.depends_on in out:
            ref_keep = out[cut.depends_on][1]
            cut.deadline_after = {new: cut.deadline_after[old] for new, old in enumerate(ref_keep)}
    return out


def restricted(tasks: list[Task], inst: Instance, window: set[date]) -> dict[str, tuple[Task, list[int]]]:
    """Each task cut down to its starts on the window's days."""
    return cut_starts(tasks, {t.id: [k for k, s in enumerate(t.starts) if inst.local_day(s) in window] for t in tasks})


def solve_neighbourhood(
    inst: Instance,
    free: list[Task],
    window: set[date],
    incumbent: list[Placement],
    seconds: float,
    run: Callable[[ScheduleModel, float], list[Placement] | None],
) -> list[Placement] | None:
    """The whole schedule with ``free`` re-solved within ``window`` and the rest as it is (None: nothing found)."""
    cut = restricted(free, inst, window)
    keep = [pl for pl in incumbent if pl.task.id not in cut]
    people = set().union(*(t.request.people() for t in free))
    same_days = [pl for pl in keep if inst.local_day(pl.start) in window]
    background = [held(pl) for pl in same_days if pl.room or any(a.person in people for a in pl.attendees)]
    inside = {t.id for t in background} | set(cut)
    offset: dict[str, int] = defaultdict(int)
    for pl in keep:
        if pl.task.id not in inside and pl.task.follows is None:
            for a in pl.attendees:
                offset[a.person] += 1
    tasks = [c for c, _ in cut.values()]
    model = ScheduleModel(inst, [*tasks, *background], offset).build()
    hint = []
    for pl in incumbent:
        if pl.task.id in cut and pl.k in cut[pl.task.id][1]:  # a chain partner placed elsewhere starts unplaced
            c, ks = cut[pl.task.id]
            hint.append(Placement(c, ks.index(pl.k), pl.attendees, pl.room))
    model.add_hint(hint + [fixed_placement(t) for t in background])
    found = run(model, seconds)
    if found is None:
        return None
    originals = {t.id: t for t in free}
    moved = [
        Placement(originals[pl.task.id], cut[pl.task.id][1][pl.k], pl.attendees, pl.room)
        for pl in found
        if pl.task.id in cut
    ]
    return keep + moved


def choices(t: Task) -> int:
    r = t.request
    return len(t.starts) * (len(r.invitees) + sum(len(s.candidates) for s in r.slots))


def split(free: list[Task], starts: dict[str, int]) -> list[list[Task]]:
    """A busy window's requests in parts of about MAX_CHOICES each: placed ones by start (meetings at the same
    time of day compete), unplaced ones dealt round the parts, so each part settles within its step."""
    parts = -(-sum(choices(t) for t in free) // MAX_CHOICES)
    if parts <= 1:
        return [free]
    placed = sorted((t for t in free if t.id in starts), key=lambda t: starts[t.id])
    size = -(-len(placed) // parts)
    out = [placed[i * size : (i + 1) * size] for i in range(parts)]
    for i, t in enumerate(t for t in free if t.id not in starts):
        out[i % parts].append(t)
    return [part for part in out if part]


def improve(
    inst: Instance,
    group: list[Task],
    incumbent: list[Placement],
    deadline: float,
    run: Callable[[ScheduleModel, float], list[Placement] | None],
    on_better: Callable[[list[Placement], int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> SearchResult:
    """Slide a window of days across the group's period, re-solving each; widen it after a barren pass.

    Two barren passes in a row, with no agency gained since the start, mean the incumbent was already good
    (as greedy's is on the bundled example): the search stops and leaves the time to the full model, which
    can prove it optimal.
    """
    movable = [t for t in group if t.fixed is None and t.starts]
    days = {t.id: days_of(inst, t) for t in movable}  # once: local days come from time-zone arithmetic
    all_days = sorted(set().union(*days.values()))
    best, best_value = list(incumbent), score(inst, incumbent).total
    start_value = best_value
    solved = improved = 0
    width = FIRST_WIDTH
    barren = 0
    while all_days and time.monotonic() < deadline and not (stop and stop()):
        better_this_pass = False
        for i in range(max(1, len(all_days) - width + 1)):
            window = set(all_days[i : i + width])
            placed_at = {pl.task.id: inst.local_day(pl.start) for pl in best}
            free = [
                t for t in movable if (placed_at[t.id] in window if t.id in placed_at else bool(days[t.id] & window))
            ]
            for part in split(free, {pl.task.id: pl.start for pl in best}):
                part = with_chains(part, group)  # a chain partner without starts keeps its follow-up unplaced
                left = deadline - time.monotonic()
                if not part or left < 0.05 or (stop and stop()):
                    continue
                candidate = solve_neighbourhood(inst, part, window, best, min(STEP_SECONDS, left), run)
                if candidate is None:
                    continue
                solved += 1
                value = score(inst, candidate).total
                if value > best_value:
                    best, best_value = candidate, value
                    better_this_pass = True
                    improved += 1
                    if on_better is not None:
                        on_better(best, best_value)
        barren = 0 if better_this_pass else barren + 1
        if width >= len(all_days) or (barren >= 2 and best_value - start_value < W_AGENCY):
            break
        if not better_this_pass:
            width *= 2  # a wider window lets meetings trade places across more days
    return SearchResult(best, best_value, solved, improved)
