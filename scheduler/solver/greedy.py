"""The greedy baseline: what a coordinator with a scheduling assistant does.

Requests in deadline order (urgent first on a tie), each put at the earliest
start that maximises required then total attendance, given the meetings
already placed; no look-ahead. It is the peer CP-SAT must beat, and its
schedule is CP-SAT's starting hint. ``Diary`` and ``assign`` (who can attend
a start, given the meetings already placed) are shared with the explanations
and alternatives.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from scheduler.solver.budget import UNLIMITED, Budget
from scheduler.solver.instance import Instance, Task, room_options
from scheduler.solver.objective import Attendance, Placement, case_attendees, continuity_people


@dataclass
class Diary:
    """The meetings placed so far: each person's and room's busy time and meetings per day."""

    inst: Instance
    busy: dict[str, list[tuple[int, int, str, bool]]] = field(default_factory=lambda: defaultdict(list))
    per_day: dict[tuple[str, date], int] = field(default_factory=lambda: defaultdict(int))
    rooms: dict[str, list[tuple[int, int, str]]] = field(default_factory=lambda: defaultdict(list))
    on_day: dict[tuple[str, date], set[str]] = field(default_factory=lambda: defaultdict(set))  # the meetings
    placements: dict[str, Placement] = field(default_factory=dict)

    def add(self, pl: Placement) -> None:
        lo, hi = pl.task.span(pl.k)
        s, e = pl.task.meeting(pl.k)
        day = self.inst.local_day(pl.start)
        for a in pl.attendees:
            self.busy[a.person].append((lo, hi, pl.task.id, False))
            self.busy[a.person].append((s, e, pl.task.id, True))
            self.per_day[(a.person, day)] += 1
            self.on_day[(a.person, day)].add(pl.task.id)
        if pl.room:
            self.rooms[pl.room].append((s, e, pl.task.id))
        self.placements[pl.task.id] = pl

    def remove(self, request_id: str) -> None:
        pl = self.placements.pop(request_id)
        day = self.inst.local_day(pl.start)
        for a in pl.attendees:
            self.busy[a.person] = [b for b in self.busy[a.person] if b[2] != request_id]
            self.per_day[(a.person, day)] -= 1
            self.on_day[(a.person, day)].discard(request_id)
        if pl.room:
            self.rooms[pl.room] = [b for b in self.rooms[pl.room] if b[2] != request_id]

    def conflict(self, person: str, task: Task, k: int) -> tuple[str, str] | None:
        """('clash'|'travel'|'daily_limit', other request) if the person cannot take this start."""
        lo, hi = task.span(k)
        s, e = task.meeting(k)
        travel_hit = None
        for b_lo, b_hi, other, is_meeting in self.busy.get(person, ()):
            if other == task.id:
                continue
            if is_meeting and b_lo < e and b_hi > s:
                return "clash", other
            if not is_meeting and b_lo < hi and b_hi > lo:
                travel_hit = other
        if travel_hit is not None:
            return "travel", travel_hit
        if self.per_day.get((person, self.inst.local_day(task.starts[k])), 0) >= self.inst.max_per_day:
            return "daily_limit", ""
        return None

    def free(self, person: str, task: Task, k: int) -> bool:
        return task.can(person, k) and self.conflict(person, task, k) is None

    def room_for(self, task: Task, k: int) -> str | Literal[False] | None:
        """A free hub room big enough (smallest first); None if no room is needed; False if none is free."""
        r = task.request
        options = room_options(self.inst.partnership, task)
        if options is None:
            return None
        s, e = task.meeting(k)
        for room in sorted(options, key=lambda x: (x.capacity, x.id)):
            if not any(b_lo < e and b_hi > s for b_lo, b_hi, other in self.rooms.get(room.id, ()) if other != r.id):
                return room.id
        return False


def fixed_placement(task: Task) -> Placement:
    """A locked or sent meeting as it stands: its time and its attendees."""
    assert task.fixed is not None
    r = task.request
    roles = {p: ("required" if req else "optional") for p, req in r.invitees}
    slot_of = {c: s.label for s in r.slots for c in s.candidates}
    attendees = [
        Attendance(p, roles.get(p, "slot"), None if p in roles else slot_of.get(p)) for p in task.fixed.attendees
    ]
    return Placement(task, 0, attendees, task.fixed.room)


def follows_in_time(diary: Diary, task: Task, k: int) -> bool:
    """A follow-up only after the meeting it follows is placed, and at start ``k`` only by its deadline."""
    if task.depends_on is None:
        return True
    dep = diary.placements.get(task.depends_on)
    if dep is None:
        return False
    lo, hi = task.deadline_after[dep.k]
    s, e = task.meeting(k)
    return lo <= s and e <= hi


def assign(diary: Diary, task: Task, k: int) -> Placement | None:
    """Everyone who can attend start ``k``, slots filled by the best fits; None if required attendance fails."""
    r = task.request
    if task.fixed is not None:
        return fixed_placement(task)
    if not follows_in_time(diary, task, k):
        return None
    attendees: list[Attendance] = []
    for person, required in r.invitees:
        if diary.free(person, task, k):
            off = task.off_duty_at(person, k)
            attendees.append(Attendance(person, "required" if required else "optional", None, off))
        elif required:
            return None
    taken = {a.person for a in attendees}
    case_people = case_attendees(diary.placements, Placement(task, k, []))
    for index, slot in enumerate(r.slots):
        preferred = continuity_people(task, index) | case_people
        options = [c for c in slot.candidates if c not in taken and diary.free(c, task, k)]
        options.sort(
            key=lambda c: (c not in preferred, k not in task.on_duty.get(c, ()), len(diary.busy.get(c, ())), c)
        )
        if len(options) < slot.count:
            return None
        for c in options[: slot.count]:
            off = task.off_duty_at(c, k)
            attendees.append(Attendance(c, "slot", slot.label, off))
            taken.add(c)
    room = diary.room_for(task, k)
    if room is False:
        return None
    return Placement(task, k, attendees, room or None)


def deadline_order(inst: Instance) -> list[Task]:
    """Fixed meetings first (they are already in people's diaries), then by deadline, urgent first."""
    order = {t.id: i for i, t in enumerate(inst.tasks)}

    def depth(t: Task) -> int:
        n, seen = 0, set()
        while t.depends_on and t.depends_on not in seen:
            seen.add(t.depends_on)
            n += 1
            t = inst.task(t.depends_on) if any(x.id == t.depends_on for x in inst.tasks) else t
        return n

    return sorted(
        inst.tasks, key=lambda t: (t.fixed is None, depth(t), t.window[1], t.request.urgency != "urgent", order[t.id])
    )


def greedy(inst: Instance, budget: Budget = UNLIMITED) -> list[Placement]:
    diary = Diary(inst)
    for i, task in enumerate(deadline_order(inst)):
        budget.check("placing the requests one by one (greedy)", i, len(inst.tasks))
        best: Placement | None = None
        best_key: tuple[int, int] | None = None
        for k in range(len(task.starts)):
            pl = assign(diary, task, k)
            if pl is None:
                continue
            key = (1, len(pl.attendees))  # required complete (always, when assign succeeds), then attendance
            if best_key is None or key > best_key:
                best, best_key = pl, key
        if best is not None:
            diary.add(best)
    return list(diary.placements.values())
