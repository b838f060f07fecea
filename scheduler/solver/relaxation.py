"""Upper bounds from linear relaxations, solved where they can be abandoned.

A relaxation's optimum bounds every schedule (dropping integrality only raises a maximum), which is what
makes the reported gap mean something. GLOP, which solves it, checks the clock only between phases: on
a large model it overran a 3 s limit by 3.6 s, and at a busy moment any model can. So the programs are
solved in a child process, started beside the search (it takes no time from it), and abandoned at the
stage's end: the solve never waits for it past its own limit. Under a work limit GLOP is bounded by its
deterministic time too, so the bound reported is the same on any machine whenever it finishes in time.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
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


def _main() -> None:
    """The child process: read (programs, seconds, work) from stdin, write each bound to stdout as it is known."""
    programs, seconds, work = pickle.load(sys.stdin.buffer)
    started = time.monotonic()
    for program in programs:
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            break
        pickle.dump((program.name, solve(program, left, work)), sys.stdout.buffer)
        sys.stdout.buffer.flush()


class Bounds:
    """Relaxations solved in a child process beside the search; ``lowest`` is the best bound received so far.

    The child is a plain ``python -m scheduler.solver.relaxation`` with its own pipes (not multiprocessing,
    which hands the parent's standard streams on and failed inside the terminal UI, where they are not
    files). Starting it and handing the programs over is slow at a busy moment, so that happens on a
    thread: the caller goes on at once. If a child cannot be started, the bound stays where it was.
    """

    def __init__(self, programs: list[LinearProgram], ends: float, work: float | None = None) -> None:
        self.programs, self.ends, self.work = programs, ends, work
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
            pickle.dump((self.programs, self.ends - time.monotonic(), self.work), process.stdin)
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
            return len(self.received) == len(self.programs) or self.finished.is_set()

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
