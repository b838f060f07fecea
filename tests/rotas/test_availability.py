"""On-duty intervals: nights across midnight and clock changes, absences, busy calendars."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotas import load_folder
from rotas.availability import availability
from rotas.clock import day_span, zone
from tests.conftest import EXAMPLE

LONDON = zone("Europe/London")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def officer_on_nights(folder, night: date, extra: dict | None = None):
    """A partnership whose officer works nights on ``night`` and ``night + 1``."""
    anchor = night - timedelta(days=4)  # days[4] is the first N
    files = {
        "patterns.toml": f"""
        [[cycles]]
        name = "six-four"
        agency = "police"
        anchor = {anchor.isoformat()}
        days = "E E L L N N R R R R"

        [[weekly]]
        name = "office"
        agency = "social-work"
        rules = [{{ days = ["MO", "TU", "WE", "TH", "FR"], shift = "D" }}]
    """,
        **(extra or {}),
    }
    p, problems = load_folder(folder(files))
    assert problems == []
    return p


def test_spring_change_night_is_eight_hours(folder) -> None:
    p = officer_on_nights(folder, date(2026, 3, 28))
    duty = availability(p, date(2026, 3, 28), 2, ["officer"])["officer"]
    # Night of the 28th (22:00 GMT - 07:00 BST = 8 h), then the night of the 29th from 22:00 BST
    # up to the end of the range (local midnight, 23:00 UTC).
    assert duty == [(utc(2026, 3, 28, 22), utc(2026, 3, 29, 6)), (utc(2026, 3, 29, 21), utc(2026, 3, 29, 23))]
    assert duty[0][1] - duty[0][0] == timedelta(hours=8)


def test_autumn_change_night_is_ten_hours(folder) -> None:
    p = officer_on_nights(folder, date(2026, 10, 24))
    duty = availability(p, date(2026, 10, 24), 1, ["officer"])["officer"]
    _lo, hi = day_span(date(2026, 10, 24), 1, LONDON)
    assert duty == [(utc(2026, 10, 24, 21), hi)]  # clipped at the end of the range
    full = availability(p, date(2026, 10, 24), 2, ["officer"])["officer"]
    assert full[0] == (utc(2026, 10, 24, 21), utc(2026, 10, 25, 7))
    assert full[0][1] - full[0][0] == timedelta(hours=10)


def test_night_from_the_day_before_counts_from_midnight(folder) -> None:
    p = officer_on_nights(folder, date(2026, 3, 11))
    duty = availability(p, date(2026, 3, 13), 1, ["officer"])["officer"]
    assert duty == [(utc(2026, 3, 13, 0), utc(2026, 3, 13, 7))]  # tail of the night of the 12th


def test_absences_subtract(folder) -> None:
    absences = (
        "person,start,end,kind\n"
        "worker,2026-03-10,2026-03-11,leave\n"  # two whole days, end inclusive
        "worker,2026-03-12T13:00,2026-03-12T15:00,training\n"
    )
    p, problems = load_folder(folder({"absences.csv": absences}))
    assert problems == []
    duty = availability(p, date(2026, 3, 9), 4, ["worker"])["worker"]
    assert duty == [
        (utc(2026, 3, 9, 9), utc(2026, 3, 9, 17)),
        (utc(2026, 3, 12, 9), utc(2026, 3, 12, 13)),
        (utc(2026, 3, 12, 15), utc(2026, 3, 12, 17)),
    ]


BUSY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Busy//EN
X-WR-TIMEZONE:Europe/London
BEGIN:VEVENT
UID:weekly@example.org
DTSTART;TZID=Europe/London:20260302T100000
DTEND;TZID=Europe/London:20260302T110000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Europe/London:20260309T100000
SUMMARY:Supervision with a named family
END:VEVENT
BEGIN:VEVENT
UID:allday@example.org
DTSTART;VALUE=DATE:20260304
DTEND;VALUE=DATE:20260305
SUMMARY:Training
END:VEVENT
BEGIN:VEVENT
UID:floating@example.org
DTSTART:20260305T140000
DTEND:20260305T150000
SUMMARY:Floating
END:VEVENT
BEGIN:VEVENT
UID:free@example.org
DTSTART:20260306T120000Z
DTEND:20260306T130000Z
TRANSP:TRANSPARENT
SUMMARY:Lunch
END:VEVENT
END:VCALENDAR
"""


def test_busy_ics_is_subtracted_and_its_text_not_kept(folder) -> None:
    p, problems = load_folder(folder({"busy/worker.ics": BUSY}))
    assert problems == []
    ((person, text),) = p.busy_calendars
    assert person == "worker" and "named family" not in text and "SUMMARY" not in text
    duty = availability(p, date(2026, 3, 2), 15, ["worker"])["worker"]
    by_day = {s.date(): [] for s, _ in duty}
    for s, e in duty:
        by_day[s.date()].append((s.hour, e.hour))
    assert by_day[date(2026, 3, 2)] == [(9, 10), (11, 17)]  # weekly supervision
    assert by_day[date(2026, 3, 9)] == [(9, 17)]  # EXDATE: not this week
    assert date(2026, 3, 4) not in by_day  # all-day training
    assert by_day[date(2026, 3, 5)] == [(9, 14), (15, 17)]  # floating time read as local
    assert by_day[date(2026, 3, 6)] == [(9, 17)]  # transparent: not busy
    assert by_day[date(2026, 3, 16)] == [(9, 10), (11, 17)]  # 4th occurrence (COUNT=4 with one EXDATE)


EXAMPLE_PARTNERSHIP, _ = load_folder(EXAMPLE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), days=st.integers(1, 40))
def test_example_intervals_are_sorted_disjoint_and_inside_the_range(first: date, days: int) -> None:
    lo, hi = day_span(first, days, LONDON)
    for intervals in availability(EXAMPLE_PARTNERSHIP, first, days).values():
        for start, end in intervals:
            assert lo <= start < end <= hi
        for a, b in itertools.pairwise(intervals):
            assert a[1] < b[0]


def test_every_example_person_has_time_on_duty_in_a_fortnight() -> None:
    duty = availability(EXAMPLE_PARTNERSHIP, date(2026, 3, 9), 14)
    assert len(duty) == 50
    assert all(duty[p] for p in duty)
