"""Each hard rule broken on purpose, explanations word for word, clock changes and deadline chains."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from scheduler.services.scheduling import SolveRequest, plan
from scheduler.solver.cpsat import SolveOptions, solve_cpsat
from scheduler.solver.greedy import greedy
from scheduler.solver.instance import Fixed, build_instance, request_window
from scheduler.solver.starts import instant, minutes
from tests.solver.helpers import NOW, requests, small_partnership

# In the small partnership: DC One rests Wed 4 and Thu 5 Mar and works an early (07-16) on Fri 6;
# DC Two works earlies on Wed 4 and Thu 5 and a late (14-23) on Fri 6; the workers 09-17 Mon-Fri.
# Meetings start on the hour between 09:00 and 13:00.


def solved(p, *specs, fixed=None, now=NOW):
    doc = plan(p, requests(p, *specs), fixed or {}, now, SolveRequest(time_limit_s=10))
    return {m["request"]: m for m in doc["meetings"]}, {u["request"]: u for u in doc["unscheduled"]}, doc


def one(i: int, day: str, *people: str, **extra) -> dict:
    return {
        "id": f"m{i}",
        "kind": "custom",
        "case": f"CP-{100 + i}",
        "earliest": day,
        "latest": day,
        "invite": [{"person": x} for x in people],
        **extra,
    }


def test_nobody_in_two_places_at_once(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    # Two meetings for the worker and one for both workers, on two mornings: never overlapping.
    placed, unscheduled, _ = solved(
        p, one(0, "2026-03-04", "worker", duration=180), one(1, "2026-03-04", "worker", "worker2", duration=120)
    )
    assert unscheduled == {"m1": unscheduled["m1"]} and len(placed) == 1
    assert unscheduled["m1"]["reason"] == "clash"
    placed, unscheduled, _ = solved(
        p, one(0, "2026-03-04", "worker", duration=120), one(1, "2026-03-04", "worker", "worker2", duration=120)
    )
    spans = sorted((m["start"], m["end"]) for m in placed.values())
    assert len(spans) == 2 and spans[0][1] <= spans[1][0]


def test_daily_limit_leaves_the_third_meeting_unscheduled_with_the_reason(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)  # max_meetings_per_day = 2
    placed, unscheduled, _ = solved(p, *(one(i, "2026-03-04", "worker") for i in range(3)))
    assert len(placed) == 2
    (u,) = unscheduled.values()
    assert u["reason"] == "daily_limit"
    assert u["detail"] == "everyone required is on duty only on days when someone required already has 2 meetings"


def test_travel_keeps_a_gap_between_meetings(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    visit = one(0, "2026-03-04", "worker", duration=60, venue="family home", travel=60)  # 10:00-11:00 only
    placed, _unscheduled, _ = solved(p, visit, one(1, "2026-03-04", "worker"), one(2, "2026-03-04", "worker2"))
    assert placed["m0"]["start"].startswith("2026-03-04T10:00")
    # m1 cannot be at 09:00 or 11:00 (travel) nor 10:00 (the visit): only 12:00 is left.
    assert placed["m1"]["start"].startswith("2026-03-04T12:00")


def test_one_room_holds_one_meeting(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    at_hub = [one(i, "2026-03-04", person, venue="hub", duration=240) for i, person in enumerate(["worker", "worker2"])]
    placed, unscheduled, _ = solved(p, *at_hub)
    assert len(placed) == 1
    (u,) = unscheduled.values()
    assert u["reason"] == "room"
    assert u["detail"] == "no hub room big enough is free when everyone required is on duty"


def test_clash_names_the_meeting_in_the_way(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    fixed_start = datetime(2026, 3, 4, 9, tzinfo=UTC)
    blocker = one(0, "2026-03-04", "worker", duration=240, fixed="2026-03-04T09:00")
    meetings = {
        "m0": {
            "status": "placed",
            "start": fixed_start.isoformat(),
            "locked": 1,
            "room": None,
            "attendees": [{"person": "worker"}],
        }
    }
    placed, unscheduled, _ = solved(p, blocker, one(1, "2026-03-04", "worker"), fixed=meetings)
    assert placed["m0"]["locked"] is True and placed["m0"]["start"].startswith("2026-03-04T09:00")
    assert unscheduled["m1"]["reason"] == "clash"
    assert unscheduled["m1"]["detail"] == ("every time everyone required is on duty clashes with other meetings (m0)")


def test_required_officer_on_rest_days_explained_word_for_word(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    request = one(0, "2026-03-04", "worker", "officer", latest="2026-03-05")
    _placed, unscheduled, _ = solved(p, request)
    u = unscheduled["m0"]
    assert u["reason"] == "no_common_time"
    assert u["detail"] == (
        "no time from Wed 4 Mar to Thu 5 Mar when DC One (required) is on duty; the earliest is Fri 6 Mar 09:00"
    )
    assert u["suggestions"] == [
        "move the deadline: the earliest time everyone required can attend is Fri 6 Mar 09:00 "
        "(quorum request edit m0 --latest 2026-03-06)",
        "DC One: Wed 4 Mar-Thu 5 Mar: rest day",
        "if off-duty attendance were allowed, DC One could attend off duty on Wed 4 Mar 09:00 (rest day: 1 h at "
        "time and a half, under 15 days' notice) (quorum request edit m0 --allow-off-duty)",
        "DC Two (Police unit, same team) can attend on Wed 4 Mar 09:00",
    ]


def test_off_duty_cost_time_and_a_half_at_short_notice(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    request = one(0, "2026-03-04", "worker", "officer", allow_off_duty=True)
    close = datetime(2026, 3, 1, tzinfo=UTC)  # three days' notice
    placed, _, _doc = solved(p, request, now=close)
    officer = next(a for a in placed["m0"]["attendees"] if a["person"] == "officer")
    assert officer["off_duty"] is True
    assert officer["off_duty_cost"] == {"hours": 1.0, "rate": 1.5, "rest_day": True}
    far = datetime(2026, 1, 1, tzinfo=UTC)
    placed, _, _ = solved(p, request, now=far)
    officer = next(a for a in placed["m0"]["attendees"] if a["person"] == "officer")
    assert officer["off_duty_cost"]["rate"] == 1.0


def test_absent_optional_invitee_gets_a_reason(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    request = one(0, "2026-03-04", "worker")
    request["invite"].append({"person": "officer", "required": False})
    placed, _, _ = solved(p, request)
    assert placed["m0"]["absent"] == [
        {
            "person": "officer",
            "name": "DC One",
            "agency": "police",
            "role": "optional",
            "reason": "off_duty",
            "detail": "rest day",
        }
    ]


def test_slot_is_filled_by_whoever_is_on_duty(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    request = {**one(0, "2026-03-04", "worker"), "slots": [{"team": "unit", "label": "an officer"}]}
    placed, _, _ = solved(p, request)
    (officer,) = [a for a in placed["m0"]["attendees"] if a["role"] == "slot"]
    assert (officer["person"], officer["slot"]) == ("officer2", "an officer")


def test_meeting_after_the_spring_clock_change_is_local_time(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    placed, _, _ = solved(p, one(0, "2026-03-30", "worker"), one(1, "2026-03-27", "worker2"))
    assert placed["m0"]["start"] == "2026-03-30T09:00:00+01:00"  # BST: 08:00 UTC
    assert placed["m1"]["start"] == "2026-03-27T09:00:00+00:00"  # GMT: 09:00 UTC
    inst = build_instance(p, requests(p, one(0, "2026-03-30", "worker")), NOW)
    assert instant(inst.tasks[0].starts[0]) == datetime(2026, 3, 30, 8, tzinfo=UTC)


def test_chain_over_easter_counts_working_days(tmp_path: Path) -> None:
    """Strategy discussion Thu 2 Apr 2026; Good Friday and Easter Monday are not working days."""
    p = small_partnership(tmp_path)
    reqs = requests(
        p,
        {
            "id": "sd",
            "kind": "custom",
            "case": "CP-200",
            "earliest": "2026-04-02",
            "latest": "2026-04-02",
            "invite": [{"person": "worker"}],
        },
        {
            "id": "icpc",
            "kind": "initial-conference",
            "case": "CP-200",
            "within": {"of_request": "sd"},
            "venue": "virtual",
            "invite": [{"person": "worker"}],
            "slots": [{"team": "unit"}],
        },
        {
            "id": "cg",
            "kind": "core-group",
            "case": "CP-200",
            "within": {"of_request": "icpc"},
            "venue": "virtual",
            "invite": [{"person": "worker2"}],
        },
    )
    _sd, icpc, _cg = reqs
    # 15 working days after Thu 2 Apr, skipping 3 and 6 Apr: Mon 27 Apr (the whole day).
    start = datetime(2026, 4, 2, 9, tzinfo=UTC)
    _lo, hi = request_window(icpc, p, start, start)
    assert hi == datetime(2026, 4, 27, 23, tzinfo=UTC)  # midnight BST after 27 Apr
    # A strategy discussion on Thu 2 Apr would have until Tue 7 Apr: one working day later.
    urgent = requests(
        p,
        {
            "id": "x",
            "kind": "strategy-discussion",
            "case": "CP-201",
            "earliest": "2026-04-02",
            "invite": [{"person": "worker"}],
        },
    )[0]
    assert request_window(urgent, p)[1] == datetime(2026, 4, 7, 23, tzinfo=UTC)
    inst = build_instance(p, reqs, NOW)
    placements, status, *_ = solve_cpsat(inst, greedy(inst), SolveOptions(time_limit_s=10))
    assert status == "OPTIMAL"
    at = {pl.task.id: pl for pl in placements}
    assert set(at) == {"sd", "icpc", "cg"}
    assert at["sd"].start < at["icpc"].start < at["cg"].start
    assert at["icpc"].start >= at["sd"].start + 60
    deadline = minutes(datetime(2026, 4, 27, 23, tzinfo=UTC))
    assert at["icpc"].start + 90 <= deadline


def test_fixed_meeting_stays_put(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    reqs = requests(p, one(0, "2026-03-04", "worker", latest="2026-03-06"))
    fixed = {"m0": Fixed(minutes(datetime(2026, 3, 5, 11, tzinfo=UTC)), ("worker",))}
    inst = build_instance(p, reqs, NOW, fixed)
    placements, *_ = solve_cpsat(inst, greedy(inst), SolveOptions(time_limit_s=5))
    assert [instant(pl.start) for pl in placements] == [datetime(2026, 3, 5, 11, tzinfo=UTC)]


def test_horizon_limits_the_days(tmp_path: Path) -> None:
    p = small_partnership(tmp_path)
    reqs = requests(p, one(0, "2026-03-04", "worker", latest="2026-03-06"))
    doc = plan(p, reqs, {}, NOW, SolveRequest(first=date(2026, 3, 6), days=1, time_limit_s=5))
    assert doc["meetings"][0]["start"].startswith("2026-03-06")
