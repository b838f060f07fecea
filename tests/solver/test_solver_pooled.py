"""The pooled and capacity models: their bounds are bounds, pooled solutions become valid schedules, pools are honest.

The bound is checked against brute force (every schedule of small instances enumerated, sharing no code
with the solver) and against real schedules mapped into the model with every variable held; the schedules
made from its solutions against the independent rule checker of ``test_solver_search``.
"""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.solver import sat
from scheduler.solver.capacity import CapacityModel, maximal_cliques
from scheduler.solver.cpsat import groups
from scheduler.solver.greedy import greedy
from scheduler.solver.objective import score
from scheduler.solver.pooled import PooledModel, pools
from scheduler.solver.realise import NEAR_MIN, polish, realise
from scheduler.solver.relaxation import Bounds, LinearProgram, from_cp_model, held_to, solve, tier_most
from tests.solver.test_solver_bruteforce import brute_force, enumerable_instance
from tests.solver.test_solver_search import generated, valid


@pytest.mark.parametrize("seed", range(12))
def test_the_pooled_bound_is_never_below_the_best_schedule(tmp_path: Path, seed: int) -> None:
    inst = enumerable_instance(tmp_path, seed)
    best = brute_force(inst)
    model = PooledModel(inst, inst.tasks).build()
    relaxed = solve(from_cp_model(model.m.proto, "pooled"), 10)
    assert relaxed is not None and relaxed >= best
    program = CapacityModel(inst, inst.tasks).build().program()
    capacity = solve(program, 10)
    assert capacity is not None and capacity >= best
    most = tier_most(program, 10)  # requests placed, held to the most any integer solution places
    held = None if most is None else solve(held_to(program, most), 10)
    assert held is not None and capacity >= held >= best
    # The integer optimum of the pooled model is a bound too (it is what CP-SAT's own bound converges to).
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model.m) == cp_model.OPTIMAL
    assert relaxed + 1e-6 >= solver.objective_value >= best


@pytest.mark.parametrize("profile", ["standard", "contended"])
def test_every_schedule_fits_the_pooled_model_at_no_less_than_its_score(tmp_path: Path, profile: str) -> None:
    """Greedy's schedule, held variable by variable, is a solution worth at least what ``score`` gives it."""
    inst = generated(tmp_path, profile, 60, 30, 1)
    schedule = greedy(inst)
    for group in groups(inst):
        ids = {t.id for t in group}
        mine = [pl for pl in schedule if pl.task.id in ids]
        model = PooledModel(inst, group).build()
        model.add_hint(mine)  # a value for every variable, each then held
        proto = model.m.proto
        for var, value in zip(list(proto.solution_hint.vars), list(proto.solution_hint.values), strict=True):
            v = model.m.get_int_var_from_proto_index(var)
            model.m.add(v == value)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 20
        assert solver.solve(model.m) in (cp_model.OPTIMAL, cp_model.FEASIBLE), group[0].id
        assert solver.objective_value >= score(inst, mine).total
        relaxed = solve(from_cp_model(PooledModel(inst, group).build().m.proto, "pooled"), 20)
        assert relaxed is not None and relaxed >= score(inst, mine).total
        program = CapacityModel(inst, group).build().program()
        capacity = solve(program, 20)
        assert capacity is not None and capacity >= score(inst, mine).total
        most = tier_most(program, 20)
        held = None if most is None else solve(held_to(program, most), 20)
        assert held is not None and held >= score(inst, mine).total


@pytest.mark.parametrize("seed", [1, 2])
def test_pooled_solutions_become_schedules_that_keep_every_rule(tmp_path: Path, seed: int) -> None:
    inst = generated(tmp_path, "contended", 60, 30, seed)
    hint = greedy(inst)
    for group in groups(inst):
        ids = {t.id for t in group}
        mine = [pl for pl in hint if pl.task.id in ids]
        model = PooledModel(inst, group).build()
        solution, _ = model.search(mine, sat.Effort(3.0), lambda: False)
        assert solution is not None
        staffed = realise(inst, group, solution)
        assert valid(inst, staffed) == []
        assert {pl.task.id: pl.k for pl in staffed}.items() <= solution.starts.items()
        polished, _ = polish(inst, group, solution, staffed, sat.Effort(3.0, absolute_gap=999), sat.run)
        assert polished is not None and valid(inst, polished) == []
        assert len(polished) >= len(staffed)
        for pl in polished:  # moved, if at all, within the hour on the day the aim chose
            if pl.task.fixed is None:
                aimed = pl.task.starts[solution.starts[pl.task.id]]
                assert abs(pl.task.starts[pl.k] - aimed) <= NEAR_MIN
                assert inst.local_day(pl.task.starts[pl.k]) == inst.local_day(aimed)


