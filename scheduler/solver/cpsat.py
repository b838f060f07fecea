"""Solving a whole batch of meetings at once with OR-Tools CP-SAT: the options, the groups, the answer.

Following the CP-SAT primer's patterns: the instance comes in as data (``solver.instance``), the model
(``solver.model``) has one method per constraint family and an objective of the labelled terms of
``solver.objective`` (so it can be explained and compared with greedy), the greedy schedule is given as
a hint, and the best bound is reported beside the objective. Independent groups of requests (sharing no
people, rooms or deadlines) are solved separately, each through the stages of ``solver.pipeline``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from scheduler.solver.instance import Instance, Task
from scheduler.solver.objective import Placement
from scheduler.solver.pipeline import OVERRUN_MAX_S, OVERRUN_SHARE, Allowance
from scheduler.solver.stages import GroupResult, GroupSolve

__all__ = ["CpsatResult", "GroupResult", "Progress", "SolveOptions", "groups", "solve_cpsat"]


@dataclass
class Progress:
    """What a running solve reports: for a progress bar, a log line or the UI."""

    elapsed_s: float
    objective: float
    bound: float
    placed: int


@dataclass
class SolveOptions:
    time_limit_s: float = 10.0
    workers: int = 2
    seed: int = 0
    # CP-SAT's deterministic time for all the stages together: the same data, seed and limit then give the
    # same schedule on any machine (``time_limit_s`` is then only a safety stop, reported when it cuts in).
    deterministic_limit: float | None = None
    relative_gap: float = 0.0  # stop once within this fraction of the bound (0: prove optimal)
    absolute_gap: float = 0.0  # stop once within this much of the bound
    progress: Callable[[Progress], None] | None = None
    cancel: threading.Event | None = None


class CpsatResult(NamedTuple):
    placements: list[Placement]
    status: str  # OPTIMAL (proven) | FEASIBLE | NO_SOLUTION (CP-SAT found nothing of its own: greedy's kept)
    objective: float
    bound: float  # the lowest valid bound found: the limit, a relaxation's, CP-SAT's own; never greedy's
    groups: list[GroupResult]
    bound_kind: str = "limit"  # which bound (the lowest group by group): limit | relaxation | cp-sat | mixed
    clock_stopped: bool = False  # under a work limit: the time limit cut a stage short (another run may differ)


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


def solve_cpsat(inst: Instance, hint: list[Placement], options: SolveOptions) -> CpsatResult:
    """Placements, status, objective and bound over all groups, within ``options.time_limit_s`` in all."""
    started = time.monotonic()
    ends = started + options.time_limit_s - min(OVERRUN_MAX_S, OVERRUN_SHARE * options.time_limit_s)
    whole = Allowance(ends, options.deterministic_limit)
    hint_by_task = {pl.task.id: pl for pl in hint}
    parts = [g for g in groups(inst) if any(t.starts for t in g)]
    remaining = sum(len(g) for g in parts)
    placements: list[Placement] = []
    results: list[GroupResult] = []
    for group in parts:
        greedy_part = [hint_by_task[t.id] for t in group if t.id in hint_by_task]
        fraction = len(group) / max(1, remaining)
        if whole.work is not None:
            allowance = Allowance(ends, whole.work * fraction)
            whole.take(allowance.work or 0.0)
        else:
            allowance = whole.share(fraction)
        result = GroupSolve(inst, group, greedy_part, options, allowance, started, len(placements)).run()
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
    kinds = {r.bound_kind for r in results if r.status != "OPTIMAL"} or {r.bound_kind for r in results}
    kind = "limit" if not kinds else kinds.pop() if len(kinds) == 1 else "mixed"
    return CpsatResult(placements, status, objective, bound, results, kind, any(r.clock_stopped for r in results))
