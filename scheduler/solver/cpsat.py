"""Solving a whole batch of meetings at once with OR-Tools CP-SAT: the time budget, groups, the solve loop.

Following the CP-SAT primer's patterns: the instance comes in as data (``solver.instance``), the model
(``solver.model``) has one method per constraint family and an objective of the labelled terms of
``solver.objective`` (so it can be explained and compared with greedy), the greedy schedule is given as
a hint, and the best bound is reported beside the objective. Independent groups of requests (sharing no
people, rooms or deadlines) are solved separately.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.solver.instance import Instance, Task
from scheduler.solver.model import ScheduleModel, off_duty_at
from scheduler.solver.objective import (
    Attendance,
    Placement,
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


def run_model(
    model: ScheduleModel, options: SolveOptions, time_limit: float, started: float, placed_before: int
) -> GroupResult:
    """Solve a built model within ``time_limit``; the status and bound are CP-SAT's own."""
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
    callback = _Callback(model, options, started, placed_before)
    code = solver.solve(model.m, callback)
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return GroupResult([], status, 0.0, solver.best_objective_bound)
    return GroupResult(read_placements(model, solver), status, solver.objective_value, solver.best_objective_bound)


def read_placements(model: ScheduleModel, solver: cp_model.CpSolver) -> list[Placement]:
    out = []
    for t in model.tasks:
        if not solver.value(model.placed[t.id]):
            continue
        k = next(k for k, x in enumerate(model.x[t.id]) if solver.value(x))
        if t.fixed is not None:
            from scheduler.solver.greedy import fixed_placement

            out.append(fixed_placement(t))
            continue
        attendees = []
        for person, required in t.request.invitees:
            if solver.value(model.att[(t.id, person)]):
                attendees.append(
                    Attendance(person, "required" if required else "optional", None, off_duty_at(t, person, k))
                )
        for (tid, j, c), y in model.slot.items():
            if tid == t.id and solver.value(y):
                attendees.append(Attendance(c, "slot", t.request.slots[j].label, off_duty_at(t, c, k)))
        room = next((room for (tid, room), v in model.room.items() if tid == t.id and solver.value(v)), None)
        out.append(Placement(t, k, attendees, room))
    return out


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
    result = run_model(first, options, budget * 0.8, started, placed_before)
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
    refined = run_model(second, options, left, started, placed_before)
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
