"""Which meetings to re-solve together: the neighbourhoods of the search, built around what is in the way.

Under contention a request goes unplaced because, at every start it could take, someone it needs (its
caseholder, every officer who could fill its slot, the hub room) is at another meeting. Re-solving a few
consecutive days cannot help when that other meeting could as well be held on another day of its own
window. So the main neighbourhood here is built around a request that is not placed (or placed with
fewer agencies than it could have): the request itself plus the meetings that hold, at its starts, the
people or rooms it needs, each free over its *whole* window, so the solver can move a blocker to another
day and put the request in its place. Blockers are ranked by how many of the request's starts they
block, and the neighbourhood is kept small enough to solve exactly in a fraction of a second.

The second kind is the old one: the meetings of a few consecutive days, for what is left (optional
invitees, continuity, fair spread).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from scheduler.solver.greedy import Diary
from scheduler.solver.instance import Instance, Task
from scheduler.solver.objective import Placement

MAX_FREE = 10  # meetings re-solved in one neighbourhood built around a request (itself included)
MAX_CHOICES = 120_000  # (start, possible attendee) pairs in one neighbourhood: what settles within a step
SAMPLED_STARTS = 48  # of a request's starts, looked at for what blocks it
RIVALS = 3  # requests not placed that want the same people, added to a neighbourhood built around one


@dataclass
class Neighbourhood:
    """Requests to re-solve together, each free among its starts on ``days``, with the rest held."""

    kind: str  # "blocked" (around a request) | "days" (a window of days)
    free: list[Task]
    days: set[date]
    target: str | None = None  # the request it was built around
    label: str = ""
    tags: list[str] = field(default_factory=list)


def choices(t: Task) -> int:
    """The size a task brings to a model: its starts times everyone who could attend them."""
    r = t.request
    return len(t.starts) * (len(r.invitees) + sum(len(s.candidates) for s in r.slots))


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
            ref = t.depends_on
            if ref is not None and ref in by_id and (t.id in chosen) != (ref in chosen):
                chosen |= {t.id, ref}
                changed = True
    return [t for t in group if t.id in chosen]


def blockers(diary: Diary, task: Task, rng: random.Random) -> Counter[str]:
    """The placed meetings in ``task``'s way, each with how many of its (sampled) starts it blocks.

    For each start: the meetings that hold a required invitee then (or fill their day), and where a slot
    cannot be filled from the candidates free then, the meetings holding the candidates who could make it;
    where no room is free, the meetings in the rooms it could use.
    """
    inst = diary.inst
    r = task.request
    ks = list(range(len(task.starts)))
    if len(ks) > SAMPLED_STARTS:
        ks = sorted(rng.sample(ks, SAMPLED_STARTS))
    out: Counter[str] = Counter()
    for k in ks:
        lo, hi = task.span(k)
        day = inst.local_day(task.starts[k])
        in_way: set[str] = set()

        def holding(person: str, lo: int = lo, hi: int = hi, day: date = day) -> set[str]:
            found = {o for b_lo, b_hi, o, _ in diary.busy.get(person, ()) if b_lo < hi and b_hi > lo and o != task.id}
            if not found and diary.per_day.get((person, day), 0) >= inst.max_per_day:
                found = diary.on_day.get((person, day), set()) - {task.id}
            return found

        for p, required in r.invitees:
            if required and task.can(p, k):
                in_way |= holding(p)
        taken = {p for p, req in r.invitees if req}
        for slot in r.slots:
            able = [c for c in slot.candidates if c not in taken and task.can(c, k)]
            free = [c for c in able if diary.conflict(c, task, k) is None]
            if len(free) < slot.count:
                for c in able:
                    in_way |= holding(c)
        if diary.room_for(task, k) is False:
            s, e = task.meeting(k)
            for room_uses in diary.rooms.values():
                in_way |= {o for b_lo, b_hi, o in room_uses if b_lo < e and b_hi > s and o != task.id}
        out.update(in_way)
    return out


def _ranked(counts: Counter[str], movable: set[str], rng: random.Random) -> list[str]:
    """Blockers in a random order weighted by how much each is in the way (the most, most often first)."""
    keyed = [(rng.random() ** (1.0 / counts[o]), o) for o in sorted(counts) if o in movable]  # sorted: same draws
    return [o for _, o in sorted(keyed, reverse=True)]


def around(
    inst: Instance, group: list[Task], diary: Diary, target: Task, rng: random.Random, size: int = MAX_FREE
) -> Neighbourhood | None:
    """The neighbourhood around ``target``: it, the meetings most in its way, and the meetings in *their* way
    at the starts they could move to, each over its whole window (a blocker may have to go to another day,
    and that day may be full too)."""
    by_id = {t.id: t for t in group}
    movable = {t.id for t in group if t.fixed is None and t.starts}
    chosen = [target]
    load = choices(target)

    def take(ids: list[str]) -> None:
        nonlocal load
        for o in ids:
            if len(chosen) >= size:
                return
            t = by_id[o]
            if t in chosen or load + choices(t) > MAX_CHOICES:
                continue
            chosen.append(t)
            load += choices(t)

    first = _ranked(blockers(diary, target, rng), movable, rng)
    take(first[: max(1, size // 2)])
    for o in first[: max(1, size // 2)]:
        if len(chosen) >= size:
            break
        take(_ranked(blockers(diary, by_id[o], rng), movable - {target.id}, rng)[:2])
    take(first)
    # Requests not placed that want the same people on the same days: freeing the blockers may fit two.
    wanted = target.request.people()
    days = days_of(inst, target)
    rivals = [
        t.id
        for t in group
        if t.id in movable
        and t.id not in diary.placements
        and t is not target
        and t.request.people() & wanted
        and days_of(inst, t) & days
    ]
    rng.shuffle(rivals)
    take(rivals[:RIVALS])
    if len(chosen) == 1 and target.id in diary.placements:
        return None  # placed, and nothing in its way: nothing to trade
    free = with_chains(chosen, group)
    days = set().union(*(days_of(inst, t) for t in free))
    return Neighbourhood("blocked", free, days, target.id, f"around {target.id} ({len(free) - 1} with it)")


def day_windows(inst: Instance, group: list[Task], width: int) -> list[set[date]]:
    """Windows of ``width`` consecutive days across the group's period."""
    movable = [t for t in group if t.fixed is None and t.starts]
    all_days = sorted(set().union(*(days_of(inst, t) for t in movable))) if movable else []
    return [set(all_days[i : i + width]) for i in range(max(1, len(all_days) - width + 1))] if all_days else []


