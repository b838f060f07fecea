"""The reported bound is an upper bound on every contended shape, whichever stage computed it.

A short solve stops before the search is done, so its bound comes from the relaxations (the capacity LP,
the pooled model's CP-SAT bound) rather than from a finished proof; a solve five times as long must never
find a schedule above it, nor report a bound of its own below what the short one found. The brute-force
tests (``test_solver_pooled``) check the same on instances small enough to enumerate; these are the
generator's three shapes at a size where every stage runs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.paths import example_folder
from scheduler.services.partnership import check_folder
from scheduler.solver.cpsat import SolveOptions, solve_cpsat
from scheduler.solver.greedy import greedy
from scheduler.solver.instance import build_instance
from scheduler.solver.limit import limit
from scheduler.synthetic.generate import Surge, generate
from tests.solver.helpers import NOW

SHAPES = {
    "team": Surge(),
    "staggered": Surge(relief="staggered", horizon_days=28, window=(1, 5), hub_units=1, optional_rate=0.3),
    "leave": Surge(leave_rate=0.25, optional_rate=0.3),
}


@pytest.mark.parametrize("variant", sorted(SHAPES))
def test_a_short_solves_bound_is_above_what_a_longer_solve_finds(tmp_path: Path, variant: str) -> None:
    folder = tmp_path / variant
    generate(folder, 150, 60, 28, 7, date(2026, 3, 2), example_folder(), "contended", SHAPES[variant])
    partnership, problems, requests = check_folder(folder)
    assert partnership is not None, problems
    inst = build_instance(partnership, requests, NOW)
    hint = greedy(inst)
    short = solve_cpsat(inst, hint, SolveOptions(time_limit_s=2))
    long = solve_cpsat(inst, hint, SolveOptions(time_limit_s=10))
    assert short.objective <= short.bound <= limit(inst).objective
    assert long.objective <= short.bound, f"{variant}: a longer solve found {long.objective} above {short.bound}"
    assert short.objective <= long.bound
