"""``quorum bench``: greedy against CP-SAT, and both against the limit, on generated partnerships.

Two profiles (see ``synthetic.generate``): ``standard`` (scale, little contention) and ``contended``
(a surge on few officers, social workers and rooms: where placing meetings together should pay). Each
(profile, size, seed, strategy) runs in its own process, so its wall time (building included) and peak
memory (ru_maxrss) are its own. The limit (``solver.limit``) is each request at its own best start,
ignoring every other meeting: no schedule can beat it, so "how far from greedy to the limit" is a fair
measure of what the solver adds. Figures are printed, never asserted: this machine is shared.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Size:
    staff: int
    requests: int
    days: int
    time_limit_s: float  # for the whole run, building included


SIZES = {
    "S": Size(50, 20, 14, 10.0),
    "M": Size(200, 80, 28, 10.0),
    "L": Size(500, 200, 28, 30.0),
    "XL": Size(2000, 800, 28, 60.0),  # not in the default run: a check that city scale stays in bounds
}
PROFILES = ("standard", "contended")
FIRST = date(2026, 3, 2)
NOW = datetime(2026, 2, 20, tzinfo=UTC)


def run_one(folder: Path, strategy: str, time_limit: float, seed: int) -> dict[str, Any]:
    """Solve one generated folder in this process and measure it (with the limit, for greedy's run)."""
    from scheduler.services.partnership import check_folder
    from scheduler.services.scheduling import relative_gap
    from scheduler.solver.greedy import greedy
    from scheduler.solver.instance import build_instance
    from scheduler.solver.limit import limit
    from scheduler.solver.objective import score

    p, problems, requests = check_folder(folder)
    if p is None:
        raise SystemExit("generated folder has problems: " + "; ".join(map(str, problems[:3])))
    started = time.monotonic()
    inst = build_instance(p, requests, NOW)
    placements = greedy(inst)
    status, bound, groups = "HEURISTIC", None, None
    if strategy == "cpsat":
        from scheduler.solver.cpsat import SolveOptions, solve_cpsat

        left = max(0.1, time_limit - (time.monotonic() - started))
        result = solve_cpsat(inst, placements, SolveOptions(left, 2, seed))
        placements, status, bound = result.placements, result.status, result.bound
        groups = [g.status for g in result.groups]
    wall = time.monotonic() - started
    total = score(inst, placements).total
    agency = {x.id: x.agency for x in p.people}
    row = {
        "requests": len(requests),
        "placed": len(placements),
        "required_complete": len(placements),  # a placed meeting always has its required attendance
        "agencies_present": sum(len({agency[a.person] for a in pl.attendees}) for pl in placements),
        "attendees_present": sum(len(pl.attendees) for pl in placements),
        "objective": total,
        "bound": bound,
        "gap": relative_gap(bound, total),
        "status": status,
        "groups": groups,
        "wall_time_s": round(wall, 2),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if strategy == "greedy":
        most = limit(inst)
        row["limit"] = {
            "placed": most.placed,
            "agencies_present": most.agencies,
            "attendees_present": most.attendees,
            "objective": most.objective,
        }
    return row


def _run(folder: Path, strategy: str, limit: float, seed: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "scheduler.synthetic.bench", str(folder), strategy, str(limit), str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench {folder.name} {strategy} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def bench(
    sizes: list[str], seeds: list[int], profiles: list[str], time_limits: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """One row per (profile, size, seed, strategy), plus the limit as a third 'strategy'."""
    from scheduler.paths import example_folder
    from scheduler.synthetic.generate import generate

    rows = []
    with tempfile.TemporaryDirectory(prefix="quorum-bench-") as tmp:
        for profile in profiles:
            for size in sizes:
                s = SIZES[size]
                limit = (time_limits or {}).get(size, s.time_limit_s)
                for seed in seeds:
                    folder = Path(tmp) / f"{profile}-{size}-{seed}"
                    generate(folder, s.staff, s.requests, s.days, seed, FIRST, example_folder(), profile)
                    key = {"profile": profile, "size": size, "seed": seed, "staff": s.staff, "days": s.days}
                    greedy_row = _run(folder, "greedy", limit, seed)
                    cpsat_row = _run(folder, "cpsat", limit, seed)
                    most = greedy_row.pop("limit")
                    bound = cpsat_row["bound"]
                    greedy_row.update(bound=bound, gap=_gap(bound, greedy_row["objective"]))
                    rows.append({**key, "strategy": "greedy", "time_limit_s": limit, **greedy_row})
                    rows.append({**key, "strategy": "cpsat", "time_limit_s": limit, **cpsat_row})
                    rows.append(
                        {
                            **key,
                            "strategy": "limit",
                            "requests": greedy_row["requests"],
                            "required_complete": most["placed"],
                            **most,
                        }
                    )
    return rows


def _gap(bound: float | None, objective: float) -> float | None:
    return None if bound is None else max(0.0, (bound - objective) / max(1.0, abs(bound)))


def way_to_limit(greedy: float, cpsat: float, most: float) -> float | None:
    """How far CP-SAT went from greedy towards the limit: 0 is greedy's figure, 1 the limit (None: no room)."""
    return None if most <= greedy else (cpsat - greedy) / (most - greedy)


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per profile and size, over the seeds: the share of the way to the limit, the gap, time and memory."""
    out = []
    keys = sorted({(r["profile"], r["size"]) for r in rows}, key=lambda k: (k[0], list(SIZES).index(k[1])))
    for profile, size in keys:
        mine = [r for r in rows if (r["profile"], r["size"]) == (profile, size)]
        by_seed: dict[int, dict[str, dict[str, Any]]] = {}
        for r in mine:
            by_seed.setdefault(r["seed"], {})[r["strategy"]] = r
        entry: dict[str, Any] = {"profile": profile, "size": size, "seeds": sorted(by_seed)}
        for measure in ("placed", "agencies_present"):
            ways = [
                way_to_limit(s["greedy"][measure], s["cpsat"][measure], s["limit"][measure]) for s in by_seed.values()
            ]
            known = [w for w in ways if w is not None]
            entry[f"{measure}_way_to_limit"] = statistics.mean(known) if known else None
            entry[f"{measure}_vs_greedy_min"] = min(
                s["cpsat"][measure] - s["greedy"][measure] for s in by_seed.values()
            )
        gaps = [s["cpsat"]["gap"] for s in by_seed.values() if s["cpsat"]["gap"] is not None]
        entry["gap_mean"] = statistics.mean(gaps) if gaps else None
        entry["gap_max"] = max(gaps) if gaps else None
        entry["optimal"] = sum(s["cpsat"]["status"] == "OPTIMAL" for s in by_seed.values())
        entry["wall_time_max_s"] = max(s["cpsat"]["wall_time_s"] for s in by_seed.values())
        entry["peak_memory_max_mb"] = max(s["cpsat"]["peak_memory_mb"] for s in by_seed.values())
        out.append(entry)
    return out


def _pct(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def table(rows: list[dict[str, Any]]) -> str:
    from scheduler.services.describe import gap_text

    head = (
        f"{'profile':<9} {'size':<4} {'seed':>4} {'strategy':<8} {'reqs':>5} {'placed':>6} {'complete':>8} "
        f"{'agencies':>8} {'attendees':>9} {'objective':>13} {'bound':>13} {'gap':>8} {'status':<11} "
        f"{'time s':>7} {'peak MB':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        bound = f"{r['bound']:,.0f}" if r.get("bound") is not None else "-"
        timing = f"{r['wall_time_s']:>7.2f} {r['peak_memory_mb']:>8.0f}" if "wall_time_s" in r else f"{'':>7} {'':>8}"
        lines.append(
            f"{r['profile']:<9} {r['size']:<4} {r['seed']:>4} {r['strategy']:<8} {r['requests']:>5} {r['placed']:>6} "
            f"{r['required_complete']:>8} {r['agencies_present']:>8} {r['attendees_present']:>9} "
            f"{r['objective']:>13,} {bound:>13} {gap_text(r.get('gap')) if 'gap' in r else '-':>8} "
            f"{r.get('status', '-'):<11} {timing}"
        )
    lines += [
        "",
        "Over the seeds: CP-SAT's share of the way from greedy to the limit (mean), its fewest extra over",
        "greedy on any seed, its gap to the bound (mean, max), how many proven optimal, the longest run.",
        "",
    ]
    sub = (
        f"{'profile':<9} {'size':<4} {'seeds':>5} {'placed':>7} {'+min':>5} {'agencies':>8} {'+min':>5} "
        f"{'gap mean':>9} {'gap max':>8} {'optimal':>7} {'max s':>6} {'max MB':>7}"
    )
    lines += [sub, "-" * len(sub)]
    for s in summary(rows):
        lines.append(
            f"{s['profile']:<9} {s['size']:<4} {len(s['seeds']):>5} {_pct(s['placed_way_to_limit']):>7} "
            f"{s['placed_vs_greedy_min']:>+5} {_pct(s['agencies_present_way_to_limit']):>8} "
            f"{s['agencies_present_vs_greedy_min']:>+5} {gap_text(s['gap_mean']):>9} {gap_text(s['gap_max']):>8} "
            f"{s['optimal']:>7} {s['wall_time_max_s']:>6.1f} {s['peak_memory_max_mb']:>7.0f}"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    folder, strategy, limit, seed = sys.argv[1:5]
    print(json.dumps(run_one(Path(folder), strategy, float(limit), int(seed))))