def in_window(inst: Instance, group: list[Task], placements: list[Placement], window: set[date]) -> list[Neighbourhood]:
    """The meetings placed in ``window`` now, and the unplaced ones that could be, split by time of day where
    the window is busier than a step can settle."""
    placed_at = {pl.task.id: inst.local_day(pl.start) for pl in placements}
    start_of = {pl.task.id: pl.start for pl in placements}
    free = [
        t
        for t in group
        if t.fixed is None
        and t.starts
        and (placed_at[t.id] in window if t.id in placed_at else bool(days_of(inst, t) & window))
    ]
    label = f"days {min(window)} to {max(window)}" if len(window) > 1 else f"day {min(window)}"
    out = []
    for part in _split(free, start_of):
        part = with_chains(part, group)
        if part:
            # Each free over its whole window: a meeting of this day may make room by going to another.
            days = set().union(*(days_of(inst, t) for t in part))
            out.append(Neighbourhood("days", part, days, None, label))
    return out


def _split(free: list[Task], starts: dict[str, int]) -> list[list[Task]]:
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


def targets(inst: Instance, group: list[Task], placements: list[Placement], best_values: dict[str, int]) -> list[Task]:
    """Requests worth building a neighbourhood around: those not placed (that could be), then those placed
    below what they could be worth on their own (an agency or an optional invitee short)."""
    placed = {pl.task.id: pl for pl in placements}
    unplaced = [t for t in group if t.fixed is None and t.starts and t.id not in placed]
    short = []
    if best_values:
        from scheduler.solver.objective import W_OPTIONAL, placement_value

        for t in group:
            pl = placed.get(t.id)
            worth = best_values.get(t.id)
            if (
                pl is not None
                and t.fixed is None
                and worth is not None
                and worth - placement_value(inst, pl).total >= W_OPTIONAL
            ):
                short.append(t)
    return unplaced + short
