"""The last pass over any schedule: bring in everyone who could come and would make it better.

The search stages decide when meetings go and who fills the places; under contention they may run out of
time before the lower tiers (optional invitees, the officer who knows the family) are settled, and the
pooled stage names people without them. So after every solve each placed meeting is looked at once more:
an optional invitee who is on duty (or may be asked in), free, not travelling, under the daily limit is
added where that raises the score, and a slot held by someone new to the case is handed to a free
candidate who knows it. Nothing is moved, so no rule another meeting relies on can break, and the score
only rises. It is cheap (a diary lookup per person), so it runs whatever time is left.
"""

from __future__ import annotations

from collections import Counter

from scheduler.solver.greedy import Diary
from scheduler.solver.objective import (
    Attendance,
    Placement,
    continuity_people,
    fairness_penalty,
    placement_value,
)


def _load_change(loads: Counter[str], pl: Placement, added: str | None, removed: str | None) -> int:
    """The change in the fair-spread penalty (a cost: positive is worse) from one person in, one out."""
    if pl.task.follows is not None:
        return 0
    people = [p for p in (added, removed) if p is not None]
    before = fairness_penalty(Counter({p: loads[p] for p in people}))
    after = Counter({p: loads[p] for p in people})
    if added is not None:
        after[added] += 1
    if removed is not None:
        after[removed] -= 1
    return fairness_penalty(after) - before


def fill(placements: list[Placement], diary: Diary) -> list[Placement]:
    """``placements`` with every addition or swap that raises the score made (``diary`` holds them all)."""
    inst = diary.inst
    loads: Counter[str] = Counter()
    for pl in placements:
        if pl.task.follows is None:
            loads.update(a.person for a in pl.attendees)
    out = []
    for pl in sorted(placements, key=lambda x: (x.start, x.task.id)):
        t = pl.task
        if t.fixed is not None:
            out.append(pl)
            continue
        current = pl
        present = {a.person for a in current.attendees}
        for person, required in t.request.invitees:
            if required or person in present or not diary.free(person, t, current.k):
                continue
            trial = Placement(
                t,
                current.k,
                [*current.attendees, Attendance(person, "optional", None, t.off_duty_at(person, current.k))],
                current.room,
            )
            gain = placement_value(inst, trial).total - placement_value(inst, current).total
            if gain - _load_change(loads, current, person, None) > 0:
                current = _swap(diary, current, trial, loads, person, None)
                present.add(person)
        for j, slot in enumerate(t.request.slots):
            keen = continuity_people(t, j)
            holders = [a for a in current.attendees if a.role == "slot" and a.slot == slot.label]
            for c in sorted(keen & set(slot.candidates) - present):
                if not diary.free(c, t, current.k):
                    continue
                newcomers = [a for a in holders if a.person not in keen]
                if not newcomers:
                    break
                out_of = newcomers[-1]
                kept = [a for a in current.attendees if a is not out_of]
                trial = Placement(
                    t, current.k, [*kept, Attendance(c, "slot", slot.label, t.off_duty_at(c, current.k))], current.room
                )
                gain = placement_value(inst, trial).total - placement_value(inst, current).total
                if gain - _load_change(loads, current, c, out_of.person) > 0:
                    current = _swap(diary, current, trial, loads, c, out_of.person)
                    present.add(c)
                    present.discard(out_of.person)
                    holders = [a for a in current.attendees if a.role == "slot" and a.slot == slot.label]
        out.append(current)
    return out


def _swap(
    diary: Diary, old: Placement, new: Placement, loads: Counter[str], added: str | None, removed: str | None
) -> Placement:
    diary.remove(old.task.id)
    diary.add(new)
    if old.task.follows is None:
        if added is not None:
            loads[added] += 1
        if removed is not None:
            loads[removed] -= 1
    return new
