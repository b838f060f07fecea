"""Every reason given for an absent invitee holds, checked against the rota and the schedule alone.

On generated instances of every contended shape (team reliefs, staggered reliefs over a month, leave on a
quarter of duty days), each with optional officers who know the family, and on the standard profile (chains,
optional colleagues): after a solve, no invitee is absent while on duty, free and under the daily limit, and
each stated reason is checked here from the partnership's roster, absences and busy calendars and the
schedule's own meetings, sharing nothing with the solver's explanations.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from rotas.availability import absences_between
from rotas.clock import zone
from rotas.intervals import merge
from rotas.model import Partnership
from rotas.roster import roster
from scheduler.paths import example_folder
from scheduler.services.describe import describe
from scheduler.services.partnership import check_folder
from scheduler.solver.cpsat import SolveOptions, solve_cpsat
from scheduler.solver.explain import ABSENCE_WORDS
from scheduler.solver.fill import fill
from scheduler.solver.greedy import Diary, greedy
from scheduler.solver.instance import Instance, build_instance
from scheduler.solver.objective import Placement, score
from scheduler.solver.starts import instant, minutes
from scheduler.synthetic.generate import Surge, generate
from tests.solver.helpers import NOW
from tests.solver.test_solver_search import valid

SHAPES = {
    "team": Surge(optional_rate=0.5),
    "staggered": Surge(relief="staggered", horizon_days=28, window=(1, 5), hub_units=1, optional_rate=0.5),
    "leave": Surge(leave_rate=0.25, optional_rate=0.5),
}


def _instance(root: Path, profile: str, shape: str, seed: int) -> tuple[Partnership, Instance]:
    folder = root / f"{profile}-{shape}-{seed}"
    shutil.rmtree(folder, ignore_errors=True)
    surge = SHAPES.get(shape)
    days = 28 if shape == "staggered" else 14
    generate(folder, 60, 30, days, seed, date(2026, 3, 2), example_folder(), profile, surge)
    p, problems, reqs = check_folder(folder)
    assert p is not None, problems
    return p, build_instance(p, reqs, NOW)


def _on_duty(p: Partnership, person: str, lo: int, hi: int) -> bool:
    """On duty for all of [lo, hi) by the roster, with no absence or busy time in it."""
    day = instant(lo).astimezone(zone(p.timezone)).date()
    days = roster(p, day - timedelta(days=1), 2, [person])[person]
    shifts = merge(i for d in days for i in d.intervals)
    covered = any(minutes(s) <= lo and hi <= minutes(e) for s, e in shifts)
    away = absences_between(p, instant(lo), instant(hi), [person]).get(person, [])
    return covered and not any(minutes(a.start) < hi and minutes(a.end) > lo for a in away)


@pytest.mark.parametrize(
    ("profile", "shape", "seed"),
    [
        ("contended", "team", 1),
        ("contended", "staggered", 1),
        ("contended", "staggered", 2),
        ("contended", "leave", 1),
        ("contended", "leave", 2),
        ("standard", "-", 1),
    ],
)
def test_every_absent_reason_holds_and_nobody_free_is_left_out(
    tmp_path: Path, profile: str, shape: str, seed: int
) -> None:
    p, inst = _instance(tmp_path, profile, shape, seed)
    hint = greedy(inst)
    result = solve_cpsat(inst, hint, SolveOptions(time_limit_s=3))
    assert valid(inst, result.placements) == []
    doc = describe(inst, result.placements)
    by_id = {m["request"]: m for m in doc["meetings"]}
    placements = {pl.task.id: pl for pl in result.placements}
    checked = 0
    for rid, m in by_id.items():
        pl = placements[rid]
        lo, hi = pl.task.span(pl.k)
        s, e = pl.task.meeting(pl.k)
        day = inst.local_day(pl.start)
        for absent in m["absent"]:
            person, reason, detail = absent["person"], absent["reason"], absent["detail"]
            checked += 1
            others = [
                o for o in placements.values() if o.task.id != rid and any(a.person == person for a in o.attendees)
            ]
            on_duty = _on_duty(p, person, lo, hi)
            free = not any(o.task.span(o.k)[0] < hi and o.task.span(o.k)[1] > lo for o in others)
            same_day = sum(inst.local_day(o.start) == day for o in others)
            assert reason != "not_added", (rid, person, detail)
            if reason == "off_duty":
                assert not on_duty, (rid, person, detail)
            elif reason == "absence":
                away = absences_between(p, instant(lo), instant(hi), [person])
                kinds = {ABSENCE_WORDS.get(a.kind, a.kind) for a in away.get(person, [])}
                assert detail in kinds, (rid, person, detail, kinds)
            elif reason in ("clash", "travel"):
                named = [o for o in others if o.task.id in detail]
                assert named, (rid, person, detail)
                o = named[0]
                if reason == "clash":
                    assert o.task.meeting(o.k)[0] < e and o.task.meeting(o.k)[1] > s, (rid, person, detail)
                else:
                    assert o.task.span(o.k)[0] < hi and o.task.span(o.k)[1] > lo, (rid, person, detail)
            elif reason == "daily_limit":
                assert same_day >= inst.max_per_day, (rid, person, detail)
            elif reason == "settled":
                assert pl.task.fixed is not None
            else:
                raise AssertionError(f"unknown reason {reason!r}")
            # Nobody left out who could simply have come (a locked or sent meeting aside).
            if pl.task.fixed is None:
                assert not (on_duty and free and same_day < inst.max_per_day), (rid, person, reason, detail)
    if profile == "contended":
        assert checked > 0  # the optional officers make sure there is something to check


@pytest.mark.parametrize("shape", ["staggered", "leave"])
def test_the_last_pass_brings_back_everyone_left_out_who_could_come(tmp_path: Path, shape: str) -> None:
    """A schedule whose stages named nobody optional (as the pooled stage can leave it): the last pass adds
    each optional invitee who is on duty, free and under the daily limit, and the reasons for the rest hold."""
    _, inst = _instance(tmp_path, "contended", shape, 1)
    schedule = greedy(inst)
    stripped = [Placement(pl.task, pl.k, [a for a in pl.attendees if a.role != "optional"], pl.room) for pl in schedule]
    assert sum(len(pl.attendees) for pl in stripped) < sum(len(pl.attendees) for pl in schedule)
    diary = Diary(inst)
    for pl in stripped:
        diary.add(pl)
    filled = fill(stripped, diary)
    assert valid(inst, filled) == []
    assert score(inst, filled).total > score(inst, stripped).total
    doc = describe(inst, filled)
    assert not [a for m in doc["meetings"] for a in m["absent"] if a["reason"] == "not_added"]
    # Described without the pass, the same schedule says plainly that nothing kept them away.
    before = describe(inst, stripped)
    left_out = [a for m in before["meetings"] for a in m["absent"] if a["reason"] == "not_added"]
    assert left_out and all("no rule kept them away" in a["detail"] for a in left_out)
