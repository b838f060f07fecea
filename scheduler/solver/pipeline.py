"""The solve as a pipeline of stages, and the one place its time and work are shared out.

A solve's time limit covers everything from reading to saving (``SolveBudget``): building the instance and
greedy (at most ``BUILD_SHARE``; past it the solve stops and says where it was), CP-SAT's stages, describing
the result, and a reserve to save and print. CP-SAT's part is shared among independent groups of
requests by their size, and each group runs these stages, each from the best schedule so far:

1. **bound**: the capacity model's linear relaxation (and the pooled model's, where it is built), solved in
   a child process beside the other stages and abandoned at the group's end;
2. **aim**: the pooled model's search, when meetings go and from which pools, only where pools merge
   people (a unit on one relief): ``AIM_SHARE`` of what is left;
3. **improve**: neighbourhoods around what blocks a request, and windows of days (``solver.lns``): the
   rest, or ``IMPROVE_SHARE`` of it when prove follows;
4. **prove**: the full model, hinted with the best so far, where it is small enough to prove or improve
   on the search (``PROVE_MAX_CHOICES`` when searching): the rest;
5. **tie-break**: the same people across a chain, at the objective found, where the group has one: at most
   ``TIE_BREAK_SHARE`` of the run (the full model's building counted: it is abandoned at the stage's end);
6. **fill**: optional invitees and continuity people who can come and raise the score (``solver.fill``).

A group with no room to gain (its limit not even an agency above greedy's schedule: the bundled example)
goes straight to prove. Under a work limit every CP-SAT call is bounded by the same shares of the work
instead of the clock, runs on one worker, and no choice depends on the clock or on when a bound arrives,
so the same data, seed and work limit give the same schedule; the clock is then only a safety stop,
reported when it cuts in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from scheduler.solver.budget import Budget

# -- the whole solve ------------------------------------------------------------------------------

BUILD_SHARE = 0.8  # building the instance and greedy: at most this share of the limit (then exit 2)
RESERVE_SHARE, RESERVE_MAX_S = 0.08, 5.0  # kept at the end to save and print (4 s at 2,000 requests)
DESCRIBE_MAX_SHARE = 0.2  # describing (reasons, alternatives): at most this share of the limit ...
DESCRIBE_BASE_S, DESCRIBE_PER_TASK_S = 0.3, 0.004  # ... and about this long for the batch
# CP-SAT stops a little after its limit (it finishes the step it is in; 0.1 s past 10 s on bench size M).
OVERRUN_SHARE, OVERRUN_MAX_S = 0.04, 1.0

# -- one group ------------------------------------------------------------------------------------

BOUND_BUILD_SHARE = 0.25  # building the relaxations (not solving them: that runs beside the rest), at most
# The child's CP-SAT proving the most requests any schedule could place (``solver.relaxation``), at most this
# share of the group's time: one core of two beside the search while it runs (2 to 5 s at bench L).
BOUND_TIER_SHARE = 0.3
SEARCH_MIN_TASKS = 12  # smaller groups go straight to the full model, which proves them optimal quickly
AIM_SHARE = 0.3  # the aim model's search (pooled or capacity), of what is left
# The capacity model aims only up to this size: at city scale (1.7 million nonzeros, 45,000 starts) its search
# found no more than greedy in 15 s and staffing what it found took 20 s more; the neighbourhoods do better there.
CAPACITY_AIM_MAX_NONZEROS = 800_000
POOLED_MAX_STARTS = 15_000  # the pooled model is built only up to this many starts ...
POOLED_MIN_MERGE = 1.5  # ... and used to aim only when its pools hold this many people each on average
# Naming the people the aim's colouring could not, moving a meeting within an hour on its day: at most this long (this
# much work under a work limit) and this share of what is left. Bench L with leave needs about 3 s to settle.
POLISH_MAX_S, POLISH_SHARE = 4.0, 0.25
IMPROVE_SHARE = 0.6  # of what is left, for the neighbourhood search when the full model follows it
# Above this many (start, possible attendee) pairs the full model takes longer to build and presolve than a
# coordinator waits (12 s to build at 2,000 staff and 800 requests): the neighbourhood search has all the time.
FULL_MODEL_CHOICES = 1_000_000
# Above this many, a contended group's full model neither proves nor improves on the neighbourhoods within a
# coordinator's time (bench L, 185,000 to 270,000: nothing gained in 4 to 11 s on any shape, and its bound
# within 0.01% of the relaxations'), so the neighbourhood search keeps prove's time. Bench M (17,000 to
# 52,000) is proven there.
PROVE_MAX_CHOICES = 120_000
TIE_BREAK_SHARE = 0.2  # at most this share of the run for the chain-continuity tie-break


@dataclass(frozen=True)
class SolveBudget:
    """The whole solve's limit, from the moment it began reading, shared out between its parts."""

    started: float  # time.monotonic()
    limit_s: float
    work: float | None = None  # deterministic work for CP-SAT's stages; None: the clock alone

    def building(self) -> Budget:
        return Budget(self.started + BUILD_SHARE * self.limit_s)

    def describing_s(self, tasks: int, alternatives: int) -> float:
        batch = DESCRIBE_BASE_S + DESCRIBE_PER_TASK_S * tasks * (1 + alternatives / 2)
        return min(DESCRIBE_MAX_SHARE * self.limit_s, batch)

    def solving_ends(self, tasks: int, alternatives: int) -> float:
        """When CP-SAT's stages must be done, leaving time to describe (``solve_cpsat`` keeps back the margin
        for CP-SAT's overrun itself)."""
        return self.started + self.limit_s - self.describing_s(tasks, alternatives)

    def describe(self) -> Budget:
        """Describing gets what is left of the limit, less a moment to save and print."""
        return Budget(self.started + self.limit_s - min(RESERVE_MAX_S, RESERVE_SHARE * self.limit_s))


@dataclass
class Allowance:
    """What a stage may spend: until ``ends`` on the clock, and under a work limit ``work`` units."""

    ends: float
    work: float | None = None

    def left(self) -> float:
        return self.ends - time.monotonic()

    def spent(self) -> bool:
        return self.left() <= 0.05 or (self.work is not None and self.work <= 0)

    def share(self, fraction: float) -> Allowance:
        """``fraction`` of what is left (of the clock, and of the work)."""
        ends = time.monotonic() + max(0.0, self.left()) * fraction
        return Allowance(ends, None if self.work is None else self.work * fraction)

    def take(self, spent_work: float) -> None:
        if self.work is not None:
            self.work = max(0.0, self.work - spent_work)
