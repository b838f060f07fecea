"""Large-neighbourhood search around the incumbent: re-solve a few meetings exactly, the rest held.

The full model of a city's month is too big for CP-SAT to improve within a coordinator's patience, but a
neighbourhood of it (``solver.neighbourhoods``: a request not placed and the meetings in its way, each
free over its whole window; or the meetings of a few days) solves exactly in a fraction of a second. Each
neighbourhood's model is exact for the whole schedule: the meetings it does not free but that share its
people or rooms on its days are in it as fixed tasks (so clashes, travel, daily limits and rooms count),
every other meeting adds to its people's fair-spread load as a constant, and a change is kept only when
``score`` of the whole schedule rises.

Which neighbourhood comes next is drawn from a generator seeded by the solve's seed, and under a work
limit each step is bounded by deterministic work, so the same data, seed and work limit take the same
steps on any machine.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Collection
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import date

from scheduler.solver.greedy import Diary, fixed_placement, follows_in_time
from scheduler.solver.instance import Fixed, Instance, Task
from scheduler.solver.limit import task_limit
from scheduler.solver.model import ScheduleModel
from scheduler.solver.neighbourhoods import MAX_FREE, Neighbourhood, around, day_windows, in_window, targets
from scheduler.solver.objective import W_OPTIONAL, Placement, score
from scheduler.solver.pipeline import Allowance
from scheduler.solver.sat import Effort, Outcome

log = logging.getLogger(__name__)

STEP_SECONDS = 1.0  # at most this long on one neighbourhood
STEP_WORK = 0.5  # under a work limit: at most this much deterministic work on one neighbourhood
STEP_COST = 0.01  # under a work limit: what a step counts for at least (Python's share of it)
LANES = 2  # neighbourhoods solved at once (one CP-SAT worker each) when the solve has two or more workers
BATCH_DRAWS = 4  # draws for a second neighbourhood on other days
UNPLACED_WEIGHT = 4.0  # how much likelier a request not placed is to be worked on than one an agency short
# How much likelier again a request is that the aim model placed and naming people could not: its start had room
# by the counting, so a few meetings moved usually place it; most other unplaced requests fit no schedule.
PROMISING_WEIGHT = 10.0
DAYS_SHARE = 0.25
MAX_TRIES = 12  # neighbourhoods built around one request since the schedule last improved, at most
UNBLOCKING_GAIN = W_OPTIONAL  # an improvement of at least this (someone more attends) clears the tries


@dataclass
class SearchResult:
    placements: list[Placement]
    objective: int
    neighbourhoods: int  # how many CP-SAT answered with a schedule (better or not)
    improved: int  # how many of them improved the schedule
    work: float = 0.0  # deterministic work spent
    clock_stopped: bool = False  # under a work limit: the clock cut a step short


Runner = Callable[[ScheduleModel, Effort], Outcome]


def held(pl: Placement) -> Task:
    """A placed meeting as a fixed task: its start, attendees and room, nothing left to choose."""
    t = pl.task
    people = tuple(a.person for a in pl.attendees)
    return replace(
        t,
        starts=[pl.start],
        on_duty={p: {0} for p in people},
        off_duty={},
        fixed=Fixed(pl.start, people, pl.room),
        depends_on=None,
        deadline_after={},
    )


def cut_starts(tasks: list[Task], keep: dict[str, list[int]]) -> dict[str, tuple[Task, list[int]]]:
    """Each task cut down to the start indexes ``keep`` gives it: (the cut task, original index of each start)."""
    out: dict[str, tuple[Task, list[int]]] = {t.id: (t.keeping(keep[t.id]), keep[t.id]) for t in tasks}
    for cut, _ in out.values():  # a follow-up's deadlines are indexed by the starts of the one it follows
        if cut.depends_on in out:
            ref_keep = out[cut.depends_on][1]
            cut.deadline_after = {new: cut.deadline_after[old] for new, old in enumerate(ref_keep)}
    return out


def restricted(tasks: list[Task], inst: Instance, window: set[date]) -> dict[str, tuple[Task, list[int]]]:
    """Each task cut down to its starts on the window's days."""
    return cut_starts(tasks, {t.id: [k for k, s in enumerate(t.starts) if inst.local_day(s) in window] for t in tasks})


