"""Wall-clock to UTC, around the Europe/London clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rotas.clock import day_span, to_utc, zone
from rotas.model import Shift
from rotas.roster import shift_interval

LONDON = zone("Europe/London")
NIGHT = Shift("N", "Night", time(22), time(7))


def hours(interval: tuple[datetime, datetime]) -> float:
    return (interval[1] - interval[0]).total_seconds() / 3600


def test_night_over_spring_change_is_eight_hours() -> None:
    # Last Sunday of March 2026 is the 29th: clocks go forward at 01:00 UTC.
    start, end = shift_interval(date(2026, 3, 28), NIGHT, LONDON)
    assert start == datetime(2026, 3, 28, 22, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 6, tzinfo=UTC)  # 07:00 BST
    assert hours((start, end)) == 8


def test_night_over_autumn_change_is_ten_hours() -> None:
    # Last Sunday of October 2026 is the 25th: clocks go back at 01:00 UTC.
    start, end = shift_interval(date(2026, 10, 24), NIGHT, LONDON)
    assert start == datetime(2026, 10, 24, 21, tzinfo=UTC)  # 22:00 BST
    assert end == datetime(2026, 10, 25, 7, tzinfo=UTC)  # 07:00 GMT
    assert hours((start, end)) == 10


def test_ordinary_night_is_nine_hours() -> None:
    assert hours(shift_interval(date(2026, 3, 21), NIGHT, LONDON)) == 9


def test_repeated_time_means_first_occurrence() -> None:
    # 01:30 happens twice on 25 Oct 2026: first at 00:30 UTC (BST), then 01:30 UTC (GMT).
    assert to_utc(date(2026, 10, 25), time(1, 30), LONDON) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_missing_time_means_the_moment_clocks_change() -> None:
    # 01:30 does not happen on 29 Mar 2026; clocks jump from 01:00 GMT to 02:00 BST (01:00 UTC).
    assert to_utc(date(2026, 3, 29), time(1, 30), LONDON) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert to_utc(date(2026, 3, 29), time(1, 0), LONDON) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert to_utc(date(2026, 3, 29), time(2, 0), LONDON) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_clock_change_days_are_23_and_25_hours() -> None:
    lo, hi = day_span(date(2026, 3, 29), 1, LONDON)
    assert hi - lo == timedelta(hours=23)
    lo, hi = day_span(date(2026, 10, 25), 1, LONDON)
    assert hi - lo == timedelta(hours=25)


@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    wall=st.times(),
    tz=st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]),
)
def test_every_wall_time_resolves_and_never_moves_backwards(day: date, wall: time, tz: str) -> None:
    zone_info = zone(tz)
    wall = wall.replace(microsecond=0)
    instant = to_utc(day, wall, zone_info)
    local = instant.astimezone(zone_info)
    # The instant is on that local day, at the wall time or (in a gap) just after it.
    assert local.replace(tzinfo=None) >= datetime.combine(day, wall) - timedelta(hours=1)
    assert local.replace(tzinfo=None) - datetime.combine(day, wall) <= timedelta(hours=1)
    # Later wall times on the same day are never earlier instants.
    later = (datetime.combine(day, wall) + timedelta(minutes=30)).time()
    if later > wall:
        assert to_utc(day, later, zone_info) >= instant
