"""The neighbourhood search, the limit and the honest status, checked against rules written out here.

``valid`` knows only the rules (who can attend which start, required people and slot counts, no one in
two places at once with travel, the daily limit, rooms, a follow-up after what it follows and by its
deadline); it shares no code with the solver. The limit must never be beaten by any schedule, and a
bound never be below the schedule found.
"""

from __future__ import annotations

import random
import shutil
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

import scheduler.solver.stages as stages
from scheduler.paths import example_folder
from scheduler.services.partnership import check_folder
from scheduler.solver.budget import Budget, OutOfTime
from scheduler.solver.cpsat import SolveOptions, solve_cpsat
from scheduler.solver.greedy import greedy
from scheduler.solver.instance import Instance, build_instance
from scheduler.solver.limit import limit
from scheduler.solver.lns import _Chooser
from scheduler.solver.model import ScheduleModel
from scheduler.solver.objective import Placement, score
from scheduler.synthetic.generate import generate
from tests.solver.helpers import NOW
from tests.solver.test_solver_bruteforce import brute_force, enumerable_instance


def valid(inst: Instance, chosen: list[Placement]) -> list[str]:
    """Every rule a schedule breaks, in words (empty: a schedule a coordinator could send)."""
    broken: list[str] = []
    busy: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    per_day: dict[tuple[str, object], int] = defaultdict(int)
    rooms: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    placed = {pl.task.id: pl for pl in chosen}
    if len(placed) != len(chosen):
        broken.append("a request placed twice")
    for pl in chosen:
        t, r = pl.task, pl.task.request
        if not 0 <= pl.k < len(t.starts):
            broken.append(f"{t.id}: no such start")
            continue
        people = [a.person for a in pl.attendees]
        if len(set(people)) != len(people):
            broken.append(f"{t.id}: someone counted twice")
        if t.fixed is None:
            for a in pl.attendees:
                if not t.can(a.person, pl.k):
                    broken.append(f"{t.id}: {a.person} cannot attend then")
            for p, required in r.invitees:
                if required and p not in people:
                    broken.append(f"{t.id}: required {p} missing")
            for slot in r.slots:
                if sum(a.person in slot.candidates and a.role == "slot" for a in pl.attendees) < slot.count:
                    broken.append(f"{t.id}: slot {slot.label} not filled")
        lo, hi = t.span(pl.k)
        s, e = t.meeting(pl.k)
        for a in pl.attendees:
            if any(b_lo < hi and b_hi > lo for b_lo, b_hi, _ in busy[a.person]):
                broken.append(f"{t.id}: {a.person} in two places")
            busy[a.person].append((lo, hi, t.id))
            per_day[(a.person, inst.local_day(s))] += 1
            if per_day[(a.person, inst.local_day(s))] > inst.max_per_day:
                broken.append(f"{t.id}: {a.person} over the daily limit")
        if (r.at_hub and inst.partnership.rooms) or r.room:
            room = next((x for x in inst.partnership.rooms if x.id == pl.room), None)
            if room is None or room.capacity < r.headcount() or any(b < e and a > s for b, a, _ in rooms[pl.room]):
                broken.append(f"{t.id}: no room, too small or double-booked")
            elif room is not None:
                rooms[pl.room].append((s, e, t.id))
        if t.depends_on is not None:
            ref = placed.get(t.depends_on)
            if ref is None:
                broken.append(f"{t.id}: placed without {t.depends_on}")
            else:
                lo_d, hi_d = t.deadline_after[ref.k]
                if s < lo_d or e > hi_d:
                    broken.append(f"{t.id}: outside its deadline after {t.depends_on}")
    return broken


def generated(root: Path, profile: str, staff: int, n: int, seed: int) -> Instance:
    folder = root / f"{profile}-{staff}-{seed}"
    shutil.rmtree(folder, ignore_errors=True)
    generate(folder, staff, n, 14, seed, date(2026, 3, 2), example_folder(), profile)
    p, problems, reqs = check_folder(folder)
    assert p is not None, problems
    return build_instance(p, reqs, NOW)