def test_pools_merge_only_people_interchangeable_throughout(tmp_path: Path) -> None:
    inst = generated(tmp_path, "contended", 200, 80, 1)
    pool_of = pools(inst, inst.tasks)
    assert len(set(pool_of.values())) < len(pool_of)  # a hub unit on one relief is one pool
    for pool in set(pool_of.values()):
        first = pool[0]
        assert len({inst.agency_of[p] for p in pool}) == 1
        for t in inst.tasks:
            r = t.request
            for p in pool[1:]:
                assert t.on_duty.get(p) == t.on_duty.get(first)
                assert (p in r.people()) == (first in r.people())
                assert [p in s.candidates for s in r.slots] == [first in s.candidates for s in r.slots]
                assert dict(r.invitees).get(p) == dict(r.invitees).get(first)


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), min_size=0, max_size=14))
def test_maximal_cliques_cover_every_overlap(raw: list[tuple[int, int]]) -> None:
    spans = [(lo, lo + length) for lo, length in raw]
    cliques = [set(c) for c in maximal_cliques(spans)]
    for point in range(0, 60):
        covering = {i for i, (lo, hi) in enumerate(spans) if lo <= point < hi}
        if len(covering) > 1:
            assert any(covering <= c for c in cliques), (point, covering)
    for c in cliques:  # and each is a real clique: all its intervals share a point
        assert all(spans[i][0] < spans[j][1] and spans[j][0] < spans[i][1] for i, j in combinations(c, 2))


def test_the_linear_relaxation_bound_is_the_lp_optimum_rounded_up() -> None:
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_int_var(0, 5, "b")
    m.add(a + 2 * b <= 6)
    m.add(2 * a + b <= 2)
    m.maximize(3 * a + b + 4)
    # LP: maximise 3a + b with 2a + b <= 2, a <= 1: a = 1, b = 0 gives 3; a = 0, b = 2 gives 2: optimum 7.
    bound = solve(from_cp_model(m.proto, "toy"), 5)
    assert bound is not None and 7 <= bound <= 8
    solver = cp_model.CpSolver()
    assert solver.solve(m) == cp_model.OPTIMAL and solver.objective_value <= bound


def test_a_relaxation_in_its_own_process_is_the_same_and_can_be_abandoned() -> None:
    """Solved in a child process it gives what it gives here; given no time, nothing (and no wait)."""
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_int_var(0, 5, "b")
    m.add(2 * a + b <= 2)
    m.maximize(3 * a + b + 4)
    program = from_cp_model(m.proto, "toy")
    here = solve(program, 5)
    import time

    bounds = Bounds([program], time.monotonic() + 60).start()
    try:
        assert bounds.lowest(wait_until=time.monotonic() + 60) == here
    finally:
        bounds.stop()
    started = time.monotonic()
    late = Bounds([program], time.monotonic() - 1).start()
    assert late.lowest(wait_until=time.monotonic()) is None
    late.stop()
    assert time.monotonic() - started < 5


def test_a_tier_held_to_its_integer_maximum_lowers_the_relaxation_and_stays_a_bound() -> None:
    """Three requests, any two of which clash: the relaxation places one and a half, CP-SAT proves one at most,
    and the relaxation held to that is the true optimum, sent by the child as a second bound."""
    clash = [([0, 1], [1.0, 1.0], -math.inf, 1.0), ([1, 2], [1.0, 1.0], -math.inf, 1.0)]
    clash.append(([0, 2], [1.0, 1.0], -math.inf, 1.0))
    program = LinearProgram([0.0] * 3, [1.0] * 3, clash, [10.0, 10.0, 12.0], 5.0, "toy", [1, 1, 1])
    assert solve(program, 5) == 22  # 5 + half of each (16), rounded up past GLOP's margin
    assert tier_most(program, 5) == 1
    held = solve(held_to(program, 1), 5)
    assert held is not None and 17 <= held < 23  # the best schedule: the third request alone, 12 + 5
    import time

    bounds = Bounds([program], time.monotonic() + 60, tier_share=0.5).start()
    try:
        assert bounds.lowest(wait_until=time.monotonic() + 60) == held
        assert set(bounds.received) == {"toy", "toy+tier"}
    finally:
        bounds.stop()
