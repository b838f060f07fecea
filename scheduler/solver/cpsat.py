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
from dataclasses import dataclass, replace
from typing import NamedTuple

from ortools.sat.python import cp_model

from scheduler.solver.greedy import fixed_placement
from scheduler.solver.instance import Instance, Task
from scheduler.solver.limit import limit
from scheduler.solver.lns import choices, improve
from scheduler.solver.model import ScheduleModel
from scheduler.solver.objective import (
    W_AGENCY,
    W_OPTIONAL,
    Attendance,
    Placement,
    score,
)
from scheduler.solver.pooled import PooledModel
from scheduler.solver.realise import polish, realise


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
    absolute_gap: float = 0.0  # stop once within this much of the bound
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
    params.absolute_gap_limit = options.absolute_gap
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
            out.append(fixed_placement(t))
            continue
        attendees = []
        for person, required in t.request.invitees:
            if solver.value(model.att[(t.id, person)]):
                attendees.append(
                    Attendance(person, "required" if required else "optional", None, t.off_duty_at(person, k))
                )
        for (tid, j, c), y in model.slot.items():
            if tid == t.id and solver.value(y):
                attendees.append(Attendance(c, "slot", t.request.slots[j].label, t.off_duty_at(c, k)))
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


LNS_MIN_TASKS = 12  # smaller groups go straight to the full model, which proves them optimal quickly
# Of a large group's time: first for the pooled model (a bound that knows meetings compete, and starts to
# aim for), then of what is left for the neighbourhood search, then the rest for the full model.
POOLED_SHARE = 0.75
# The pooled model is built only up to this many starts (bench L contended: about 10,000, built in 0.7 s; XL:
# 45,000, 7 s), and its relaxation solved only up to this many nonzeros (L: 300,000, 1.4 s; GLOP cannot be
# stopped mid-way: 1.2 million took 26 s and overran a 3 s limit by 3.6 s).
POOLED_MAX_STARTS = 15_000
POLISH_SECONDS = 2.0  # at most, for naming the people the pooled solution's colouring could not
POOLED_LP_MAX_NONZEROS = 600_000
POOLED_LP_SHARE = 0.25  # at most, of what is left, for its relaxation
LNS_SHARE = 0.6
# Above this many (start, possible attendee) pairs the full model takes longer to build and presolve than a
# coordinator waits (12 s to build at 2,000 staff and 800 requests): the neighbourhood search has all the time.
FULL_MODEL_CHOICES = 1_000_000
CHAIN_SHARE = 0.2  # at most this share of the run for the chain-continuity tie-break
# A neighbourhood stops once it cannot gain even an optional attendee: what is left are tie-breaks, and
# proving them took most of each neighbourhood's time without changing who attends.
NEIGHBOURHOOD_GAP = W_OPTIONAL - 1


class CpsatResult(NamedTuple):
    placements: list[Placement]
    status: str  # OPTIMAL (proven) | FEASIBLE | NO_SOLUTION (CP-SAT found nothing of its own: greedy's kept)
    objective: float
    bound: float  # CP-SAT's own best bound or the limit, whichever is lower; never greedy's objective
    groups: list[GroupResult]


def _sub_run(options: SolveOptions, deadline: float) -> Callable[[ScheduleModel, float], list[Placement] | None]:
    """How the neighbourhood search solves one neighbourhood: quietly, within its share and the deadline."""
    quiet = replace(options, deterministic_limit=None, relative_gap=0.0, absolute_gap=NEIGHBOURHOOD_GAP, progress=None)

    def run(model: ScheduleModel, seconds: float) -> list[Placement] | None:
        seconds = min(seconds, deadline - time.monotonic())
        if seconds < 0.05:
            return None
        result = run_model(model, quiet, seconds, time.monotonic(), 0)
        return result.placements if result.status in ("OPTIMAL", "FEASIBLE") else None

    return run