@pytest.mark.parametrize("seed", range(12))
def test_the_limit_is_never_beaten_on_enumerated_instances(tmp_path: Path, seed: int) -> None:
    inst = enumerable_instance(tmp_path, seed)
    assert limit(inst).objective >= brute_force(inst)


@pytest.mark.parametrize(("profile", "seed"), [("standard", 1), ("standard", 2), ("contended", 1), ("contended", 2)])
def test_neighbourhood_search_keeps_every_rule_and_never_loses_ground(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str, seed: int
) -> None:
    """Forced on every group (chains, rooms, count-2 slots, part-time workers), it only ever improves."""
    monkeypatch.setattr(stages, "SEARCH_MIN_TASKS", 1)
    monkeypatch.setattr(stages, "IMPROVE_SHARE", 0.9)
    inst = generated(tmp_path, profile, 60, 30, seed)
    hint = greedy(inst)
    result = solve_cpsat(inst, hint, SolveOptions(time_limit_s=6))
    assert valid(inst, hint) == []  # the checker agrees with greedy, the baseline
    assert valid(inst, result.placements) == []
    most = limit(inst)
    total = score(inst, result.placements).total
    assert score(inst, hint).total <= total == result.objective <= result.bound <= most.objective
    assert len(hint) <= len(result.placements) <= most.placed


def test_a_short_solve_reports_an_honest_bound_and_status(tmp_path: Path) -> None:
    """At a few seconds on a contended instance the search is not finished: it must not claim it is."""
    inst = generated(tmp_path, "contended", 200, 80, 3)
    hint = greedy(inst)
    most = limit(inst)
    for seconds in (0.3, 3.0):
        result = solve_cpsat(inst, hint, SolveOptions(time_limit_s=seconds))
        assert result.objective <= result.bound <= most.objective
        assert result.bound != score(inst, hint).total or result.objective == result.bound
        if result.status == "OPTIMAL":
            assert result.bound == result.objective
        else:
            assert result.bound > result.objective
        if result.status == "NO_SOLUTION":  # greedy's schedule kept (groups may come back in another order)
            assert sorted(result.placements, key=lambda pl: pl.task.id) == sorted(hint, key=lambda pl: pl.task.id)
        assert all(g.status in ("OPTIMAL", "FEASIBLE", "NO_SOLUTION") for g in result.groups)


def test_requests_the_aim_placed_but_could_not_staff_are_worked_on_first(tmp_path: Path) -> None:
    """A request whose start had room by the aim model's counting is the likeliest to be placed by moving a few
    meetings; the search draws it far more often than the other unplaced ones, most of which fit no schedule."""
    inst = generated(tmp_path, "contended", 200, 80, 3)
    placements = greedy(inst)
    placed = {pl.task.id for pl in placements}
    unplaced = sorted(t.id for t in inst.tasks if t.fixed is None and t.starts and t.id not in placed)
    assert len(unplaced) >= 3
    chosen = unplaced[len(unplaced) // 2]

    def drawn(promising: set[str]) -> int:
        hits = 0
        for seed in range(200):
            nb = _Chooser(inst, inst.tasks, random.Random(seed), promising).next(placements)
            hits += nb is not None and nb.target == chosen
        return hits

    plain, first = drawn(set()), drawn({chosen})
    assert first >= 3 * max(1, plain)
    assert first >= 80  # of 200, with a quarter of draws going to windows of days


def test_building_the_full_model_stops_at_its_time(tmp_path: Path) -> None:
    """The full model of a city takes seconds to build on a busy machine; the stages that build it (prove,
    the tie-break) give up at their time instead of carrying the solve past its limit."""
    inst = generated(tmp_path, "contended", 60, 30, 1)
    with pytest.raises(OutOfTime) as stopped:
        ScheduleModel(inst, inst.tasks, budget=Budget(time.monotonic() - 1)).build()
    assert stopped.value.stage.startswith("building the model")
    built = ScheduleModel(inst, inst.tasks, budget=Budget(time.monotonic() + 60)).build()
    assert len(built.placed) == len(inst.tasks)