def neighbourhood_model(
    inst: Instance, free: list[Task], window: set[date], incumbent: list[Placement]
) -> tuple[ScheduleModel, dict[str, tuple[Task, list[int]]], list[Placement]]:
    """The exact model of ``free`` on ``window``'s days with the rest of ``incumbent`` held: (model, cut, kept)."""
    cut = restricted(free, inst, window)
    keep = [pl for pl in incumbent if pl.task.id not in cut]
    people = set().union(*(t.request.people() for t in free))
    same_days = [pl for pl in keep if inst.local_day(pl.start) in window]
    background = [held(pl) for pl in same_days if pl.room or any(a.person in people for a in pl.attendees)]
    inside = {t.id for t in background} | set(cut)
    offset: dict[str, int] = defaultdict(int)
    for pl in keep:
        if pl.task.id not in inside and pl.task.follows is None:
            for a in pl.attendees:
                offset[a.person] += 1
    tasks = [c for c, _ in cut.values()]
    model = ScheduleModel(inst, [*tasks, *background], offset).build()
    hint = []
    for pl in incumbent:
        if pl.task.id in cut and pl.k in cut[pl.task.id][1]:  # a chain partner placed elsewhere starts unplaced
            c, ks = cut[pl.task.id]
            hint.append(Placement(c, ks.index(pl.k), pl.attendees, pl.room))
    model.add_hint(hint + [fixed_placement(t) for t in background])
    return model, cut, keep


def solve_neighbourhood(
    inst: Instance, nb: Neighbourhood, incumbent: list[Placement], run: Runner, effort: Effort
) -> tuple[list[Placement] | None, Outcome]:
    """The whole schedule with ``nb``'s requests re-solved and the rest as it is (None: nothing found)."""
    model, cut, keep = neighbourhood_model(inst, nb.free, nb.days, incumbent)
    outcome = run(model, effort)
    if not outcome.found:
        return None, outcome
    originals = {t.id: t for t in nb.free}
    moved = [
        Placement(originals[pl.task.id], cut[pl.task.id][1][pl.k], pl.attendees, pl.room)
        for pl in outcome.placements
        if pl.task.id in cut
    ]
    return keep + moved, outcome


