"""How fast does ``rotas`` expand a large partnership? Prints figures; asserts nothing.

Builds a 500-person partnership by repeating the bundled example's staff (same
agencies, teams, patterns and offsets, plus their absences and duty-sheet rows)
and times availability over 12 weeks, best of several runs.

    python benchmarks/bench_rotas.py [--people 500] [--weeks 12] [--repeat 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import tracemalloc
from datetime import date
from pathlib import Path

from rotas import load_folder
from rotas.availability import availability
from rotas.model import Partnership
from rotas.overlap import overlap

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "leeds"


def scaled(base: Partnership, people: int) -> Partnership:
    """``people`` staff cloned from the example's, with their absences and duty-sheet rows."""
    copies = -(-people // len(base.people))
    staff, absences, overrides = [], [], []
    for n in range(copies):
        for p in base.people:
            staff.append(dataclasses.replace(p, id=f"{p.id}-{n}", email=f"{n}.{p.email}"))
        absences += [dataclasses.replace(a, person=f"{a.person}-{n}") for a in base.absences]
        overrides += [dataclasses.replace(o, person=f"{o.person}-{n}") for o in base.overrides]
    staff = staff[:people]
    keep = {p.id for p in staff}
    return dataclasses.replace(
        base,
        people=tuple(staff),
        absences=tuple(a for a in absences if a.person in keep),
        overrides=tuple(o for o in overrides if o.person in keep),
        busy_calendars=tuple(
            (f"{person}-{n}", text)
            for n in range(copies)
            for person, text in base.busy_calendars
            if f"{person}-{n}" in keep
        ),
    )


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    base, problems = load_folder(EXAMPLE)
    assert base is not None, problems
    start = time.perf_counter()
    load_folder(EXAMPLE)
    load_time = time.perf_counter() - start
    p = scaled(base, args.people)
    first, days = date(2026, 3, 2), args.weeks * 7

    expand = best_of(args.repeat, lambda: availability(p, first, days))
    tracemalloc.start()
    result = availability(p, first, days)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    intervals = sum(len(v) for v in result.values())
    small = scaled(base, 50)
    overlap_time = best_of(args.repeat, lambda: overlap(small, first, 14))

    print(f"{'measure':<48} {'value':>12}")
    print(f"{'load + check examples/leeds (50 people)':<48} {load_time * 1000:>10.0f} ms")
    print(
        f"{f'availability, {args.people} people x {args.weeks} weeks (best of {args.repeat})':<48} "
        f"{expand * 1000:>10.0f} ms"
    )
    print(f"{'  on-duty intervals produced':<48} {intervals:>12,}")
    print(f"{'  peak memory (tracemalloc)':<48} {peak / 1e6:>9.1f} MB")
    print(f"{'overlap table, 50 people x 14 days':<48} {overlap_time * 1000:>10.0f} ms")


if __name__ == "__main__":
    main()
