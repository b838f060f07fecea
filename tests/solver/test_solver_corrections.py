"""Cases an independent check found wrong in the solver, each pinned by a test that failed before its fix."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from rotas.bankholidays import add_working_days
from rotas.clock import to_utc, zone
from scheduler.services.scheduling import SolveRequest, plan
from scheduler.solver.greedy import greedy
from scheduler.solver.instance import Fixed, build_instance, request_window
from scheduler.solver.model import ScheduleModel
from scheduler.solver.objective import score
from scheduler.solver.starts import minutes
from tests.solver.helpers import NOW, requests, small_partnership


def end_of(day: date, p) -> object:
    """Midnight at the end of ``day``, local time, in UTC: where a deadline 'by the end of that day' falls."""
    return to_utc(date.fromordinal(day.toordinal() + 1), time(0), zone(p.timezone))


def test_the_working_day_after_a_weekend_or_holiday_is_the_next_working_day() -> None:
    assert add_working_days(date(2026, 3, 27), 1, "GB-ENG") == date(2026, 3, 30)  # Friday -> Monday
    assert add_working_days(date(2026, 3, 28), 1, "GB-ENG") == date(2026, 3, 30)  # Saturday -> Monday
    assert add_working_days(date(2026, 3, 29), 2, "GB-ENG") == date(2026, 3, 31)  # Sunday -> Tuesday
    assert add_working_days(date(2026, 4, 3), 1, "GB-ENG") == date(2026, 4, 7)  # Good Friday -> Tuesday
    assert add_working_days(date(2026, 3, 28), 0, "GB-ENG") == date(2026, 3, 30)  # none: the next working day
    assert add_working_days(date(2026, 3, 30), 0, "GB-ENG") == date(2026, 3, 30)


def test_a_deadline_counted_from_a_non_working_day_is_not_a_day_late(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    sd, by_saturday, by_good_friday = requests(
        p,
        # A strategy discussion's default deadline: by the end of the next working day.
        {"id": "sd-1", "kind": "strategy-discussion", "case": "CP-101", "earliest": "2026-03-28", "invite": []},
        {
            "id": "m-2",
            "kind": "custom",
            "case": "CP-102",
            "within": {"working_days": 1, "of_date": "2026-03-28"},
            "invite": [{"person": "worker"}],
        },
        {
            "id": "m-3",
            "kind": "custom",
            "case": "CP-103",
            "within": {"working_days": 1, "of_date": "2026-04-03"},
            "invite": [{"person": "worker"}],
        },
    )
    assert request_window(sd, p)[1] == end_of(date(2026, 3, 30), p)
    assert request_window(by_saturday, p)[1] == end_of(date(2026, 3, 30), p)
    assert request_window(by_good_friday, p)[1] == end_of(date(2026, 4, 7), p)


def test_a_same_team_suggestion_holds_against_the_schedule_it_is_printed_with(tmp_path: Path) -> None:
    # DC One rests on Wed 4 Mar, so the worker's meeting with DC One cannot be placed; DC Two (same unit)
    # works an early that day, but is in a three-hour meeting of the four-hour morning (placed in the same solve).
    p = small_partnership(tmp_path)
    reqs = [
        {
            "id": "m0",
            "kind": "custom",
            "case": "CP-100",
            "earliest": "2026-03-04",
            "latest": "2026-03-04",
            "invite": [{"person": "worker"}, {"person": "officer"}],
        },
        {
            "id": "m1",
            "kind": "custom",
            "case": "CP-101",
            "earliest": "2026-03-04",
            "latest": "2026-03-04",
            "duration": 180,
            "invite": [{"person": "officer2"}, {"person": "worker2"}],
        },
    ]
    doc = plan(p, requests(p, *reqs), {}, NOW, SolveRequest(time_limit_s=10))
    (m1,) = doc["meetings"]
    free_hour = "12:00" if m1["start"][11:16] == "09:00" else "09:00"  # GMT in March: UTC is local time
    (u,) = doc["unscheduled"]
    team = [s for s in u["suggestions"] if "same team" in s]
    assert team == [f"DC Two (Police unit, same team) can attend on Wed 4 Mar {free_hour}"], (m1, u["suggestions"])


def test_locking_the_first_meeting_of_a_chain_keeps_the_follow_up_exempt_from_fair_spread(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    first, follow = requests(
        p,
        {
            "id": "sd-1",
            "kind": "custom",
            "case": "CP-101",
            "earliest": "2026-03-04",
            "latest": "2026-03-04",
            "invite": [{"person": "worker"}],
        },
        {
            "id": "cg-1",
            "kind": "custom",
            "case": "CP-101",
            "within": {"working_days": 2, "of_request": "sd-1"},
            "invite": [{"person": "worker"}],
        },
    )
    locked = {"sd-1": Fixed(minutes(to_utc(date(2026, 3, 4), time(9), zone(p.timezone))), ("worker",))}
    for fixed in ({}, locked):
        inst = build_instance(p, [first, follow], NOW, fixed)
        placements = greedy(inst)
        assert {pl.task.id for pl in placements} == {"sd-1", "cg-1"}
        terms = dict(score(inst, placements).terms)
        assert "fair spread of meetings" not in terms, (fixed, terms)  # the worker's second is the follow-up
        model = ScheduleModel(inst, inst.tasks).build()
        assert not [label for label, _, _ in model.terms if label.startswith("worker:")]
