"""The rota side of a what-if comparison: overlap hours a week, the week's picture, continuity, standing times.

Each function looks at one partnership; ``whatif`` calls it for the partnership as it is and as the
scenario would make it, and sets the two side by side.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, time, timedelta
from itertools import combinations
from typing import Any

from rotas.availability import availability
from rotas.clock import to_utc, zone
from rotas.intervals import Interval, intersect, merge, total
from rotas.model import Partnership
from scheduler.solver.standing import cycle_days, standing_options

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STANDING_MINUTES = 30  # the daily high-risk meeting's length (its preset)
STANDING_MIN_DAYS = 28  # standing times are looked at over the period compared, at least four weeks


def _hours(intervals: list[Interval]) -> float:
    return total(intervals).total_seconds() / 3600


def duty_by_agency(
    p: Partnership, first: date, days: int
) -> tuple[dict[str, list[Interval]], dict[str, list[list[Interval]]]]:
    """Each person's on-duty intervals, and each agency's members' (the availability is worked out once)."""
    duty = availability(p, first, days)
    members: dict[str, list[list[Interval]]] = {a.id: [] for a in p.agencies}
    for x in p.people:
        members[x.agency].append(duty[x.id])
    return duty, members


def overlap_figures(p: Partnership, first: date, days: int, members: dict[str, list[list[Interval]]]) -> dict[str, Any]:
    """Hours a week when every agency has someone on duty at once, and each pair of agencies."""
    weeks = days / 7
    cover = {a: merge(i for intervals in ms for i in intervals) for a, ms in members.items()}
    every: list[Interval] | None = None
    for intervals in cover.values():
        every = intervals if every is None else intersect(every, intervals)
    pairs = {f"{a}+{b}": round(_hours(intersect(cover[a], cover[b])) / weeks, 2) for a, b in combinations(cover, 2)}
    return {"all_agencies": round(_hours(every or []) / weeks, 2), "pairs": pairs}


def week_picture(p: Partnership, first: date, days: int, members: dict[str, list[list[Interval]]]) -> list[list[float]]:
    """[weekday][hour]: how many agencies, on average over the period's days of that weekday, have someone
    on duty for the whole hour (the overlap screen's heatmap, folded into one week)."""
    tz = zone(p.timezone)
    slots = []  # (start minute, end minute, weekday, hour), in order
    for d in range(days):
        day = first + timedelta(days=d)
        for h in range(24):
            begin = to_utc(day, time(h), tz)
            slots.append((begin.timestamp(), (begin + timedelta(hours=1)).timestamp(), day.weekday(), h))
    starts = [s[0] for s in slots]
    counts = [[0.0] * 24 for _ in range(7)]
    for intervals_of_people in members.values():
        present: set[int] = set()
        for intervals in intervals_of_people:
            for s, e in intervals:
                lo = bisect_left(starts, s.timestamp())
                hi = bisect_right(starts, e.timestamp() - 3600)
                present.update(k for k in range(lo, hi) if slots[k][1] <= e.timestamp())
        for k in present:
            counts[slots[k][2]][slots[k][3]] += 1
    per_weekday = [0] * 7
    for d in range(days):
        per_weekday[(first + timedelta(days=d)).weekday()] += 1
    return [[round(c / per_weekday[w], 2) if per_weekday[w] else 0.0 for c in counts[w]] for w in range(7)]


def handover_candidates(
    p: Partnership, leaver_agency: str, leaver_role: str, others: list[str], duty: dict[str, list[Interval]], top: int
) -> list[dict[str, Any]]:
    """Who could take a case over: people of the leaver's agency and role (one already on the case too), by
    the hours they are on duty at the same time as each of the case's other workers (on average over them),
    most first; at equal hours someone already on the case first, then by id."""
    scored: list[dict[str, Any]] = []
    for x in p.people:
        if x.agency != leaver_agency or x.role.lower() != leaver_role.lower():
            continue
        with_them = [_hours(intersect(duty.get(x.id, []), duty.get(o, []))) for o in others if o != x.id]
        hours = sum(with_them) / len(with_them) if with_them else 0.0
        scored.append(
            {"person": x.id, "team": x.team, "hours_with_others": round(hours, 1), "on_the_case": x.id in others}
        )
    scored.sort(key=lambda c: (-c["hours_with_others"], not c["on_the_case"], c["person"]))
    return scored[:top]


def standing_times(p: Partnership, first: date, days: int, top: int = 3) -> dict[str, Any]:
    """The best times for the daily high-risk meeting (``quorum standing``'s answer) over the period compared,
    at least four weeks, or a whole rota cycle if that is shorter. (A whole ten-week cycle of a city's 500
    people took 3 s a side: most of a comparison's time outside the solves.)"""
    days = min(max(STANDING_MIN_DAYS, days), cycle_days(p))
    agencies = [a.id for a in p.agencies]
    options = standing_options(p, agencies, STANDING_MINUTES, first, days, ["MO", "TU", "WE", "TH", "FR"], top)
    return {
        "days": days,
        "options": [
            {"time": o.time, "all_present": o.all_present, "score": round(o.score, 3), "shares": o.shares}
            for o in options
        ],
    }