class _Chooser:
    """The next neighbourhood: around a request short of its best (those tried less, or tried and then
    unblocked by a change, first), now and then a window of days; windows of days alone once every
    request is at its best, widening after a pass of them finds nothing, and none after two such passes."""

    def __init__(self, inst: Instance, group: list[Task], rng: random.Random, promising: Collection[str] = ()) -> None:
        self.inst, self.group, self.rng, self.promising = inst, group, rng, set(promising)
        self.best = {t.id: lim.value for t in group if t.fixed is None and (lim := task_limit(inst, t))}
        self.tries: dict[str, int] = defaultdict(int)
        self.windows: list[set[date]] = []
        self.parts: list[Neighbourhood] = []
        self.width = 1
        self.passes = 0
        self.barren = 0  # passes of day windows in a row that found nothing
        self.pass_improved = False
        self._diary: tuple[list[Placement] | None, Diary] = (None, Diary(inst))

    def next(self, placements: list[Placement]) -> Neighbourhood | None:
        # A request tried many times since the schedule last improved is left for now: one the limit counts as
        # placeable may be placeable by no schedule, and trying it for ever would leave no time to prove.
        short = [t for t in targets(self.inst, self.group, placements, self.best) if self.tries[t.id] < MAX_TRIES]
        if short and (self.rng.random() >= DAYS_SHARE or not self._refill(placements, bool(short))):
            placed = {pl.task.id for pl in placements}
            weights = [self._weight(t.id, placed) for t in short]
            target = self.rng.choices(short, weights)[0]
            self.tries[target.id] += 1
            if self._diary[0] is not placements:  # one diary per incumbent, not per draw
                diary = Diary(self.inst)
                for pl in placements:
                    diary.add(pl)
                self._diary = (placements, diary)
            diary = self._diary[1]
            size = MAX_FREE * (1 + min(3, self.tries[target.id] // 3))  # wider after failures
            nb = around(self.inst, self.group, diary, target, self.rng, size)
            if nb is not None:
                return nb
        while not self.parts:
            if not self._refill(placements, bool(short)):
                return None
            self.parts = in_window(self.inst, self.group, placements, self.windows.pop(0))
        return self.parts.pop(0)

    def _weight(self, tid: str, placed: set[str]) -> float:
        if tid in placed:
            return 1.0 / (1 + self.tries[tid])
        return UNPLACED_WEIGHT * (PROMISING_WEIGHT if tid in self.promising else 1.0) / (1 + self.tries[tid])

    def _refill(self, placements: list[Placement], short: bool) -> bool:
        """Day windows left to try (a new pass when the last is done); False when they have had their turn."""
        if self.windows:
            return True
        if self.passes:
            self.barren = 0 if self.pass_improved else self.barren + 1
            if not self.pass_improved:
                self.width *= 2
        if self.barren >= 2 and not short:
            return False
        self.passes += 1
        self.pass_improved = False
        self.windows = day_windows(self.inst, self.group, self.width)
        span = len(set().union(*self.windows)) if self.windows else 0
        if self.width > max(1, span) and self.passes > 1:
            self.width = 1  # back to single days: the whole period was tried at once
        return bool(self.windows)

    def batch(self, placements: list[Placement], lanes: int) -> list[Neighbourhood]:
        """Up to ``lanes`` neighbourhoods to solve at once, each on days the others do not use where it can."""
        out: list[Neighbourhood] = []
        while len(out) < lanes:
            drawn = self.beside(placements, out)
            if drawn is None:
                break
            out.append(drawn)
        return out

    def beside(self, placements: list[Placement], others: list[Neighbourhood]) -> Neighbourhood | None:
        """The next neighbourhood, on days ``others`` do not use if one of a few draws is (two that share days
        are still solved, and the later answer kept only if it fits)."""
        drawn = None
        for _ in range(BATCH_DRAWS if others else 1):
            nb = self.next(placements)
            if nb is None:
                break
            drawn = nb
            if not any(nb.days & other.days for other in others):
                break
        return drawn

    def improved(self, nb: Neighbourhood, gain: int) -> None:
        if nb.kind == "days":
            self.pass_improved = True
        # A change of who comes or what is placed may have unblocked any request tried before; a meeting moved
        # a day earlier (a tie-break) seldom does, and clearing the tries then kept every neighbourhood at its
        # smallest (bench L with leave: a tie-break gain every second or two).
        if gain >= UNBLOCKING_GAIN:
            self.tries.clear()


def fits(inst: Instance, others: list[Placement], moved: list[Placement]) -> bool:
    """Whether ``moved`` can join ``others`` keeping every rule: nobody in two places (travel included), the
    daily limit, the room, a follow-up after what it follows (checked by the diary greedy uses)."""
    diary = Diary(inst)
    for pl in others:
        diary.add(pl)
    waiting = list(moved)
    while waiting:
        ready = [pl for pl in waiting if pl.task.depends_on is None or pl.task.depends_on in diary.placements]
        if not ready:
            return False
        for pl in ready:
            t, k = pl.task, pl.k
            if not follows_in_time(diary, t, k) or any(diary.conflict(a.person, t, k) for a in pl.attendees):
                return False
            s, e = t.meeting(k)
            if pl.room and any(lo < e and hi > s for lo, hi, _ in diary.rooms.get(pl.room, ())):
                return False
            diary.add(pl)
        waiting = [pl for pl in waiting if pl not in ready]
    return True


def improve(
    inst: Instance,
    group: list[Task],
    incumbent: list[Placement],
    allowance: Allowance,
    run: Runner,
    effort: Effort,
    on_better: Callable[[list[Placement], int], None] | None = None,
    stop: Callable[[], bool] | None = None,
    promising: Collection[str] = (),
) -> SearchResult:
    """Re-solve neighbourhoods until the allowance is spent or nothing is left to try.

    With two or more workers, two neighbourhoods (on different days where possible) are solved at once,
    each by one CP-SAT worker: a small model gains little from a second worker, and two at once do twice
    the work. Each answer is kept if it still fits beside the schedule as it now is and raises its score.
    On the clock a lane is given its next neighbourhood as soon as it is free: one around a request
    answers in a fifth of a second and a window of days takes its whole second, and waiting for the pair
    halved how many were tried (bench L with leave). Under a work limit they go in pairs, each pair's work
    counted, so the steps taken are the same on any machine. Two barren passes of day windows with every
    request at its best (as greedy's schedule is on the bundled example) end it early, leaving the time to
    the full model, which can prove it optimal. ``promising`` requests (placed by the aim model, not by its
    staffing) are worked on first.
    """
    search = _Search(inst, incumbent, allowance, run, replace(effort, workers=1), on_better, stop)
    chooser = _Chooser(inst, group, random.Random(effort.seed), promising)
    lanes = LANES if effort.workers > 1 else 1
    with ThreadPoolExecutor(lanes) as pool:
        if allowance.work is None and lanes > 1:
            search.steady(chooser, pool, lanes)
        else:
            search.in_batches(chooser, pool, lanes)
    return SearchResult(
        search.best, search.best_value, search.solved, search.improved, search.work_spent, search.clock_stopped
    )


class _Search:
    """The incumbent of a neighbourhood search and the two ways of feeding CP-SAT neighbourhoods."""

    def __init__(
        self,
        inst: Instance,
        incumbent: list[Placement],
        allowance: Allowance,
        run: Runner,
        single: Effort,
        on_better: Callable[[list[Placement], int], None] | None,
        stop: Callable[[], bool] | None,
    ) -> None:
        self.inst, self.allowance, self.run, self.single = inst, allowance, run, single
        self.on_better, self.stop = on_better, stop
        self.best, self.best_value = list(incumbent), score(inst, incumbent).total
        self.solved = self.improved = 0
        self.work_spent = 0.0
        self.clock_stopped = False
        self.build_s = 0.0  # how long the last neighbourhood took to build: none is started that could not finish

    def going(self) -> bool:
        if self.allowance.spent() or (self.stop is not None and self.stop()):
            return False
        if self.allowance.left() < 2 * self.build_s + 0.1:
            self.clock_stopped = self.clock_stopped or self.allowance.work is not None
            return False
        return True

    def step(self, count: int) -> Effort:
        left = self.allowance.left()
        return replace(
            self.single,
            seconds=max(0.05, min(STEP_SECONDS if self.single.work is None else left, left)),
            work=None if self.allowance.work is None else min(STEP_WORK, self.allowance.work / count),
        )

    def build(self, nb: Neighbourhood) -> tuple[ScheduleModel, dict[str, tuple[Task, list[int]]]]:
        began = time.monotonic()
        model, cut, _ = neighbourhood_model(self.inst, nb.free, nb.days, self.best)
        self.build_s = time.monotonic() - began
        return model, cut

    def in_batches(self, chooser: _Chooser, pool: ThreadPoolExecutor, lanes: int) -> None:
        while self.going():
            batch = chooser.batch(self.best, lanes)
            if not batch:
                return
            step = self.step(len(batch))
            built = [self.build(nb) for nb in batch]
            outcomes = list(pool.map(self.run, [model for model, _ in built], [step] * len(built)))
            for nb, (_, cut), outcome in zip(batch, built, outcomes, strict=True):
                self.answer(chooser, nb, cut, outcome)

    def steady(self, chooser: _Chooser, pool: ThreadPoolExecutor, lanes: int) -> None:
        running: dict[Future[Outcome], tuple[Neighbourhood, dict[str, tuple[Task, list[int]]]]] = {}
        exhausted = False
        while True:
            while not exhausted and len(running) < lanes and self.going():
                nb = chooser.beside(self.best, [other for other, _ in running.values()])
                if nb is None:
                    exhausted = True
                    break
                model, cut = self.build(nb)
                running[pool.submit(self.run, model, self.step(1))] = (nb, cut)
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f][0].label):
                nb, cut = running.pop(future)
                self.answer(chooser, nb, cut, future.result())

    def answer(
        self, chooser: _Chooser, nb: Neighbourhood, cut: dict[str, tuple[Task, list[int]]], outcome: Outcome
    ) -> None:
        """Keep a neighbourhood's schedule if it fits beside the incumbent as it now is and scores higher."""
        spent = max(outcome.work, STEP_COST)
        self.work_spent += spent
        if self.allowance.work is not None:
            self.allowance.take(spent)
            self.clock_stopped = self.clock_stopped or outcome.clock_stopped
        if not outcome.found:
            return
        self.solved += 1
        originals = {t.id: t for t in nb.free}
        moved = [
            Placement(originals[pl.task.id], cut[pl.task.id][1][pl.k], pl.attendees, pl.room)
            for pl in outcome.placements
            if pl.task.id in cut
        ]
        others = [pl for pl in self.best if pl.task.id not in cut]
        if not fits(self.inst, others, moved):
            log.debug("%s: %d free, %s, no longer fits", nb.label, len(nb.free), outcome.status)
            return
        candidate = others + moved
        value = score(self.inst, candidate).total
        log.debug("%s: %d free, %s, gain %d", nb.label, len(nb.free), outcome.status, value - self.best_value)
        if value > self.best_value:
            chooser.improved(nb, value - self.best_value)
            self.best, self.best_value = candidate, value
            self.improved += 1
            if self.on_better is not None:
                self.on_better(self.best, self.best_value)
