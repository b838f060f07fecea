"""``quorum bench``: greedy against CP-SAT on generated partnerships of three sizes.

Each (size, strategy) runs in its own process so its peak memory (ru_maxrss)
is its own. Figures are printed, never asserted: this machine is shared.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# staff, requests, days, time limit (whole run), relative gap at which CP-SAT may stop (the targets:
# S and M proven optimal; L searches 25 s, to finish within 1% of the bound in under 30 s).
SIZES = {"S": (50, 20, 14, 10.0, 0.0), "M": (200, 80, 28, 10.0, 0.0), "L": (500, 200, 28, 25.0, 0.0)}
FIRST = date(2026, 3, 2)
NOW = datetime(2026, 2, 20, tzinfo=UTC)


def run_one(folder: Path, strategy: str, time_limit: float, seed: int, gap: float) -> dict[str, Any]:
    """Solve one generated folder in this process and measure it."""
    from scheduler.services.partnership import check_folder
    from scheduler.solver.cpsat import SolveOptions, solve_cpsat
    from scheduler.solver.greedy import greedy
    from scheduler.solver.instance import build_instance
    from scheduler.solver.objective import score

    p, problems, requests = check_folder(folder)
    if p is None:
        raise SystemExit("generated folder has problems: " + "; ".join(map(str, problems[:3])))
    started = time.monotonic()
    inst = build_instance(p, requests, NOW)
    placements = greedy(inst)
    status, bound = "HEURISTIC", None
    if strategy == "cpsat":
        left = max(0.1, time_limit - (time.monotonic() - started))
        options = SolveOptions(left, 2, seed, relative_gap=gap)
        placements, status, _, bound = solve_cpsat(inst, placements, options)
    wall = time.monotonic() - started
    total = score(inst, placements).total
    agency = {x.id: x.agency for x in p.people}
    return {
        "requests": len(requests),
        "placed": len(placements),
        "required_complete": len(placements),  # a placed meeting always has its required attendance
        "agencies_present": sum(len({agency[a.person] for a in pl.attendees}) for pl in placements),
        "attendees_present": sum(len(pl.attendees) for pl in placements),
        "objective": total,
        "bound": bound,
        "gap": round((bound - total) / max(1.0, abs(bound)), 6) if bound is not None else None,
        "status": status,
        "wall_time_s": round(wall, 2),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def bench(sizes: list[str], seed: int, time_limits: dict[str, float] | None = None) -> list[dict[str, Any]]:
    from scheduler.paths import example_folder
    from scheduler.synthetic.generate import generate

    rows = []
    with tempfile.TemporaryDirectory(prefix="quorum-bench-") as tmp:
        for size in sizes:
            staff, requests, days, limit, gap = SIZES[size]
            limit = (time_limits or {}).get(size, limit)
            folder = generate(Path(tmp) / size, staff, requests, days, seed, FIRST, example_folder())
            for strategy in ("greedy", "cpsat"):
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "scheduler.synthetic.bench",
                        str(folder),
                        strategy,
                        str(limit),
                        str(seed),
                        str(gap),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"bench {size} {strategy} failed: {done.stderr.strip()[-500:]}")
                rows.append(
                    {
                        "size": size,
                        "staff": staff,
                        "days": days,
                        "strategy": strategy,
                        "time_limit_s": limit,
                        **json.loads(done.stdout),
                    }
                )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'size':<4} {'strategy':<8} {'staff':>5} {'reqs':>5} {'placed':>6} {'complete':>8} {'agencies':>8} "
        f"{'attendees':>9} "
        f"{'objective':>12} {'gap':>8} {'status':<9} {'time s':>7} {'peak MB':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        gap = f"{r['gap'] * 100:.2f}%" if r["gap"] is not None else "-"
        lines.append(
            f"{r['size']:<4} {r['strategy']:<8} {r['staff']:>5} {r['requests']:>5} {r['placed']:>6} "
            f"{r['required_complete']:>8} "
            f"{r['agencies_present']:>8} {r['attendees_present']:>9} {r['objective']:>12,} {gap:>8} "
            f"{r['status']:<9} {r['wall_time_s']:>7.2f} {r['peak_memory_mb']:>8.0f}"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    folder, strategy, limit, seed, gap = sys.argv[1:6]
    print(json.dumps(run_one(Path(folder), strategy, float(limit), int(seed), float(gap))))
