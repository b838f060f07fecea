"""Placing a whole batch of meetings at once with OR-Tools CP-SAT.

Following the CP-SAT primer's patterns: the instance comes in as data
(``scheduler.instance``), the model is a class with one method per
constraint family, the objective is built from the labelled terms of
``scheduler.objective`` (so it can be explained and compared with greedy),
the greedy schedule is given as a hint, and the best bound is reported beside
the objective. Independent groups of requests (sharing no people, rooms or
deadlines) are solved separately.

A request that cannot be placed simply has ``placed = 0``: the model is never
infeasible because of one impossible request.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.instance import RATE_TIME_AND_A_HALF, Instance, Task
from scheduler.objective import (
    W_AGENCY,
    W_CONTINUITY,
    W_DAY_LATER,
    W_OFF_DUTY,
    W_OPTIONAL,
    W_PLACE,
    W_SECOND,
    W_THIRD_PLUS,
    W_TIME_AND_A_HALF,
    Attendance,
    Placement,
    continuity_people,
    days_later,
    score,
)


@dataclass
class Progress:
    """What a running solve reports: for a progress bar, a log line or the UI."""

    elapsed_s: float
    objective: float
    bound: float
    placed: int


@dataclass
class GroupResult:
    placements: list[Placement]
    status: str
    objective: float
    bound: float


@dataclass
class SolveOptions:
    time_limit_s: float = 10.0
    workers: int = 2
    seed: int = 0
    deterministic_limit: float | None = None  # deterministic time units; makes the search reproducible
    relative_gap: float = 0.0  # stop once within this fraction of the bound (0: prove optimal)
    progress: Callable[[Progress], None] | None = None
    cancel: threading.Event | None = None


class ScheduleModel:
    """The CP-SAT model for one independent group of tasks."""

    def __init__(self, inst: Instance, tasks: list[Task]) -> None:
        self.inst = inst
        self.tasks = tasks
        self.m = cp_model.CpModel()
        self.agency = {x.id: x.agency for x in inst.partnership.people}
        self.x: dict[str, list[cp_model.IntVar]] = {}
        self.placed: dict[str, cp_model.IntVar] = {}
        self.start: dict[str, cp_model.IntVar] = {}
        self.att: dict[tuple[str, str], cp_model.IntVar] = {}  # (task, person) -> attends
        self.slot: dict[tuple[str, int, str], cp_model.IntVar] = {}  # (task, slot index, person) -> fills it
        self.room: dict[tuple[str, str], cp_model.IntVar] = {}
        self.day_vars: dict[str, dict[object, cp_model.IntVar]] = {}
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

    # -- constraint families -------------------------------------------------------------

    def add_start_choice(self) -> None:
        """At most one start per request; placed iff one is chosen; a fixed meeting is placed."""
        for t in self.tasks:
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
        can = [k for k in range(len(t.starts)) if t.can(person, k)]
        if len(can) * 2 <= len(xs):
            self.m.add(attends <= sum(xs[k] for k in can))
        else:
            cannot = set(range(len(xs))) - set(can)
            self.m.add(attends + sum(xs[k] for k in cannot) <= self.placed[t.id])

    def add_attendance(self) -> None:
        """Required invitees attend every placed meeting; optional ones and slot fillers only when they can."""
        for t in self.tasks:
            r, placed = t.request, self.placed[t.id]
            if t.fixed is not None:
                for person in t.fixed.attendees:
                    self.att[(t.id, person)] = placed
                continue
            for person, required in r.invitees:
                if required:
                    self.att[(t.id, person)] = placed
                else:
                    a = self.m.new_bool_var(f"opt[{t.id},{person}]")
                    self._only_when_able(t, person, a)
                    self.att[(t.id, person)] = a
            fills: dict[str, list[cp_model.IntVar]] = defaultdict(list)
            for j, slot in enumerate(r.slots):
                ys = []
                for c in slot.candidates:
                    y = self.m.new_bool_var(f"slot[{t.id},{j},{c}]")
                    self._only_when_able(t, c, y)
                    self.slot[(t.id, j, c)] = y
                    fills[c].append(y)
                    ys.append(y)
                self.m.add(sum(ys) == slot.count * placed)
            for c, ys in fills.items():
                a = self.m.new_bool_var(f"att[{t.id},{c}]")
                self.m.add(a == sum(ys))  # also: one person fills at most one slot of a meeting
                self.att[(t.id, c)] = a

    def add_dependencies(self) -> None:
        """'Within N working days of' another request: after it ends, by its deadline, and only if it is placed."""
        ids = {t.id for t in self.tasks}
        for t in self.tasks:
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
            out[person].append(next(t for t in self.tasks if t.id == tid))
        return out

    def add_no_overlap(self) -> None:
        """Nobody in two places at once, travel included."""
        for person, tasks in self._by_person().items():
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
        for person, tasks in self._by_person().items():
            if len(tasks) <= limit:
                continue
            by_day: dict[object, list[cp_model.IntVar]] = defaultdict(list)
            for t in tasks:
                for day, on_day in self._on_day(t).items():
                    w = self.m.new_bool_var(f"day[{person},{t.id},{day}]")
                    self.m.add(w >= self.att[(t.id, person)] + on_day - 1)
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
        for t in self.tasks:
            r = t.request
            if not ((r.at_hub and rooms) or r.room):
                continue
            if t.fixed is not None and t.fixed.room:
                options = [x for x in rooms if x.id == t.fixed.room]
            else:
                options = [x for x in rooms if (r.room is None or x.id == r.room) and x.capacity >= r.headcount()]
            vs = []
            for room in options:
                v = self.m.new_bool_var(f"room[{t.id},{room.id}]")
                self.room[(t.id, room.id)] = v
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
        for t in self.tasks:
            r, xs = t.request, self.x[t.id]
            self.terms.append((f"{t.id}: placed", W_PLACE[r.urgency], self.placed[t.id]))
            people = [p for (tid, p) in self.att if tid == t.id]
            for agency in sorted({self.agency[p] for p in people}):
                g = self.m.new_bool_var(f"agency[{t.id},{agency}]")
                self.m.add(g <= sum(self.att[(t.id, p)] for p in people if self.agency[p] == agency))
                self.terms.append((f"{t.id}: agency {agency} present", W_AGENCY, g))
            if t.fixed is None:
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
        for (tid, j, c), y in self.slot.items():
            if tid == t.id and c in continuity_people(t, j):
                self.terms.append((f"{t.id}: continuity {c}", W_CONTINUITY, y))

    def chain_continuity(self) -> list[cp_model.IntVar]:
        """One variable per slot filled by someone at a meeting its request follows (the tie-break)."""
        out = []
        for t in self.tasks:
            earlier = [o for o in self.tasks if o.id in earlier_in_chain(t, self.tasks)]
            for (tid, j, c), y in self.slot.items():
                elsewhere = [self.att[(o.id, c)] for o in earlier if tid == t.id and (o.id, c) in self.att]
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
                self.m.add(z >= self.att[(t.id, person)] + sum(self.x[t.id][k] for k in ks) - 1)
                weight = W_OFF_DUTY + (W_TIME_AND_A_HALF if rate_class else 0)
                self.terms.append((f"{t.id}: {person} off duty", -weight, z))

    def _fairness_terms(self) -> None:
        """Spread meetings: a person's second in the batch costs a little, each beyond it more.

        A meeting that follows another in a chain (a conference after its strategy discussion) is
        not counted, so the same officer on both, continuity, costs nothing.
        """
        for person, tasks in self._by_person().items():
            counted = [t for t in tasks if t.depends_on is None]
            if len(counted) < 2:
                continue
            load = sum(self.att[(t.id, person)] for t in counted)
            beyond2 = self.m.new_int_var(0, len(counted), f"beyond2[{person}]")
            second = self.m.new_bool_var(f"second[{person}]")
            self.m.add(beyond2 >= load - 2)
            self.m.add(second >= load - 1 - beyond2)
            self.terms.append((f"{person}: second meeting", -W_SECOND, second))
            self.terms.append((f"{person}: meetings beyond the second", -W_THIRD_PLUS, beyond2))

    # -- hint and solve --------------------------------------------------------------------

    def add_hint(self, placements: list[Placement]) -> None:
        chosen = {pl.task.id: pl for pl in placements}
        for t in self.tasks:
            pl = chosen.get(t.id)
            for k, x in enumerate(self.x[t.id]):
                self.m.add_hint(x, pl is not None and pl.k == k)
            self.m.add_hint(self.placed[t.id], pl is not None)
            people = {a.person: a for a in pl.attendees} if pl else {}
            for (tid, j, c), y in self.slot.items():
                if tid == t.id:
                    a = people.get(c)
                    self.m.add_hint(y, a is not None and a.slot == t.request.slots[j].label)
            for (tid, room), v in self.room.items():
                if tid == t.id:
                    self.m.add_hint(v, pl is not None and pl.room == room)

    def solve(self, options: SolveOptions, time_limit: float, started: float, placed_before: int) -> GroupResult:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = max(1, options.workers)
        params.random_seed = options.seed
        params.max_time_in_seconds = max(0.1, time_limit)
        params.relative_gap_limit = options.relative_gap
        # Presolve probing took most of the time on these models without a better bound. Measured on
        # bench size M (time to prove optimal): defaults 7.9 s; probing level 1, one presolve round and
        # a 0.25 probing budget 4.6 s.
        params.cp_model_probing_level = 1
        params.max_presolve_iterations = 1
        params.presolve_probing_deterministic_time_limit = 0.25
        if options.deterministic_limit is not None:
            params.max_deterministic_time = options.deterministic_limit
            params.interleave_search = True
        callback = _Callback(self, options, started, placed_before)
        code = solver.solve(self.m, callback)
        status = solver.status_name(code)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return GroupResult([], status, 0.0, solver.best_objective_bound)
        return GroupResult(self._read(solver), status, solver.objective_value, solver.best_objective_bound)

    def _read(self, solver: cp_model.CpSolver) -> list[Placement]:
        out = []
        for t in self.tasks:
            if not solver.value(self.placed[t.id]):
                continue
            k = next(k for k, x in enumerate(self.x[t.id]) if solver.value(x))
            if t.fixed is not None:
                from scheduler.greedy import fixed_placement

                out.append(fixed_placement(t))
                continue
            attendees = []
            for person, required in t.request.invitees:
                if solver.value(self.att[(t.id, person)]):
                    attendees.append(
                        Attendance(person, "required" if required else "optional", None, _off(t, person, k))
                    )
            for (tid, j, c), y in self.slot.items():
                if tid == t.id and solver.value(y):
                    attendees.append(Attendance(c, "slot", t.request.slots[j].label, _off(t, c, k)))
            room = next((room for (tid, room), v in self.room.items() if tid == t.id and solver.value(v)), None)
            out.append(Placement(t, k, attendees, room))
        return out


def earlier_in_chain(t: Task, tasks: list[Task]) -> set[str]:
    """The meetings ``t`` must follow, directly or through others ("within N working days of")."""
    by_id = {x.id: x for x in tasks}
    out: set[str] = set()
    ref = t.depends_on
    while ref is not None and ref in by_id and ref not in out:
        out.add(ref)
        ref = by_id[ref].depends_on
    return out


def _off(t: Task, person: str, k: int):
    return None if k in t.on_duty.get(person, ()) else t.off_duty.get(person, {}).get(k)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, model: ScheduleModel, options: SolveOptions, started: float, placed_before: int) -> None:
        super().__init__()
        self.model, self.options, self.started, self.placed_before = model, options, started, placed_before

    def on_solution_callback(self) -> None:
        if self.options.progress is not None:
            placed = sum(self.value(v) for v in self.model.placed.values())
            self.options.progress(
                Progress(
                    time.monotonic() - self.started,
                    self.objective_value,
                    self.best_objective_bound,
                    self.placed_before + placed,
                )
            )
        if self.options.cancel is not None and self.options.cancel.is_set():
            self.stop_search()


def groups(inst: Instance) -> list[list[Task]]:
    """Tasks that share no person, room or deadline, as separate groups (union-find)."""
    parent = {t.id: t.id for t in inst.tasks}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    owner: dict[str, str] = {}
    rooms = bool(inst.partnership.rooms)
    for t in inst.tasks:
        people = t.request.people() | set(t.fixed.attendees if t.fixed else ())
        if rooms and (t.request.at_hub or t.request.room):
            people.add("\0room")
        for person in people:
            if person in owner:
                union(t.id, owner[person])
            else:
                owner[person] = t.id
        if t.depends_on in parent:
            union(t.id, t.depends_on)
    out: dict[str, list[Task]] = defaultdict(list)
    for t in inst.tasks:
        out[find(t.id)].append(t)
    return sorted(out.values(), key=lambda g: g[0].id)


def _solve_group(
    inst: Instance,
    group: list[Task],
    hint: list[Placement],
    options: SolveOptions,
    budget: float,
    started: float,
    placed_before: int,
) -> GroupResult:
    """Solve one group; then, with time left, the tie-break: the same people across a chain of meetings.

    The tie-break keeps the objective at the value found (so status and bound stand) and maximises
    how many slots in a chain (strategy discussion, conference, core group) go to someone at an
    earlier meeting of it. It is a second phase rather than an objective tier because as a tier it
    made proofs of optimality several times slower.
    """
    deadline = time.monotonic() + budget
    first = ScheduleModel(inst, group).build()
    first.add_hint(hint)
    result = first.solve(options, budget * 0.8, started, placed_before)
    if result.status not in ("OPTIMAL", "FEASIBLE"):
        return result
    left = min(deadline - time.monotonic(), budget * 0.2)
    if left < 0.2 or (options.cancel is not None and options.cancel.is_set()):
        return result
    second = ScheduleModel(inst, group).build()
    links = second.chain_continuity()
    if not links:
        return result
    second.add_hint(result.placements)
    objective = sum(w * e for _, w, e in second.terms)
    second.m.add(objective >= round(result.objective))
    second.m.maximize(sum(links))
    refined = second.solve(options, left, started, placed_before)
    if refined.status in ("OPTIMAL", "FEASIBLE"):
        result.placements = refined.placements
    return result


def solve_cpsat(
    inst: Instance, hint: list[Placement], options: SolveOptions
) -> tuple[list[Placement], str, float, float]:
    """Placements, status, objective and bound over all groups."""
    started = time.monotonic()
    hint_by_task = {pl.task.id: pl for pl in hint}
    parts = [g for g in groups(inst) if any(t.starts for t in g)]
    remaining = sum(len(g) for g in parts)
    placements: list[Placement] = []
    statuses: list[str] = []
    objective = bound = 0.0
    for group in parts:
        greedy_part = [hint_by_task[t.id] for t in group if t.id in hint_by_task]
        left = options.time_limit_s - (time.monotonic() - started)
        share = left * len(group) / max(1, remaining)
        result = _solve_group(inst, group, greedy_part, options, share, started, len(placements))
        remaining -= len(group)
        if result.status in ("OPTIMAL", "FEASIBLE"):
            result.objective = float(score(inst, result.placements).total)  # the one scale for every schedule
        greedy_value = score(inst, greedy_part).total
        if result.status not in ("OPTIMAL", "FEASIBLE") or result.objective < greedy_value:
            # No solution in time, or stopped (at a gap limit) below the hint: keep greedy's, so CP-SAT
            # is never worse than the baseline it started from.
            result.placements, result.objective = greedy_part, float(greedy_value)
        if result.status == "OPTIMAL" and result.bound > result.objective + 0.5:
            result.status = "FEASIBLE"  # CP-SAT says OPTIMAL when it stops at relative_gap_limit
        placements += result.placements
        statuses.append(result.status)
        objective += result.objective
        bound += max(result.bound, result.objective)
    status = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else "FEASIBLE" if statuses else "OPTIMAL"
    return placements, status, objective, bound
