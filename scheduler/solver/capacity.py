"""The capacity model: when each meeting starts, and whether the people who could come add up.

The full model (``solver.model``) chooses a start *and* who fills each place; under contention it is too big
to search well and its bound says almost nothing (its no-overlap constraints relax to nothing). This model
keeps only the starts, one yes/no per (request, start): an *option*, and counts people instead of naming
them. For every option it knows, per *component* of people (those linked by sharing a slot's candidates:
the hub officers, a nurse team, one caseholder), how many of that component the meeting needs and which
of them could come at that start. Then, for any set T of a component's people, every meeting that only T
could staff uses |T| at most at any moment and ``max_meetings_per_day`` times |T| in a day (Hall's
condition, asked of the sets that matter: who can make each start). When a unit works as one relief its
officers can make the same starts, and this is the pooled model's constraint; when every officer is on
their own relief it is still exact at each moment, where pooling people would find nobody
interchangeable.

Every schedule satisfies these constraints, and each option's value is the most its meeting could be
worth there on its own (``solver.limit``), so the optimum of the linear relaxation is an upper bound on
every schedule's objective. It is built from lists of numbers, not an object per term, so a month of a
city's surge (25,000 starts) builds in well under a second; CP-SAT also searches it quickly for starts to
aim for, which ``solver.realise`` staffs with named people.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from scheduler.solver.budget import UNLIMITED, Budget
from scheduler.solver.greedy import fixed_placement
from scheduler.solver.instance import Instance, Task, room_set
from scheduler.solver.limit import start_limits
from scheduler.solver.objective import W_AGENCY, W_PLACE, Placement, placement_value
from scheduler.solver.relaxation import LinearProgram
from scheduler.solver.sat import Effort, Outcome, configure, solve

MAX_SETS_PER_DAY = 16  # sets T asked about per component and day (the most used; the whole component always)


def maximal_cliques(spans: list[tuple[int, int]]) -> list[list[int]]:
    """Indexes of the intervals [lo, hi) covering each point where a maximal set of them overlaps.

    In an interval graph every maximal clique is the set covering some left endpoint, and the set at one
    left endpoint is contained in the set at the next unless an interval ends in between: only the
    others are kept, so hundreds of options give a few dozen constraints, not thousands.
    """
    if not spans:
        return []
    los = sorted({lo for lo, _ in spans})
    his = sorted({hi for _, hi in spans})
    points, j = [], 0
    for i, tau in enumerate(los):
        nxt = los[i + 1] if i + 1 < len(los) else None
        while j < len(his) and his[j] <= tau:
            j += 1
        if nxt is None or (j < len(his) and his[j] <= nxt):
            points.append(tau)
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    out: list[list[int]] = []
    active: list[int] = []
    pos = 0
    for tau in points:
        while pos < len(order) and spans[order[pos]][0] <= tau:
            active.append(order[pos])
            pos += 1
        active = [i for i in active if spans[i][1] > tau]
        if len(active) > 1:
            out.append(list(active))
    return out


class _Components:
    """People linked by sharing a slot's candidates (union-find), each with a bit per member."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, a: str) -> str:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, people: list[str]) -> None:
        if people:
            root = self.find(people[0])
            for p in people[1:]:
                other = self.find(p)
                if other != root:
                    self.parent[other] = root

    def members(self) -> tuple[dict[str, str], dict[str, int], dict[str, int]]:
        """(person -> component, person -> bit, component -> size)."""
        of = {p: self.find(p) for p in sorted(self.parent)}
        bit: dict[str, int] = {}
        size: dict[str, int] = defaultdict(int)
        for p, root in of.items():
            bit[p] = 1 << size[root]
            size[root] += 1
        return of, bit, dict(size)


@dataclass
class _Item:
    """A use of a component's people on one day: an option (a variable) or a fixed meeting (a constant)."""

    option: int | None  # None: fixed
    lo: int
    hi: int
    need: int
    mask: int


