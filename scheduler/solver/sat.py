"""Running one CP-SAT model within what a stage may spend, and reading the schedule back.

Every stage that calls CP-SAT goes through ``run``, so each call is bounded the same two ways: by the
wall clock (``seconds``, never past the stage's end) and, under a work limit, by CP-SAT's deterministic
time (``work``), which does not depend on the machine or its load. With a work limit the search runs on
one worker: CP-SAT's parallel workers share what they find in an order set by the clock, so two runs
with several workers may differ however their work is counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.solver.greedy import fixed_placement
from scheduler.solver.model import ScheduleModel
from scheduler.solver.objective import Attendance, Placement

# Presolve probing took most of the time on these models without a better bound. Measured on bench size M
# (time to prove optimal): defaults 7.9 s; probing level 1, one presolve round and a 0.25 budget 4.6 s.
PROBING_LEVEL = 1
PRESOLVE_ROUNDS = 1
PROBING_WORK = 0.25


@dataclass(frozen=True)
class Effort:
    """What one call may spend: seconds of wall clock, and (under a work limit) deterministic work."""

    seconds: float
    work: float | None = None  # CP-SAT's deterministic time; None: the clock alone
    workers: int = 2
    seed: int = 0
    relative_gap: float = 0.0
    absolute_gap: float = 0.0


@dataclass
class Outcome:
    status: str  # CP-SAT's: OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    placements: list[Placement]
    objective: float
    bound: float
    work: float  # deterministic time spent
    clock_stopped: bool  # the wall clock cut a work-limited call short

    @property
    def found(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


def configure(solver: cp_model.CpSolver, effort: Effort) -> None:
    params = solver.parameters
    params.num_workers = 1 if effort.work is not None else max(1, effort.workers)
    params.random_seed = effort.seed
    params.max_time_in_seconds = max(0.05, effort.seconds)
    if effort.work is not None:
        params.max_deterministic_time = max(0.001, effort.work)
    params.relative_gap_limit = effort.relative_gap
    params.absolute_gap_limit = effort.absolute_gap
    # Ctrl+C is Quorum's to handle (it cancels the search, which keeps the best found): CP-SAT's own handler of
    # it aborted the whole process with std::bad_function_call, saving nothing (issue 24, item 4).
    params.catch_sigint_signal = False


@contextmanager
def watched(solver: cp_model.CpSolver, stop: Callable[[], bool] | None) -> Iterator[None]:
    """Stop ``solver`` within a tenth of a second of ``stop()`` saying so (a coordinator pressed stop).

    A solution callback alone waits for the next solution, which while CP-SAT is proving may be the end of
    the time limit: a stopped solve must end at once, keeping the best found.
    """
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if stop():
                solver.stop_search()
                return

    threading.Thread(target=watch, name="quorum-stop", daemon=True).start()
    try:
        yield
    finally:
        done.set()


def solve(
    solver: cp_model.CpSolver,
    m: cp_model.CpModel,
    effort: Effort,
    stop: Callable[[], bool] | None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> tuple[cp_model.CpSolverStatus, float, bool]:
    """One configured CP-SAT call, stopped by ``stop()`` too: its status code, the work it did, and whether the
    wall clock (rather than the work limit or a proof) cut it short, which a work-limited solve must report."""
    started = time.monotonic()
    with watched(solver, stop):
        code = solver.solve(m, callback)
    work = solver.response_proto.deterministic_time
    cut = effort.work is not None and work < effort.work * 0.999 and code != cp_model.OPTIMAL
    return code, work, cut and time.monotonic() - started >= effort.seconds * 0.95


def run(
    model: ScheduleModel,
    effort: Effort,
    on_solution: Callable[[cp_model.CpSolverSolutionCallback], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Outcome:
    """Solve a built schedule model; the status and bound are CP-SAT's own."""
    solver = cp_model.CpSolver()
    configure(solver, effort)
    params = solver.parameters
    params.cp_model_probing_level = PROBING_LEVEL
    params.max_presolve_iterations = PRESOLVE_ROUNDS
    params.presolve_probing_deterministic_time_limit = PROBING_WORK
    code, work, cut = solve(solver, model.m, effort, stop, _Callback(on_solution) if on_solution else None)
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(status, [], 0.0, solver.best_objective_bound, work, cut)
    return Outcome(
        status, read_placements(model, solver), solver.objective_value, solver.best_objective_bound, work, cut
    )


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
        for j, c in model.slots_of[t.id]:
            if solver.value(model.slot[(t.id, j, c)]):
                attendees.append(Attendance(c, "slot", t.request.slots[j].label, t.off_duty_at(c, k)))
        room = next((room for room in model.rooms_of[t.id] if solver.value(model.room[(t.id, room)])), None)
        out.append(Placement(t, k, attendees, room))
    return out


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: Callable[[cp_model.CpSolverSolutionCallback], None]) -> None:
        super().__init__()
        self.on_solution = on_solution

    def on_solution_callback(self) -> None:
        self.on_solution(self)
