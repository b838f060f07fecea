"""CP-SAT against exhaustive enumeration on instances small enough to enumerate.

The enumerator knows only the rules (who can attend which start, no person in
two places at once with travel, the daily limit, one meeting per room at a
time, deadlines after another meeting) and the objective's ``score``; it
shares no code with the CP-SAT model.
"""

from __future__ import annotations

import random
from collections import defaultdict
from itertools import combinations, product
from pathlib import Path

import pytest

from scheduler.solver.cpsat import SolveOptions, solve_cpsat
from scheduler.solver.greedy import greedy
from scheduler.solver.instance import Instance, Task, build_instance
from scheduler.solver.objective import Attendance, Placement, score
from tests.solver.helpers import NOW, requests, small_partnership

PEOPLE = ["officer", "officer2", "worker", "worker2"]


def options(task: Task, rooms: list[str]) -> list[Placement | None]:
    """Every way to hold this request: each start, each choice of optional attendees and slot fillers."""
    r = task.request
    out: list[Placement | None] = [None]
    for k in range(len(task.starts)):
        if not all(task.can(p, k) for p, req in r.invitees if req):
            continue
        required = [Attendance(p, "required") for p, req in r.invitees if req]
        optional = [p for p, req in r.invitees if not req and task.can(p, k)]
        slot_choices = []
        for slot in r.slots:
            able = [c for c in slot.candidates if task.can(c, k)]
            slot_choices.append(
                [[Attendance(c, "slot", slot.label) for c in combo] for combo in combinations(able, slot.count)]
            )
        for n in range(len(optional) + 1):
            for opt in combinations(optional, n):
                for fills in product(*slot_choices):
                    attendees = required + [Attendance(p, "optional") for p in opt] + [a for f in fills for a in f]
                    people = [a.person for a in attendees]
                    if len(set(people)) != len(people):
                        continue
                    needs_room = r.at_hub and rooms
                    for room in rooms if needs_room else [None]:
                        out.append(Placement(task, k, attendees, room))
    return out


def feasible(inst: Instance, chosen: list[Placement]) -> bool:
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    per_day: dict[tuple[str, object], int] = defaultdict(int)
    rooms: dict[str, list[tuple[int, int]]] = defaultdict(list)
    placed = {pl.task.id: pl for pl in chosen}
    for pl in chosen:
        lo, hi = pl.task.span(pl.k)
        s, e = pl.task.meeting(pl.k)
        for a in pl.attendees:
            if any(b_lo < hi and b_hi > lo for b_lo, b_hi in busy[a.person]):
                return False
            busy[a.person].append((lo, hi))
            per_day[(a.person, inst.local_day(s))] += 1
            if per_day[(a.person, inst.local_day(s))] > inst.max_per_day:
                return False
        if pl.room:
            room = next(x for x in inst.partnership.rooms if x.id == pl.room)
            if room.capacity < pl.task.request.headcount() or any(b < e and a > s for b, a in rooms[pl.room]):
                return False
            rooms[pl.room].append((s, e))
        if pl.task.depends_on is not None:
            ref = placed.get(pl.task.depends_on)
            if ref is None:
                return False
            lo_d, hi_d = pl.task.deadline_after[ref.k]
            if s < lo_d or e > hi_d:
                return False
    return True


def brute_force(inst: Instance) -> int:
    rooms = [x.id for x in inst.partnership.rooms]
    best = 0
    for combo in product(*(options(t, rooms) for t in inst.tasks)):
        chosen = [pl for pl in combo if pl is not None]
        if feasible(inst, chosen):
            best = max(best, score(inst, chosen).total)
    return best


def random_specs(seed: int) -> list[dict]:
    rng = random.Random(seed)
    specs = []
    for i in range(rng.choice([2, 3])):
        day, last = rng.choice(
            [("2026-03-04", "2026-03-05"), ("2026-03-05", "2026-03-06"), ("2026-03-06", "2026-03-06")]
        )
        invited = rng.sample(PEOPLE, rng.choice([1, 2, 3]))
        invite = [{"person": p, "required": rng.random() < 0.7} for p in invited]
        invite[0]["required"] = True
        spec = {
            "id": f"r{i}",
            "kind": "custom",
            "case": f"CP-{100 + i}",
            "earliest": day,
            "latest": last,
            "urgency": rng.choice(["urgent", "normal"]),
            "invite": invite,
            "venue": rng.choice(["virtual", "hub", "family home"]),
        }
        if spec["venue"] == "family home":
            spec["travel"] = 60
        free = [p for p in PEOPLE if p not in invited]
        if free and rng.random() < 0.5:
            team = "unit" if any(p.startswith("officer") for p in free) else "district"
            spec["slots"] = [{"team": team}]
        specs.append(spec)
    if rng.random() < 0.4 and len(specs) >= 2:
        # The second within 2 working days of the first.
        specs[1].pop("earliest")
        specs[1].pop("latest")
        specs[1]["within"] = {"of_request": "r0", "working_days": 2}
    return specs


def enumerable_instance(tmp_path: Path, seed: int) -> Instance:
    """A small random instance whose every schedule brute force can enumerate (skips a seed that drew an
    invalid request, e.g. a slot with nobody left)."""
    p = small_partnership(tmp_path)
    try:
        reqs = requests(p, *random_specs(seed))
    except AssertionError:
        pytest.skip("this seed drew an invalid request (e.g. a slot with nobody left)")
    return build_instance(p, reqs, NOW)


@pytest.mark.parametrize("seed", range(20))
def test_cpsat_finds_the_enumerated_optimum(tmp_path: Path, seed: int) -> None:
    inst = enumerable_instance(tmp_path, seed)
    optimum = brute_force(inst)
    hint = greedy(inst)
    placements, status, objective, bound, *_ = solve_cpsat(inst, hint, SolveOptions(time_limit_s=20))
    assert status == "OPTIMAL"
    assert score(inst, placements).total == optimum
    assert objective == optimum
    assert bound == optimum
    assert score(inst, hint).total <= optimum
    assert feasible(inst, placements)


def test_cpsat_beats_greedy_when_look_ahead_matters(tmp_path: Path) -> None:
    """Greedy gives A (earlier deadline) its best attendance, taking the officer B cannot do without.

    DC Two works earlies on Thu 5 Mar and a late on Fri 6 Mar, so B (4 hours, 09:00-13:00 meeting
    hours) fits only on Thursday morning. A's optional DC Two makes greedy put A at 09:00 with
    them; B is then lost. CP-SAT holds A without DC Two and places both.
    """
    p = small_partnership(tmp_path)
    reqs = requests(
        p,
        {
            "id": "a",
            "kind": "custom",
            "case": "CP-101",
            "earliest": "2026-03-05",
            "latest": "2026-03-05",
            "invite": [{"person": "worker2"}, {"person": "officer2", "required": False}],
        },
        {
            "id": "b",
            "kind": "custom",
            "case": "CP-102",
            "earliest": "2026-03-05",
            "latest": "2026-03-06",
            "duration": 240,
            "invite": [{"person": "worker"}, {"person": "officer2"}],
        },
    )
    inst = build_instance(p, reqs, NOW)
    greedy_plan = greedy(inst)
    assert [pl.task.id for pl in greedy_plan] == ["a"]
    placements, status, *_ = solve_cpsat(inst, greedy_plan, SolveOptions(time_limit_s=10))
    assert status == "OPTIMAL"
    assert sorted(pl.task.id for pl in placements) == ["a", "b"]
    assert score(inst, placements).total == brute_force(inst) > score(inst, greedy_plan).total