@dataclass
class CapacityModel:
    """The capacity model of one group of tasks as plain lists (see the module's docstring)."""

    inst: Instance
    tasks: list[Task]
    budget: Budget = UNLIMITED
    # Options: one per (movable task, start).
    task_of: list[str] = field(default_factory=list)
    k_of: list[int] = field(default_factory=list)
    value: list[int] = field(default_factory=list)  # the most the meeting is worth at that start
    tiers: list[int] = field(default_factory=list)  # the first two tiers alone, in agencies
    places: list[int] = field(default_factory=list)  # the first tier alone (placed: 200 urgent, 100 normal)
    options_of: dict[str, list[int]] = field(default_factory=dict)
    constant: int = 0  # locked and sent meetings' value
    # Rows: sum(coef * x[option]) <= rhs.
    rows: list[tuple[list[int], list[int], int]] = field(default_factory=list)

    @property
    def nonzeros(self) -> int:
        return sum(len(idx) for idx, _, _ in self.rows) + len(self.task_of)

    def build(self) -> CapacityModel:
        movable = [t for t in self.tasks if t.fixed is None and t.starts]
        rooms_of = {t.id: room_set(self.inst.partnership, t) for t in self.tasks}
        for n, t in enumerate(movable):
            self.budget.check("building the capacity model", n, len(movable))
            if rooms_of[t.id] is not None and not rooms_of[t.id]:
                continue  # no room could ever hold it
            per_start = start_limits(self.inst, t)
            first = len(self.task_of)
            place = W_PLACE[t.request.urgency] // W_AGENCY
            for k, best in enumerate(per_start):
                self.task_of.append(t.id)
                self.k_of.append(k)
                self.value.append(best.value)
                self.tiers.append(place + best.agencies)
                self.places.append(place)
            self.options_of[t.id] = list(range(first, len(self.task_of)))
        for t in self.tasks:
            if t.fixed is not None:
                self.constant += placement_value(self.inst, fixed_placement(t)).total
        self._add_people()
        self._add_rooms(rooms_of)
        self._add_dependencies()
        return self

    # -- constraint families -------------------------------------------------------------

    def _add_people(self) -> None:
        """Per component, day and set of its people: no more meetings at any moment, or in the day, than fit."""
        comps = _Components()
        for t in self.tasks:
            if t.id not in self.options_of:
                continue
            for p, required in t.request.invitees:
                if required:
                    comps.union([p])
            for slot in t.request.slots:
                comps.union(list(slot.candidates))
        of, bit, size = comps.members()
        items: dict[tuple[str, object], list[_Item]] = defaultdict(list)  # (component, day) -> uses
        for n, t in enumerate(self.tasks):
            self.budget.check("counting who could come to each meeting", n, len(self.tasks))
            if t.fixed is not None:
                lo, hi = t.span(0)
                day = self.inst.local_day(t.starts[0])
                for p in t.fixed.attendees:
                    if p in of:
                        items[(of[p], day)].append(_Item(None, lo, hi, 1, bit[p]))
                continue
            if t.id not in self.options_of:
                continue
            self._task_items(t, of, bit, items)
        for (comp, _day), uses in items.items():
            self._sets(uses, size[comp])

    def _task_items(
        self, t: Task, of: dict[str, str], bit: dict[str, int], items: dict[tuple[str, object], list[_Item]]
    ) -> None:
        r = t.request
        n = len(t.starts)
        need: dict[str, int] = defaultdict(int)
        masks: dict[str, list[int]] = {}
        for p, required in r.invitees:
            if required:
                comp = of[p]
                need[comp] += 1
                masks.setdefault(comp, [0] * n)
                for k in range(n):
                    masks[comp][k] |= bit[p]
        for slot in r.slots:
            if not slot.candidates:
                continue
            comp = of[slot.candidates[0]]
            need[comp] += slot.count
            mask = masks.setdefault(comp, [0] * n)
            for c in slot.candidates:
                b = bit[c]
                for k in t.able(c):
                    mask[k] |= b
        options = self.options_of[t.id]
        days = [self.inst.local_day(s) for s in t.starts]
        for comp, mask in masks.items():
            for k, i in enumerate(options):
                lo, hi = t.span(k)
                items[(comp, days[k])].append(_Item(i, lo, hi, need[comp], mask[k]))

    def _sets(self, uses: list[_Item], members: int) -> None:
        """The constraints of one component's day: for each set T asked about, at every moment and in all."""
        counts: dict[int, int] = defaultdict(int)
        whole = 0
        for u in uses:
            if u.option is not None:
                counts[u.mask] += 1
                whole |= u.mask
        if not counts:
            return
        chosen = sorted(counts, key=lambda m: (-counts[m], m))[:MAX_SETS_PER_DAY]
        if whole not in chosen:
            chosen.append(whole)
        limit = self.inst.max_per_day
        for T in chosen:
            size = T.bit_count()
            inside = [u for u in uses if u.mask & ~T == 0]
            if not any(u.option is not None for u in inside):
                continue
            for clique in maximal_cliques([(u.lo, u.hi) for u in inside]):
                self._at_most([inside[i] for i in clique], size)
            self._at_most(inside, limit * size)  # the daily limit of each of them
        for a in chosen:
            for b in chosen:
                if a != b and a & ~b == 0:
                    self._day_and_moment(uses, a, b)

    def _day_and_moment(self, uses: list[_Item], a: int, b: int) -> None:
        """Sets A inside B: the meetings only A can staff all day, and those only B can at one moment (not only
        A), need no more than A's daily limit and the rest of B then.

        An early shift's officers filled to their daily limit by morning meetings cannot also take the
        afternoon meetings a late shift could share: apart, the daily limit and the moment both hold.
        """
        rest = b & ~a
        day = [u for u in uses if u.mask & ~a == 0]
        moment = [u for u in uses if u.mask & ~b == 0 and u.mask & ~a != 0 and u.option is not None]
        if not moment or not any(u.option is not None for u in day):
            return
        taken = [u for u in uses if u.option is None and u.mask & rest and u.mask & ~rest == 0]
        for clique in maximal_cliques([(u.lo, u.hi) for u in moment]):
            lo = max(moment[i].lo for i in clique)
            busy = [u for u in taken if u.lo <= lo < u.hi]
            capacity = self.inst.max_per_day * a.bit_count() + rest.bit_count()
            self._at_most(day + [moment[i] for i in clique] + busy, capacity)

    def _at_most(self, uses: list[_Item], capacity: int) -> None:
        taken = sum(u.need for u in uses if u.option is None)
        coef: dict[int, int] = defaultdict(int)
        for u in uses:
            if u.option is not None:
                coef[u.option] += u.need
        if not coef:
            return
        room = capacity - taken
        if sum(coef.values()) <= room:
            return  # never binding
        idx = sorted(coef)
        self.rows.append((idx, [min(coef[i], max(room, 0) + 1) for i in idx], max(room, 0)))

    def _add_rooms(self, rooms_of: dict[str, frozenset[str] | None]) -> None:
        """For each set of rooms some hub meetings must use, those meetings at any moment fit in it."""
        hub: list[tuple[frozenset[str], _Item]] = []
        for t in self.tasks:
            rooms = rooms_of[t.id]
            if not rooms:
                continue
            if t.fixed is not None:
                s, e = t.meeting(0)
                hub.append((rooms, _Item(None, s, e, 1, 0)))
            elif t.id in self.options_of:
                for k, i in enumerate(self.options_of[t.id]):
                    s, e = t.meeting(k)
                    hub.append((rooms, _Item(i, s, e, 1, 0)))
        for allowed in sorted({rooms for rooms, _ in hub}, key=sorted):  # sorted: the same model every run
            inside = [u for rooms, u in hub if rooms <= allowed]
            by_day: dict[int, list[_Item]] = defaultdict(list)
            for u in inside:
                by_day[u.lo // 1440].append(u)  # meetings on one UTC day never overlap another's
            for day_uses in by_day.values():
                for clique in maximal_cliques([(u.lo, u.hi) for u in day_uses]):
                    self._at_most([day_uses[i] for i in clique], len(allowed))

    def _add_dependencies(self) -> None:
        """A follow-up only at a start that some start of the meeting it follows allows (and only if that is placed)."""
        by_id = {t.id: t for t in self.tasks}
        for t in self.tasks:
            ref = by_id.get(t.depends_on) if t.depends_on else None
            if t.id not in self.options_of or ref is None:
                continue
            ref_options = self.options_of.get(ref.id, [])
            for k, i in enumerate(self.options_of[t.id]):
                s, e = t.meeting(k)
                allowed = [
                    ref_options[j]
                    for j in range(len(ref_options))
                    if t.deadline_after.get(j, (0, 0))[0] <= s and e <= t.deadline_after.get(j, (0, 0))[1]
                ]
                # x_i <= sum(allowed)  as  x_i - sum(allowed) <= 0
                self.rows.append(([i, *allowed], [1] + [-1] * len(allowed), 0))

    def search(
        self, hint: list[Placement], effort: Effort, stop: Callable[[], bool]
    ) -> tuple[dict[str, int] | None, Outcome]:
        """CP-SAT on the model with the first two tiers alone (requests placed, agencies present), from
        ``hint``: a start for each request it places, for ``solver.realise`` to staff with named people.

        Those tiers' weights over W_AGENCY (200 or 100 per request, 1 per agency) are a small-range
        objective CP-SAT climbs far faster than the whole one, where weights from 1 to 2,000,000 hide which
        moves matter. On a month of staggered reliefs (bench L) it places every request the limit allows
        within seconds; with leave on a quarter of duty days, 165 of the 167 its relaxation allows in 10 s,
        of which all but a few can be staffed.
        """
        from ortools.sat.python import cp_model

        began = time.monotonic()
        m = cp_model.CpModel()
        xs = [m.new_bool_var("") for _ in self.task_of]
        for options in self.options_of.values():
            m.add_at_most_one([xs[i] for i in options])
        for n, (idx, coefs, rhs) in enumerate(self.rows):
            if n % 1000 == 0 and time.monotonic() - began > effort.seconds:  # building counts against its time
                return None, Outcome("UNKNOWN", [], 0.0, 0.0, 0.0, effort.work is not None)
            m.add(cp_model.LinearExpr.weighted_sum([xs[i] for i in idx], coefs) <= rhs)
        chosen = {pl.task.id: pl.k for pl in hint}
        for i, (tid, k) in enumerate(zip(self.task_of, self.k_of, strict=True)):
            m.add_hint(xs[i], chosen.get(tid) == k)
        m.maximize(cp_model.LinearExpr.weighted_sum(xs, self.tiers))
        solver = cp_model.CpSolver()
        configure(solver, replace(effort, seconds=max(0.05, effort.seconds - (time.monotonic() - began))))
        solver.parameters.linearization_level = 2
        code, work, cut = solve(solver, m, effort, stop)
        outcome = Outcome(solver.status_name(code), [], 0.0, 0.0, work, cut)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, outcome
        return {self.task_of[i]: self.k_of[i] for i, x in enumerate(xs) if solver.value(x)}, outcome

    def program(self) -> LinearProgram:
        """The model's linear relaxation: each option between 0 and 1, at most one per request; its tier is
        requests placed (``solver.relaxation`` cuts the relaxation with that tier's integer maximum)."""
        rows: list[tuple[list[int], list[float], float, float]] = [
            (options, [1.0] * len(options), -math.inf, 1.0) for options in self.options_of.values()
        ]
        rows += [(idx, [float(c) for c in coefs], -math.inf, float(rhs)) for idx, coefs, rhs in self.rows]
        n = len(self.task_of)
        return LinearProgram(
            [0.0] * n, [1.0] * n, rows, [float(v) for v in self.value], float(self.constant), "capacity", self.places
        )
