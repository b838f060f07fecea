"""Upper bounds from linear relaxations, solved where they can be abandoned.

A relaxation's optimum bounds every schedule (dropping integrality only raises a maximum), which is what
makes the reported gap mean something. GLOP, which solves it, checks the clock only between phases: on
a large model it overran a 3 s limit by 3.6 s, and at a busy moment any model can. So the programs are
solved in a child process, started beside the search (it takes no time from it), and abandoned at the
stage's end: the solve never waits for it past its own limit. Under a work limit GLOP is bounded by its
deterministic time too, so the bound reported is the same on any machine whenever it finishes in time.

A 0/1 program may name its first tier (the capacity model's: requests placed, urgent ones twice). The
relaxation lets fractions of many requests through where whole ones would not fit (4 more placed than any
integer solution on bench L with leave), yet the integer maximum of that tier alone is quick for CP-SAT to
prove (one worker with the full linear relaxation and its cuts: 2 to 5 s at L, where the whole objective's
bound had moved 0.5% in 20 s). The relaxation solved again with that tier held to its maximum is still a
bound on every schedule and about 1% lower there: the second bound each such program sends.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

MARGIN = 1e-7  # of a relaxation's value: GLOP works in doubles, with relative tolerances


@dataclass
class LinearProgram:
    """max objective . x + constant  subject to  lo <= row . x <= hi  and  lower <= x <= upper."""

    lower: list[float]
    upper: list[float]
    rows: list[tuple[list[int], list[float], float, float]]
    objective: list[float]
    constant: float = 0.0
    name: str = ""
    tier: list[int] | None = None  # a 0/1 program's first tier, whose integer maximum cuts the relaxation

    @property
    def nonzeros(self) -> int:
        return sum(len(idx) for idx, _, _, _ in self.rows)


def solve(program: LinearProgram, seconds: float, work: float | None = None) -> float | None:
    """The program's optimum rounded up (with a margin for GLOP's tolerances); None if it was not solved."""
    from ortools.linear_solver import pywraplp

    lp = pywraplp.Solver.CreateSolver("GLOP")  # type: ignore[no-untyped-call]  # unannotated in OR-Tools' .pyi
    lp.SetTimeLimit(int(max(0.05, seconds) * 1000))
    if work is not None:
        lp.SetSolverSpecificParametersAsString(f"max_deterministic_time: {max(0.01, work)}")
    inf = lp.infinity()

    def finite(value: float) -> float:
        return value if math.isfinite(value) else (inf if value > 0 else -inf)

    xs = [lp.NumVar(finite(lo), finite(hi), "") for lo, hi in zip(program.lower, program.upper, strict=True)]
    for idx, coefs, lo, hi in program.rows:
        row = lp.Constraint(finite(lo), finite(hi))
        for i, c in zip(idx, coefs, strict=True):
            row.SetCoefficient(xs[i], c)
    goal = lp.Objective()
    for i, c in enumerate(program.objective):
        if c:
            goal.SetCoefficient(xs[i], c)
    goal.SetMaximization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    value = goal.Value() + program.constant
    return float(math.floor(value + abs(value) * MARGIN + 1))


def tier_most(program: LinearProgram, seconds: float, work: float | None = None) -> int | None:
    """The most ``program.tier`` any 0/1 solution of the program reaches, as CP-SAT bounds it (None: no bound)."""
    from ortools.sat.python import cp_model

    assert program.tier is not None
    m = cp_model.CpModel()
    xs = [m.new_bool_var("") for _ in program.objective]
    for idx, coefs, lo, hi in program.rows:
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in idx], [round(c) for c in coefs])
        if math.isfinite(hi):
            m.add(expr <= math.floor(hi + 1e-9))
        if math.isfinite(lo):
            m.add(expr >= math.ceil(lo - 1e-9))
    m.maximize(cp_model.LinearExpr.weighted_sum(xs, program.tier))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    if work is not None:
        solver.parameters.max_deterministic_time = max(0.01, work)
    # The linear relaxation with every constraint and cut from the start is what proves it; the default
    # single worker adds them lazily and the two-worker portfolio had not reached the LP's bound in 20 s.
    solver.parameters.linearization_level = 2
    solver.parameters.add_lp_constraints_lazily = False
    code = solver.solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not math.isfinite(solver.best_objective_bound):
        return None
    return math.floor(solver.best_objective_bound + 1e-6)


def held_to(program: LinearProgram, most: int) -> LinearProgram:
    """The program with its tier held to ``most``."""
    assert program.tier is not None
    row = (list(range(len(program.objective))), [float(w) for w in program.tier], -math.inf, float(most))
    return replace(program, rows=[*program.rows, row], name=program.name + "+tier", tier=None)


def _main() -> None:
    """The child process: read (programs, seconds, work, tier share) from stdin, write each bound to stdout as
    it is known (a program with a tier sends a second)."""
    programs, seconds, work, tier_share = pickle.load(sys.stdin.buffer)
    started = time.monotonic()

    def send(name: str, value: float | None) -> None:
        pickle.dump((name, value), sys.stdout.buffer)
        sys.stdout.buffer.flush()

    for program in programs:
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            break
        send(program.name, solve(program, left, work))
    for program in programs:
        left = seconds - (time.monotonic() - started)
        if program.tier is None or tier_share <= 0 or left <= 0:
            continue
        most = tier_most(program, min(left, seconds * tier_share), None if work is None else work * tier_share)
        left = seconds - (time.monotonic() - started)
        send(program.name + "+tier", None if most is None or left <= 0 else solve(held_to(program, most), left, work))


class Bounds:
    """Relaxations solved in a child process beside the search; ``lowest`` is the best bound received so far.

    The child is a plain ``python -m scheduler.solver.relaxation`` with its own pipes (not multiprocessing,
    which hands the parent's standard streams on and failed inside the terminal UI, where they are not
    files). Starting it and handing the programs over is slow at a busy moment, so that happens on a
    thread: the caller goes on at once. If a child cannot be started, the bound stays where it was.
    """

    def __init__(
        self, programs: list[LinearProgram], ends: float, work: float | None = None, tier_share: float = 0.0
    ) -> None:
        self.programs, self.ends, self.work, self.tier_share = programs, ends, work, tier_share
        self.expected = len(programs) + (sum(p.tier is not None for p in programs) if tier_share > 0 else 0)
        self.received: dict[str, float | None] = {}
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.finished = threading.Event()  # the child ended (or could not start): nothing more will come
        self.stopped = False

    def start(self) -> Bounds:
        if self.programs:
            threading.Thread(target=self._run, name="quorum-bounds", daemon=True).start()
        else:
            self.finished.set()
        return self

    def _run(self) -> None:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "scheduler.solver.relaxation"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                close_fds=True,
            )
        except (OSError, ValueError):
            self.finished.set()
            return
        with self.lock:
            self.process = process
            if self.stopped:
                process.kill()
        try:
            assert process.stdin is not None and process.stdout is not None
            pickle.dump((self.programs, self.ends - time.monotonic(), self.work, self.tier_share), process.stdin)
            process.stdin.close()
            while True:
                name, value = pickle.load(process.stdout)
                with self.lock:
                    self.received[name] = value
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            pass
        finally:
            for pipe in (process.stdin, process.stdout):
                # A child killed mid-write leaves bytes in the buffer, which close() tries to flush.
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
            process.wait()
            self.finished.set()

    def done(self) -> bool:
        with self.lock:
            return len(self.received) == self.expected or self.finished.is_set()

    def lowest(self, wait_until: float | None = None) -> float | None:
        """The lowest bound received, waiting for the rest until ``wait_until`` at most (then giving up)."""
        while wait_until is not None and not self.done() and time.monotonic() < wait_until:
            self.finished.wait(min(0.05, max(0.0, wait_until - time.monotonic())))
        with self.lock:
            values = [v for v in self.received.values() if v is not None]
        return min(values) if values else None

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            if self.process is not None and self.process.poll() is None:
                self.process.kill()


def from_cp_model(proto: Any, name: str) -> LinearProgram:
    """A maximising CP-SAT model's linear relaxation: its linear, unenforced constraints and variable bounds."""
    int_min, int_max = -(2**63), 2**63 - 1

    def hull(domain: Any) -> tuple[float, float]:
        values = list(domain)
        lo, hi = values[0], values[-1]
        return (-math.inf if lo <= int_min else float(lo)), (math.inf if hi >= int_max else float(hi))

    bounds = [hull(v.domain) for v in proto.variables]
    rows = []
    for c in proto.constraints:
        if not c.has_linear() or len(c.enforcement_literal):
            continue
        lo, hi = hull(c.linear.domain)
        rows.append((list(c.linear.vars), [float(x) for x in c.linear.coeffs], lo, hi))
    objective = [0.0] * len(bounds)
    factor = proto.objective.scaling_factor or 1.0  # CP-SAT keeps a maximisation as the minimisation of its negation
    for v, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective[v] += factor * coeff
    return LinearProgram(
        [b[0] for b in bounds], [b[1] for b in bounds], rows, objective, factor * proto.objective.offset, name
    )


if __name__ == "__main__":
    _main()
