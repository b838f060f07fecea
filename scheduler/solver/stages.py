"""One group's solve, one method per stage (the stages and their shares: ``solver.pipeline``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ortools.sat.python import cp_model

from scheduler.solver import sat
from scheduler.solver.budget import Budget, OutOfTime
from scheduler.solver.capacity import CapacityModel
from scheduler.solver.fill import fill
from scheduler.solver.greedy import Diary
from scheduler.solver.instance import Instance, Task
from scheduler.solver.limit import limit
from scheduler.solver.lns import improve
from scheduler.solver.model import ScheduleModel
from scheduler.solver.neighbourhoods import choices
from scheduler.solver.objective import W_AGENCY, W_OPTIONAL, Placement, score
from scheduler.solver.pipeline import (
    AIM_SHARE,
    BOUND_BUILD_SHARE,
    BOUND_TIER_SHARE,
    CAPACITY_AIM_MAX_NONZEROS,
    FULL_MODEL_CHOICES,
    IMPROVE_SHARE,
    POLISH_MAX_S,
    POLISH_SHARE,
    POOLED_MAX_STARTS,
    POOLED_MIN_MERGE,
    PROVE_MAX_CHOICES,
    SEARCH_MIN_TASKS,
    TIE_BREAK_SHARE,
    Allowance,
)
from scheduler.solver.pooled import PooledModel, PooledSolution, pools
from scheduler.solver.realise import polish, realise
from scheduler.solver.relaxation import Bounds, LinearProgram, from_cp_model

T = TypeVar("T")

if TYPE_CHECKING:
    from scheduler.solver.cpsat import Progress, SolveOptions

log = logging.getLogger(__name__)

# A neighbourhood stops once it cannot gain even an optional attendee: what is left are tie-breaks, and
# proving them took most of each neighbourhood's time without changing who attends.
NEIGHBOURHOOD_GAP = W_OPTIONAL - 1
LP_MAX_NONZEROS = 3_000_000  # a relaxation larger than this is not sent (its child would need GBs)
POOLED_LP_MAX_NONZEROS = 600_000  # the pooled model's relaxation only where it solves in a few seconds


@dataclass
class GroupResult:
    placements: list[Placement]
    status: str  # OPTIMAL (proven) | FEASIBLE | NO_SOLUTION (CP-SAT found nothing of its own)
    objective: float
    bound: float
    bound_kind: str = "limit"  # which bound: limit | relaxation | cp-sat
    clock_stopped: bool = False  # under a work limit: the clock cut a stage short


class GroupSolve:
    """The stages of one independent group of tasks, each from the best schedule so far."""

    def __init__(
        self,
        inst: Instance,
        group: list[Task],
        hint: list[Placement],
        options: SolveOptions,
        allowance: Allowance,
        started: float,
        placed_before: int,
    ) -> None:
        self.inst, self.group, self.options = inst, group, options
        self.allowance, self.started, self.placed_before = allowance, started, placed_before
        self.deterministic = allowance.work is not None
        self.best, self.best_value = list(hint), score(inst, hint).total
        most = limit(inst, group)
        self.ceiling = float(most.objective)
        self.placeable = most.placed  # the most requests any schedule could place
        self.bound_kind = "limit"
        self.found = False
        self.promising: set[str] = set()  # requests the aim placed that its staffing could not
        self.clock_stopped = False
        self.cp_bound: float | None = None
        self.bounds: Bounds | None = None
        self.movable = [t for t in group if t.fixed is None and t.starts]

    # -- the pipeline ----------------------------------------------------------------------------

    def run(self) -> GroupResult:
        size = sum(choices(t) for t in self.group)
        whole = size <= FULL_MODEL_CHOICES
        searching = len(self.movable) >= SEARCH_MIN_TASKS and self.ceiling - self.best_value >= W_AGENCY
        # Where the full model is small enough and at most one more request could ever be placed (greedy is at
        # or next to the limit: the standard benchmark), it alone has the time: it proves such a group quickly.
        if whole and self.placeable - len(self.best) <= 1:
            searching = False
        whole = whole or not searching
        proving = whole and (not searching or size <= PROVE_MAX_CHOICES)
        try:
            if searching:
                model = self.stage("bound", self.start_bounds)
                if model is not None and not self.settled():
                    self.stage("aim", lambda: self.aim(model, self.part(AIM_SHARE)))
                if not self.settled():
                    self.stage("improve", lambda: self.improve(self.part(IMPROVE_SHARE if proving else 1.0)))
            if whole and not (self.cancelled() or self.allowance.spent()):
                if proving and not self.settled():
                    self.stage("prove", lambda: self.prove(self.part(1.0)))
                self.stage("tie-break", self.tie_break)
            self.stage("fill", self.fill)
            return self.result()
        finally:
            if self.bounds is not None:
                self.bounds.stop()

    def stage(self, name: str, run: Callable[[], T]) -> T:
        """Run one stage, logging what it took and where the schedule stands (``-v`` on the CLI shows it)."""
        began = time.monotonic()
        out = run()
        log.debug(
            "%s: %d tasks, %s %.2f s, %d placed, objective %d, %.1f s left",
            self.group[0].id,
            len(self.group),
            name,
            time.monotonic() - began,
            len(self.best),
            self.best_value,
            self.allowance.left(),
        )
        return out

    def part(self, fraction: float) -> Allowance:
        """``fraction`` of what is left: of the work under a work limit (the clock then runs to the group's
        end, a safety stop), else of the time."""
        if self.deterministic:
            return Allowance(self.allowance.ends, (self.allowance.work or 0.0) * fraction)
        return self.allowance.share(fraction)

    def spend(self, work: float, clock_stopped: bool = False) -> None:
        self.allowance.take(work)
        self.clock_stopped = self.clock_stopped or clock_stopped

    def solve_model(self, model: ScheduleModel, effort: sat.Effort) -> sat.Outcome:
        """A CP-SAT call of a stage, stopped at once when the coordinator stops the solve."""
        return sat.run(model, effort, stop=self.cancelled)

    def cancelled(self) -> bool:
        return self.options.cancel is not None and self.options.cancel.is_set()

    def settled(self) -> bool:
        """Nothing more to do: cancelled, out of time or work, or (on the clock) proven by a bound."""
        if self.cancelled() or self.allowance.spent():
            return True
        if not self.deterministic and self.bounds is not None:
            lowest = self.bounds.lowest()
            if lowest is not None and self.best_value >= min(self.ceiling, lowest) - 0.5:
                return True
        return self.best_value >= self.ceiling - 0.5

    def better(self, placements: list[Placement], value: int) -> None:
        if value > self.best_value:
            self.best, self.best_value = placements, value
        if self.options.progress is not None:
            from scheduler.solver.cpsat import Progress

            self.options.progress(
                Progress(time.monotonic() - self.started, value, self.ceiling, self.placed_before + len(placements))
            )

    def effort(
        self, allowance: Allowance, seconds: float | None = None, relative_gap: float = 0.0, absolute_gap: float = 0.0
    ) -> sat.Effort:
        return sat.Effort(
            seconds=max(0.05, allowance.left()) if seconds is None else seconds,
            work=allowance.work,
            workers=self.options.workers,
            seed=self.options.seed,
            relative_gap=relative_gap,
            absolute_gap=absolute_gap,
        )

    # -- stages ----------------------------------------------------------------------------------

    def start_bounds(self) -> CapacityModel | PooledModel | None:
        """Start the relaxations in a child process; return the model to aim with: the pooled one where pools
        merge people (a unit on one relief), else the capacity model."""
        budget = Budget(time.monotonic() + max(0.0, self.allowance.left()) * BOUND_BUILD_SHARE)
        programs: list[LinearProgram] = []
        aim: CapacityModel | PooledModel | None = None
        try:
            capacity = CapacityModel(self.inst, self.group, budget).build()
            if capacity.nonzeros <= LP_MAX_NONZEROS:
                programs.append(capacity.program())
            if capacity.nonzeros <= CAPACITY_AIM_MAX_NONZEROS:
                aim = capacity
            if sum(len(t.starts) for t in self.movable) <= POOLED_MAX_STARTS and self.merges():
                aim = PooledModel(self.inst, self.group, budget).build()
                if aim.nonzeros <= POOLED_LP_MAX_NONZEROS:  # tighter than the capacity model's, a little
                    programs.append(from_cp_model(aim.m.proto, "pooled"))
        except OutOfTime:
            pass
        work = None if self.allowance.work is None else max(1.0, self.allowance.work)
        self.bounds = Bounds(programs, self.allowance.ends, work, BOUND_TIER_SHARE).start()
        return aim

    def merges(self) -> bool:
        """Whether pooling merges the people who fill slots (officers of a unit on one relief)."""
        of = pools(self.inst, self.group)
        candidates = {c for t in self.movable for s in t.request.slots for c in s.candidates}
        groups = {of[c] for c in candidates if c in of}
        return bool(groups) and len(candidates) / len(groups) >= POOLED_MIN_MERGE

    def aim(self, model: CapacityModel | PooledModel, allowance: Allowance) -> None:
        """When meetings go (and, pooled, from which pools), from the aim model's search; then named people."""
        began = time.monotonic()
        if isinstance(model, PooledModel):
            solution, outcome = model.search(self.best, self.effort(allowance), self.cancelled)
        else:
            starts, outcome = model.search(self.best, self.effort(allowance), self.cancelled)
            optional = {(t.id, p) for t in self.movable for p, required in t.request.invitees if not required}
            solution = None if starts is None else PooledSolution(starts, {}, optional)
        self.spend(outcome.work, outcome.clock_stopped)
        log.debug(
            "aim: %s search %.2f s of %.2f, %s",
            type(model).__name__,
            time.monotonic() - began,
            allowance.left() + time.monotonic() - began,
            outcome.status,
        )
        if solution is None:
            return
        self.found = True
        staffed = realise(self.inst, self.group, solution)
        if len(staffed) < len(solution.starts):  # the colouring left some unstaffed: CP-SAT names people
            step = Allowance(self.allowance.ends, None if self.allowance.work is None else POLISH_MAX_S)
            # On the clock a few seconds at most; under a work limit its work alone bounds it (the clock to the
            # group's end is only the safety stop).
            seconds = step.left() if self.deterministic else min(POLISH_MAX_S, step.left() * POLISH_SHARE)
            effort = self.effort(step, seconds=max(0.05, seconds), absolute_gap=NEIGHBOURHOOD_GAP)
            polished, spent = polish(self.inst, self.group, solution, staffed, effort, self.solve_model)
            self.spend(spent)
            staffed = polished or staffed
        self.promising = set(solution.starts) - {pl.task.id for pl in staffed}
        log.debug("aim: %d starts, %d staffed", len(solution.starts), len(staffed))
        self.better(staffed, score(self.inst, staffed).total)

    def improve(self, allowance: Allowance) -> None:
        """Neighbourhoods around what blocks a request, and windows of days (``solver.lns``)."""
        effort = self.effort(allowance, absolute_gap=NEIGHBOURHOOD_GAP)
        before = allowance.work
        searched = improve(
            self.inst,
            self.group,
            self.best,
            allowance,
            self.solve_model,
            effort,
            self.better,
            self.cancelled,
            self.promising,
        )
        self.spend(0.0 if before is None else before - (allowance.work or 0.0), searched.clock_stopped)
        self.found = self.found or searched.neighbourhoods > 0  # each answered with a schedule of CP-SAT's own
        if searched.objective > self.best_value:
            self.best, self.best_value = searched.placements, searched.objective

    def prove(self, allowance: Allowance) -> None:
        """The full model, hinted with every variable of the best so far: it proves an uncontended group."""
        if (allowance.work is not None and allowance.work <= 0) or (not self.deterministic and allowance.left() < 0.2):
            return
        full = self.full_model(allowance)
        if full is None:
            return
        full.add_hint(self.best)
        effort = self.effort(allowance, relative_gap=self.options.relative_gap, absolute_gap=self.options.absolute_gap)
        outcome = sat.run(full, effort, self._progress_callback(full), self.cancelled)
        self.spend(outcome.work, outcome.clock_stopped)
        if outcome.found:
            self.found = True
            value = score(self.inst, outcome.placements).total
            if value >= self.best_value:
                self.best, self.best_value = outcome.placements, value
        # CP-SAT's bound is its own only when it means something: an upper bound is never below a schedule
        # it could have found (a search stopped before it began reports 0).
        if outcome.bound >= self.best_value - 0.5:
            self.cp_bound = outcome.bound

    def tie_break(self) -> None:
        """Among schedules of the objective found, the same people across a chain of meetings."""
        if self.deterministic:
            if not self.allowance.work or self.cancelled():
                return
            allowance = Allowance(self.allowance.ends, self.allowance.work)
        else:
            left = min(self.allowance.left(), (self.allowance.ends - self.started) * TIE_BREAK_SHARE)
            if left < 0.2 or self.cancelled():
                return
            allowance = Allowance(time.monotonic() + left)
        ids = {t.id for t in self.group}
        if not any(t.depends_on in ids for t in self.group):
            return  # no chain of meetings: no tie to break
        second = self.full_model(allowance)
        if second is None:
            return
        links = second.chain_continuity()
        if not links:
            return
        second.add_hint(self.best)
        objective = sum(w * e for _, w, e in second.terms)
        second.m.add(objective >= self.best_value)
        second.m.maximize(sum(links))
        outcome = sat.run(second, self.effort(allowance), stop=self.cancelled)
        self.spend(outcome.work, outcome.clock_stopped)
        if outcome.found and score(self.inst, outcome.placements).total >= self.best_value:
            self.best = outcome.placements

    def full_model(self, allowance: Allowance) -> ScheduleModel | None:
        """The group's full model, or None if building it ran past the stage's time (unchecked, the tie-break's
        build carried team L solves at 30 s to 31.4 and 32.0 s at load 9)."""
        try:
            return ScheduleModel(self.inst, self.group, budget=Budget(allowance.ends)).build()
        except OutOfTime:
            self.spend(0.0, self.deterministic)  # under a work limit the clock cut in: say so
            return None

    def fill(self) -> None:
        """Everyone who can come and would raise the score, brought in (``solver.fill``)."""
        diary = Diary(self.inst)
        for pl in self.best:
            diary.add(pl)
        filled = fill(self.best, diary)
        value = score(self.inst, filled).total
        if value >= self.best_value:
            self.best, self.best_value = filled, value

    # -- the answer ------------------------------------------------------------------------------

    def result(self) -> GroupResult:
        bound, kind = self.ceiling, "limit"
        if self.cp_bound is not None and self.cp_bound < bound:
            bound, kind = self.cp_bound, "cp-sat"
        if self.bounds is not None:
            # On the clock the relaxations are waited for no later than the group's end; under a work limit
            # too, so that the bound reported does not depend on the moment it is asked. A stopped solve, or
            # one already proven, takes what has come and goes.
            proven = bound - self.best_value < 0.5
            relaxed = self.bounds.lowest(wait_until=None if self.cancelled() or proven else self.allowance.ends)
            if relaxed is not None and relaxed >= self.best_value - 0.5 and relaxed < bound:
                bound, kind = relaxed, "relaxation"
        bound = max(bound, float(self.best_value))
        if bound - self.best_value < 0.5:  # proven: by CP-SAT, a relaxation, or the schedule reaches the limit
            status = "OPTIMAL"
        elif self.found:
            status = "FEASIBLE"
        else:
            status = "NO_SOLUTION"
        return GroupResult(self.best, status, float(self.best_value), bound, kind, self.clock_stopped)

    def _progress_callback(self, model: ScheduleModel) -> Callable[[cp_model.CpSolverSolutionCallback], None]:
        def on_solution(cb: cp_model.CpSolverSolutionCallback) -> None:
            if self.options.progress is not None:
                from scheduler.solver.cpsat import Progress

                placed = sum(cb.value(v) for v in model.placed.values())
                self.options.progress(
                    Progress(
                        time.monotonic() - self.started,
                        cb.objective_value,
                        cb.best_objective_bound,
                        self.placed_before + placed,
                    )
                )
            if self.cancelled():
                cb.stop_search()

        return on_solution


ProgressFn = Callable[["Progress"], None]