def _solve_group(
    inst: Instance,
    group: list[Task],
    hint: list[Placement],
    options: SolveOptions,
    deadline: float,
    started: float,
    placed_before: int,
) -> GroupResult:
    """Solve one group by its deadline (model building included), never ending below ``hint``.

    A large group with room to gain (the limit above the hint by at least an agency) goes through up to
    three stages, each starting from the best schedule so far:

    1. the pooled model (``solver.pooled``), where it is small enough: its linear relaxation is the bound,
       and CP-SAT on it places as many requests as it can; ``solver.realise`` names the people;
    2. large-neighbourhood search (``solver.lns``) on the full model, a few days at a time;
    3. the full model, hinted with every variable of the best so far, where it is small enough and no
       pooled bound was had (it is what proves an uncontended group optimal; under contention its
       presolve takes seconds and its bound is weaker than the pooled one); then, with time left, the
       tie-break: the same people across a chain of meetings, keeping the objective at the value found.
    """
    best, best_value = list(hint), score(inst, hint).total
    ceiling = float(limit(inst, group).objective)
    found = False
    cancelled = options.cancel.is_set if options.cancel is not None else (lambda: False)
    movable = [t for t in group if t.fixed is None and t.starts]
    searching = (
        options.deterministic_limit is None and len(movable) >= LNS_MIN_TASKS and ceiling - best_value >= W_AGENCY
    )
    whole = not searching or sum(choices(t) for t in group) <= FULL_MODEL_CHOICES

    def better(placements: list[Placement], value: int) -> None:
        if options.progress is not None:
            options.progress(Progress(time.monotonic() - started, value, ceiling, placed_before + len(placements)))

    if searching and sum(len(t.starts) for t in movable) <= POOLED_MAX_STARTS:
        pooled = PooledModel(inst, group).build()
        if pooled.nonzeros <= POOLED_LP_MAX_NONZEROS:
            relaxed = pooled.bound((deadline - time.monotonic()) * POOLED_LP_SHARE)
            if relaxed is not None and relaxed >= best_value - 0.5:
                ceiling = min(ceiling, relaxed)
                whole = False  # the pooled bound is the stronger: the rest of the time is the search's
        solution = None
        if best_value < ceiling - 0.5 and not cancelled():
            seconds = (deadline - time.monotonic()) * POOLED_SHARE
            solution = pooled.search(best, seconds, options.workers, options.seed, cancelled)
        if solution is not None:
            found = True
            staffed = realise(inst, group, solution)
            if len(staffed) < len(solution.starts):  # the colouring left some unstaffed: CP-SAT names people
                seconds = min(POLISH_SECONDS, (deadline - time.monotonic()) * 0.2)
                staffed = polish(inst, group, solution, staffed, seconds, _sub_run(options, deadline)) or staffed
            value = score(inst, staffed).total
            if value > best_value:
                best, best_value = staffed, value
                better(best, best_value)
    if searching and best_value < ceiling - 0.5 and not cancelled():
        lns_deadline = time.monotonic() + (deadline - time.monotonic()) * (LNS_SHARE if whole else 1.0)
        searched = improve(inst, group, best, lns_deadline, _sub_run(options, lns_deadline), better, cancelled)
        found = found or searched.neighbourhoods > 0  # each answered with a schedule of CP-SAT's own
        best, best_value = searched.placements, searched.objective
    cp_bound = None
    if whole and deadline - time.monotonic() > 0.2 and not cancelled():
        full = ScheduleModel(inst, group).build()
        full.add_hint(best)
        result = run_model(full, options, deadline - time.monotonic(), started, placed_before)
        if result.status in ("OPTIMAL", "FEASIBLE"):
            found = True
            value = score(inst, result.placements).total
            if value >= best_value:
                best, best_value = result.placements, value
            best = _tie_break(inst, group, best, best_value, options, deadline, started, placed_before)
        # CP-SAT's bound is its own only when it means something: an upper bound is never below a schedule
        # it could have found (a search stopped before it began reports 0).
        if result.bound >= best_value - 0.5:
            cp_bound = result.bound
    bound = min(ceiling, cp_bound) if cp_bound is not None else ceiling
    bound = max(bound, float(best_value))
    if bound - best_value < 0.5:  # proven: by CP-SAT, by the pooled bound, or the schedule reaches the limit
        status = "OPTIMAL"
    elif found:
        status = "FEASIBLE"
    else:
        status = "NO_SOLUTION"
    return GroupResult(best, status, float(best_value), bound)


def _tie_break(
    inst: Instance,
    group: list[Task],
    best: list[Placement],
    best_value: int,
    options: SolveOptions,
    deadline: float,
    started: float,
    placed_before: int,
) -> list[Placement]:
    left = min(deadline - time.monotonic(), (deadline - started) * CHAIN_SHARE)
    if left < 0.2 or (options.cancel is not None and options.cancel.is_set()):
        return best
    second = ScheduleModel(inst, group).build()
    links = second.chain_continuity()
    if not links:
        return best
    second.add_hint(best)
    objective = sum(w * e for _, w, e in second.terms)
    second.m.add(objective >= best_value)
    second.m.maximize(sum(links))
    refined = run_model(second, options, min(left, deadline - time.monotonic()), started, placed_before)
    if refined.status in ("OPTIMAL", "FEASIBLE") and score(inst, refined.placements).total >= best_value:
        return refined.placements
    return best


def solve_cpsat(inst: Instance, hint: list[Placement], options: SolveOptions) -> CpsatResult:
    """Placements, status, objective and bound over all groups, within ``options.time_limit_s`` in all."""
    started = time.monotonic()
    # CP-SAT stops a little after its limit (it finishes the step it is in; 0.1 s past 10 s was measured on
    # bench size M): keep a margin for that.
    deadline = started + options.time_limit_s - min(1.0, 0.04 * options.time_limit_s)
    hint_by_task = {pl.task.id: pl for pl in hint}
    parts = [g for g in groups(inst) if any(t.starts for t in g)]
    remaining = sum(len(g) for g in parts)
    placements: list[Placement] = []
    results: list[GroupResult] = []
    for group in parts:
        greedy_part = [hint_by_task[t.id] for t in group if t.id in hint_by_task]
        share = (deadline - time.monotonic()) * len(group) / max(1, remaining)
        result = _solve_group(inst, group, greedy_part, options, time.monotonic() + share, started, len(placements))
        remaining -= len(group)
        placements += result.placements
        results.append(result)
    objective = sum(r.objective for r in results)
    bound = sum(r.bound for r in results)
    if all(r.status == "OPTIMAL" for r in results):
        status = "OPTIMAL"
    elif all(r.status == "NO_SOLUTION" for r in results):
        status = "NO_SOLUTION"
    else:
        status = "FEASIBLE"
    return CpsatResult(placements, status, objective, bound, results)
