"""The CP-SAT model of one group of tasks: one method per constraint family, the objective's labelled terms.

Building only: solving it, reading placements back and the time budget live in ``solver.cpsat``. A request
that cannot be placed simply has ``placed = 0``, so the model is never infeasible because of one request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ortools.sat.python import cp_model

from scheduler.solver.budget import UNLIMITED, Budget
from scheduler.solver.greedy import fixed_placement
from scheduler.solver.instance import RATE_TIME_AND_A_HALF, Instance, Task, room_options
from scheduler.solver.objective import (
    W_AGENCY,
    W_CONTINUITY,
    W_DAY_LATER,
    W_OFF_DUTY,
    W_OPTIONAL,
    W_PLACE,
    W_SECOND,
    W_THIRD_PLUS,
    W_TIME_AND_A_HALF,
    Placement,
    continuity_people,
    days_later,
    placement_value,
)


class ScheduleModel:
    """The CP-SAT model for one independent group of tasks."""

    def __init__(
        self, inst: Instance, tasks: list[Task], load_offset: dict[str, int] | None = None, budget: Budget = UNLIMITED
    ) -> None:
        self.inst = inst
        self.tasks = tasks
        # A city's full model takes seconds to build at a busy moment: its families check the time as they go.
        self.budget = budget
        # Meetings outside the model that count towards each person's fair-spread load (a neighbourhood).
        self.load_offset = load_offset or {}
        self.m = cp_model.CpModel()
        self.agency = inst.agency_of
        self.x: dict[str, list[cp_model.IntVar]] = {}
        self.placed: dict[str, cp_model.IntVar] = {}
        self.start: dict[str, cp_model.IntVar] = {}
        self.att: dict[tuple[str, str], cp_model.IntVar] = {}  # (task, person) -> attends
        self.slot: dict[tuple[str, int, str], cp_model.IntVar] = {}  # (task, slot index, person) -> fills it
        self.room: dict[tuple[str, str], cp_model.IntVar] = {}
        self.day_vars: dict[str, dict[object, cp_model.IntVar]] = {}
        # The auxiliary variables, kept so a hint can give every variable a value (a complete hint lets
        # CP-SAT start from the incumbent instead of a worse completion of it).
        self.present: dict[tuple[str, str], cp_model.IntVar] = {}  # (task, agency) -> present
        self.daily: list[tuple[cp_model.IntVar, str, str, object]] = []  # (var, person, task, day)
        self.off: list[tuple[cp_model.IntVar, str, str, list[int]]] = []  # (var, task, person, starts)
        self.loads: list[tuple[str, list[str], int, cp_model.IntVar, cp_model.IntVar]] = []  # who, tasks, +, 2nd, 3+
        self.by_id = {t.id: t for t in tasks}
        # Per task, the keys above (a scan of every key per task made a city's neighbourhood quadratic).
        self.people_of: dict[str, list[str]] = defaultdict(list)
        self.slots_of: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.rooms_of: dict[str, list[str]] = defaultdict(list)
        self.terms: list[tuple[str, int, cp_model.LinearExprT]] = []  # (label, weight, expression)

    def build(self) -> ScheduleModel:
        self.add_start_choice()
        self.add_attendance()
        self.add_dependencies()
        self.add_no_overlap()
        self.add_daily_limit()
        self.add_rooms()
        self.add_objective()
        return self

    def _each(self, family: str) -> Iterator[Task]:
        for n, t in enumerate(self.tasks):
            self.budget.check(f"building the model ({family})", n, len(self.tasks))
            yield t

    def _attends(self, tid: str, person: str, var: cp_model.IntVar) -> None:
        if (tid, person) not in self.att:
            self.people_of[tid].append(person)
        self.att[(tid, person)] = var

    # -- constraint families -------------------------------------------------------------

    def add_start_choice(self) -> None:
        """At most one start per request; placed iff one is chosen; a fixed meeting is placed."""
        for t in self._each("starts"):
            xs = [self.m.new_bool_var(f"x[{t.id},{k}]") for k in range(len(t.starts))]
            placed = self.m.new_bool_var(f"placed[{t.id}]")
            self.m.add(sum(xs) == placed)
            if t.fixed is not None:
                self.m.add(placed == 1)
            self.x[t.id], self.placed[t.id] = xs, placed
            base = t.starts[0] if t.starts else 0
            top = t.starts[-1] if t.starts else 0
            start = self.m.new_int_var(base, top, f"start[{t.id}]")
            self.m.add(start == base + sum((s - base) * x for s, x in zip(t.starts, xs, strict=True)))
            self.start[t.id] = start

    def _only_when_able(self, t: Task, person: str, attends: cp_model.IntVar) -> None:
        """``attends`` only if the chosen start is one the person can make.

        At most one start is chosen, so ``attends <= sum(x at starts they can make)`` is the
        same as ``attends + sum(x at starts they cannot) <= placed``: write the shorter one,
        which keeps presolve fast when people can make most (or few) of the starts.
        """
        xs = self.x[t.id]
        can = sorted(t.able(person))
        if len(can) * 2 <= len(xs):
            self.m.add(attends <= sum(xs[k] for k in can))
        else:
            cannot = set(range(len(xs))) - set(can)
            self.m.add(attends + sum(xs[k] for k in cannot) <= self.placed[t.id])

    def add_attendance(self) -> None:
        """Required invitees attend every placed meeting; optional ones and slot fillers only when they can."""
        for t in self._each("attendance"):
            r, placed = t.request, self.placed[t.id]
            if t.fixed is not None:
                for person in t.fixed.attendees:
                    self._attends(t.id, person, placed)
                continue
            for person, required in r.invitees:
                if required:
                    self._attends(t.id, person, placed)
                else:
                    a = self.m.new_bool_var(f"opt[{t.id},{person}]")
                    self._only_when_able(t, person, a)
                    self._attends(t.id, person, a)
            fills: dict[str, list[cp_model.IntVar]] = defaultdict(list)
            for j, slot in enumerate(r.slots):
                ys = []
                for c in slot.candidates:
                    y = self.m.new_bool_var(f"slot[{t.id},{j},{c}]")
                    self._only_when_able(t, c, y)
                    self.slot[(t.id, j, c)] = y
                    self.slots_of[t.id].append((j, c))
                    fills[c].append(y)
                    ys.append(y)
                self.m.add(sum(ys) == slot.count * placed)
            for c, ys in fills.items():
                a = self.m.new_bool_var(f"att[{t.id},{c}]")
                self.m.add(a == sum(ys))  # also: one person fills at most one slot of a meeting
                self._attends(t.id, c, a)

    def add_dependencies(self) -> None:
        """'Within N working days of' another request: after it ends, by its deadline, and only if it is placed."""
        ids = {t.id for t in self.tasks}
        for t in self._each("follow-ups"):
            if t.depends_on is None or t.depends_on not in ids:
                continue
            ref_x = self.x[t.depends_on]
            self.m.add(self.placed[t.id] <= self.placed[t.depends_on])
            lo = sum(t.deadline_after[k][0] * x for k, x in enumerate(ref_x))
            hi = sum(t.deadline_after[k][1] * x for k, x in enumerate(ref_x))
            self.m.add(self.start[t.id] >= lo).only_enforce_if(self.placed[t.id])
            self.m.add(self.start[t.id] + t.request.duration <= hi).only_enforce_if(self.placed[t.id])

    def _by_person(self) -> dict[str, list[Task]]:
        out: dict[str, list[Task]] = defaultdict(list)
        for tid, person in self.att:
            out[person].append(self.by_id[tid])
        return out

    def add_no_overlap(self) -> None:
        """Nobody in two places at once, travel included."""
        by_person = self._by_person()
        for n, (person, tasks) in enumerate(by_person.items()):
            self.budget.check("building the model (no overlap)", n, len(by_person))
            if len(tasks) < 2:
                continue
            intervals = []
            for t in tasks:
                travel, length = t.request.travel, t.request.duration + 2 * t.request.travel
                intervals.append(
                    self.m.new_optional_fixed_size_interval_var(
                        self.start[t.id] - travel, length, self.att[(t.id, person)], f"busy[{person},{t.id}]"
                    )
                )
            self.m.add_no_overlap(intervals)

    def add_daily_limit(self) -> None:
        """At most the partnership's number of meetings per person per day."""
        limit = self.inst.max_per_day
        by_person = self._by_person()
        for n, (person, tasks) in enumerate(by_person.items()):
            self.budget.check("building the model (daily limit)", n, len(by_person))
            if len(tasks) <= limit:
                continue
            by_day: dict[object, list[cp_model.IntVar]] = defaultdict(list)
            for t in tasks:
                for day, on_day in self._on_day(t).items():
                    w = self.m.new_bool_var(f"day[{person},{t.id},{day}]")
                    self.m.add(w >= self.att[(t.id, person)] + on_day - 1)
                    self.daily.append((w, person, t.id, day))
                    by_day[day].append(w)
            for ws in by_day.values():
                if len(ws) > limit:
                    self.m.add(sum(ws) <= limit)

    def _on_day(self, t: Task) -> dict[object, cp_model.IntVar]:
        """One variable per day: the meeting is that day (shared by everyone's daily limit)."""
        if t.id not in self.day_vars:
            days: dict[object, list[cp_model.IntVar]] = defaultdict(list)
            for k, s in enumerate(t.starts):
                days[self.inst.local_day(s)].append(self.x[t.id][k])
            self.day_vars[t.id] = {}
            for day, xs in days.items():
                v = self.m.new_bool_var(f"on[{t.id},{day}]")
                self.m.add(v == sum(xs))
                self.day_vars[t.id][day] = v
        return self.day_vars[t.id]

    def add_rooms(self) -> None:
        """Hub meetings get a room big enough; no room holds two meetings at once."""
        rooms = self.inst.partnership.rooms
        per_room: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        for t in self._each("rooms"):
            r = t.request
            options = room_options(self.inst.partnership, t)
            if options is None:
                continue
            if t.fixed is not None and t.fixed.room:
                options = [x for x in rooms if x.id == t.fixed.room]
            vs = []
            for room in options:
                v = self.m.new_bool_var(f"room[{t.id},{room.id}]")
                self.room[(t.id, room.id)] = v
                self.rooms_of[t.id].append(room.id)
                vs.append(v)
                per_room[room.id].append(
                    self.m.new_optional_fixed_size_interval_var(
                        self.start[t.id], r.duration, v, f"room[{room.id},{t.id}]"
                    )
                )
            self.m.add(sum(vs) == self.placed[t.id])
        for intervals in per_room.values():
            if len(intervals) > 1:
                self.m.add_no_overlap(intervals)

    # -- objective -----------------------------------------------------------------------

    def add_objective(self) -> None:
        """The terms of ``scheduler.objective``, each kept with its label."""
        for t in self._each("objective"):
            r, xs = t.request, self.x[t.id]
            self.terms.append((f"{t.id}: placed", W_PLACE[r.urgency], self.placed[t.id]))
            people = self.people_of[t.id]
            for agency in sorted({self.agency[p] for p in people}):
                g = self.m.new_bool_var(f"agency[{t.id},{agency}]")
                self.present[(t.id, agency)] = g
                self.m.add(g <= sum(self.att[(t.id, p)] for p in people if self.agency[p] == agency))
                self.terms.append((f"{t.id}: agency {agency} present", W_AGENCY, g))
            if t.fixed is not None:
                # Its other terms are constants, kept so the model's objective is ``score``'s to the unit.
                pl = fixed_placement(t)
                present = {self.agency[a.person] for a in pl.attendees}
                rest = placement_value(self.inst, pl).total - W_PLACE[r.urgency] - W_AGENCY * len(present)
                self.terms.append((f"{t.id}: fixed meeting's other terms", 1, rest))
            else:
                for person, required in r.invitees:
                    if not required:
                        self.terms.append((f"{t.id}: optional {person}", W_OPTIONAL, self.att[(t.id, person)]))
                self._continuity_terms(t)
                later = sum(W_DAY_LATER[r.urgency] * days_later(self.inst, t, k) * x for k, x in enumerate(xs))
                self.terms.append((f"{t.id}: days after the window opens", -1, later))
                self._off_duty_terms(t)
        self._fairness_terms()
        self.m.maximize(sum(w * e for _, w, e in self.terms))

    def _continuity_terms(self, t: Task) -> None:
        """A slot filled by someone who already attended the case (a fixed or sent meeting), or preferred."""
        for j, c in self.slots_of[t.id]:
            if c in continuity_people(t, j):
                self.terms.append((f"{t.id}: continuity {c}", W_CONTINUITY, self.slot[(t.id, j, c)]))

    def chain_continuity(self) -> list[cp_model.IntVar]:
        """One variable per slot filled by someone at a meeting its request follows (the tie-break)."""
        out = []
        for t in self.tasks:
            earlier = [o for o in self.tasks if o.id in earlier_in_chain(t, self.tasks)]
            for j, c in self.slots_of[t.id]:
                y = self.slot[(t.id, j, c)]
                elsewhere = [self.att[(o.id, c)] for o in earlier if (o.id, c) in self.att]
                if elsewhere:
                    b = self.m.new_bool_var(f"chain[{t.id},{j},{c}]")
                    self.m.add(b <= y)
                    self.m.add(b <= sum(elsewhere))
                    out.append(b)
        return out

    def _off_duty_terms(self, t: Task) -> None:
        for person, costs in t.off_duty.items():
            if (t.id, person) not in self.att:
                continue
            for rate_class in (False, True):
                ks = [k for k, c in costs.items() if (c.rate >= RATE_TIME_AND_A_HALF) == rate_class]
                if not ks:
                    continue
                z = self.m.new_bool_var(f"off[{t.id},{person},{rate_class}]")
                self.off.append((z, t.id, person, ks))
                self.m.add(z >= self.att[(t.id, person)] + sum(self.x[t.id][k] for k in ks) - 1)
                weight = W_OFF_DUTY + (W_TIME_AND_A_HALF if rate_class else 0)
                self.terms.append((f"{t.id}: {person} off duty", -weight, z))

    def _fairness_terms(self) -> None:
        """Spread meetings: a person's second in the batch costs a little, each beyond it more.

        A meeting that follows another in a chain (a conference after its strategy discussion) is
        not counted, so the same officer on both, continuity, costs nothing.
        """
        for person, tasks in self._by_person().items():
            counted = [t for t in tasks if t.follows is None]
            extra = self.load_offset.get(person, 0)
            if not counted or len(counted) + extra < 2:
                continue
            load = sum(self.att[(t.id, person)] for t in counted) + extra
            beyond2 = self.m.new_int_var(0, len(counted) + extra, f"beyond2[{person}]")
            second = self.m.new_bool_var(f"second[{person}]")
            self.m.add(beyond2 >= load - 2)
            self.m.add(second >= load - 1 - beyond2)
            self.loads.append((person, [t.id for t in counted], extra, second, beyond2))
            self.terms.append((f"{person}: second meeting", -W_SECOND, second))
            self.terms.append((f"{person}: meetings beyond the second", -W_THIRD_PLUS, beyond2))

    # -- hint and solve --------------------------------------------------------------------

    def add_hint(self, placements: list[Placement]) -> None:
        """Hint every variable from a schedule (greedy's, or the incumbent), so the search starts from it."""
        self.m.clear_hints()  # type: ignore[no-untyped-call]  # OR-Tools leaves clear_hints unannotated
        hinted: set[int] = set()

        def hint(v: cp_model.IntVar, value: int | bool) -> None:
            if v.index not in hinted:  # a required invitee's attendance is the meeting's own placed variable
                hinted.add(v.index)
                self.m.add_hint(v, int(value))

        chosen = {pl.task.id: pl for pl in placements if pl.task.id in self.by_id}
        attends = {(tid, a.person) for tid, pl in chosen.items() for a in pl.attendees}
        for t in self.tasks:
            pl = chosen.get(t.id)
            for k, x in enumerate(self.x[t.id]):
                hint(x, pl is not None and pl.k == k)
            hint(self.placed[t.id], pl is not None)
            hint(self.start[t.id], pl.start if pl is not None else t.starts[0] if t.starts else 0)
        for key, v in self.att.items():
            hint(v, key in attends)
        filled: set[tuple[str, str]] = set()  # one slot each, even where two slots share a label
        for (tid, j, c), y in self.slot.items():
            pl = chosen.get(tid)
            label = self.by_id[tid].request.slots[j].label
            fills = (
                pl is not None
                and (tid, c) not in filled
                and any(a.person == c and a.slot == label for a in pl.attendees)
            )
            if fills:
                filled.add((tid, c))
            hint(y, fills)
        for (tid, room), v in self.room.items():
            pl = chosen.get(tid)
            hint(v, pl is not None and pl.room == room)
        agencies = {(tid, self.agency[p]) for tid, p in attends}
        for key, g in self.present.items():
            hint(g, key in agencies)
        for tid, days in self.day_vars.items():
            pl = chosen.get(tid)
            for day, v in days.items():
                hint(v, pl is not None and self.inst.local_day(pl.start) == day)
        for w, person, tid, day in self.daily:
            pl = chosen.get(tid)
            hint(w, pl is not None and (tid, person) in attends and self.inst.local_day(pl.start) == day)
        for z, tid, person, ks in self.off:
            pl = chosen.get(tid)
            hint(z, pl is not None and (tid, person) in attends and pl.k in ks)
        for person, tids, extra, second, beyond2 in self.loads:
            load = sum((tid, person) in attends for tid in tids) + extra
            hint(beyond2, max(0, load - 2))
            hint(second, 1 if load >= 2 else 0)


def earlier_in_chain(t: Task, tasks: list[Task]) -> set[str]:
    """The meetings ``t`` must follow, directly or through others ("within N working days of")."""
    by_id = {x.id: x for x in tasks}
    out: set[str] = set()
    ref = t.depends_on
    while ref is not None and ref in by_id and ref not in out:
        out.add(ref)
        ref = by_id[ref].depends_on
    return out
