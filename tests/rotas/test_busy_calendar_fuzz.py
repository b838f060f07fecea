"""Busy calendars built from random properties, good and bad: reading one either works or says why.

Whatever the file holds, ``busy.check`` answers None or a ``BusyCalendarError`` (never another
exception, never minutes of work), and a calendar it accepts then expands over any period into
intervals inside that period, and can be stored (``sanitise``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotas import busy

TZ = ZoneInfo("Europe/London")
UNTIL = datetime(2027, 1, 1, tzinfo=UTC)

stamps = st.builds(
    lambda y, mo, d, h, mi, z: f"{y:04d}{mo:02d}{d:02d}T{h:02d}{mi:02d}00{'Z' if z else ''}",
    st.sampled_from([1, 1899, 1990, 2025, 2026, 2027, 2201, 9999]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.booleans(),
)
dates = st.builds(lambda s: s[:8], stamps)
junk = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=12)
rules = st.builds(
    lambda freq, extra: "FREQ=" + freq + "".join(extra),
    st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "SOMETIMES", ""]),
    st.lists(
        st.sampled_from(
            [
                ";INTERVAL=0",
                ";INTERVAL=2",
                ";INTERVAL=-1",
                ";COUNT=3",
                ";COUNT=99999999999",
                ";UNTIL=20260401T000000Z",
                ";UNTIL=99991231",
                ";BYDAY=MO,WE",
                ";BYDAY=XX",
                ";BYHOUR=0,6,12,18",
                ";BYMINUTE=0,15,30,45",
                ";BYMONTH=13",
                ";BYMONTHDAY=0",
                ";BYSETPOS=1",
                ";WKST=SU",
            ]
        ),
        max_size=3,
    ),
)
properties = st.one_of(
    st.builds(lambda v: f"DTSTART:{v}", st.one_of(stamps, junk)),
    st.builds(lambda v: f"DTSTART;VALUE=DATE:{v}", st.one_of(dates, junk)),
    st.builds(lambda v: f"DTSTART;TZID=Europe/London:{v}", stamps),
    st.builds(lambda v: f"DTSTART;TZID=Mars/Olympus:{v}", stamps),
    st.builds(lambda v: f"DTEND:{v}", st.one_of(stamps, junk)),
    st.builds(lambda v: f"DURATION:{v}", st.sampled_from(["PT1H", "P1D", "-PT1H", "P99999W", "PXYZ", "PT0S"])),
    st.builds(lambda v: f"RRULE:{v}", st.one_of(rules, junk)),
    st.builds(lambda v: f"EXDATE:{v}", st.one_of(stamps, junk)),
    st.builds(lambda v: f"RDATE:{v}", st.one_of(stamps, junk, st.just("20260310T100000Z/PT1H"))),
    st.builds(lambda v: f"RECURRENCE-ID:{v}", st.one_of(stamps, junk)),
    st.builds(lambda v: f"UID:{v}", junk),
    st.sampled_from(["STATUS:CANCELLED", "TRANSP:TRANSPARENT", "X-MICROSOFT-CDO-BUSYSTATUS:FREE", "SUMMARY:x"]),
)
# Mostly well-formed starts and ends, so that the rules and lists after them are what gets exercised.
good_stamps = st.builds(
    lambda y, mo, d, h, mi, z: f"{y:04d}{mo:02d}{d:02d}T{h:02d}{mi:02d}00{'Z' if z else ''}",
    st.sampled_from([1990, 2025, 2026, 2026, 2026, 2027]),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
    st.booleans(),
)
good_rules = st.sampled_from(
    [
        "",
        "RRULE:FREQ=DAILY;COUNT=5",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "RRULE:FREQ=WEEKLY;INTERVAL=2",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15",
        "RRULE:FREQ=HOURLY;UNTIL=20260601T000000Z",
        "RRULE:FREQ=DAILY;BYHOUR=9,13;UNTIL=20270101T000000Z",
        "RRULE:FREQ=YEARLY",
        "RRULE:FREQ=MINUTELY;COUNT=100",
    ]
)


def _span(start: str, form: int, length: str) -> str:
    """DTSTART and DTEND (or DURATION) of one form: UTC, London wall time, or whole days."""
    if form == 0:
        return f"DTSTART:{start}Z\nDURATION:{length}\n"
    if form == 1:
        return f"DTSTART;TZID=Europe/London:{start}\nDURATION:{length}\n"
    return f"DTSTART;VALUE=DATE:{start[:8]}\nDURATION:P1D\n"


spans = st.builds(
    _span,
    good_stamps.map(lambda v: v.rstrip("Z")),
    st.integers(0, 2),
    st.sampled_from(["PT1H", "PT30M", "PT8H", "P1D"]),
)
well_formed = st.builds(
    lambda span, rule, props: "BEGIN:VEVENT\n" + span + "".join(p + "\n" for p in [rule, *props] if p) + "END:VEVENT\n",
    spans,
    good_rules,
    st.lists(properties.filter(lambda p: not p.startswith(("DTSTART", "DTEND", "DURATION"))), max_size=1),
)
anything = st.builds(
    lambda props: "BEGIN:VEVENT\n" + "".join(p + "\n" for p in props) + "END:VEVENT\n",
    st.lists(properties, max_size=8),
)
# Well-formed start and end, then any of the properties above (good or bad), three times in four.
events = st.one_of(well_formed, well_formed, well_formed, anything)
calendars = st.builds(
    lambda zone, evs: "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//fuzz//EN\n" + zone + "".join(evs) + "END:VCALENDAR\n",
    st.sampled_from(["", "", "X-WR-TIMEZONE:Europe/London\n", "X-WR-TIMEZONE:Not/AZone\n"]),
    st.lists(events, max_size=4),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars, st.integers(0, 400))
def test_any_calendar_is_read_or_refused_with_a_reason(text: str, offset_days: int) -> None:
    refused = busy.check(text, TZ, until=UNTIL)
    if refused is not None:
        assert isinstance(refused, busy.BusyCalendarError) and str(refused)
        return
    busy.sanitise(text)
    lo = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=offset_days)
    hi = lo + timedelta(days=3)
    try:
        intervals = busy.busy_intervals(text, lo, hi, TZ)
    except busy.BusyCalendarError:
        return  # a rule that is fine up to UNTIL may be too much for a later period: said, not crashed
    for start, end in intervals:
        assert lo <= start < end <= hi
    assert intervals == sorted(intervals)


def test_a_zoned_weekly_event_with_a_utc_until_is_read() -> None:
    """RFC 5545's own form (UNTIL in UTC beside a TZID start): an early version of the rule check refused it,
    found by the test above."""
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:w@example.org\n"
        "DTSTART;TZID=Europe/London:20260302T100000\nDTEND;TZID=Europe/London:20260302T110000\n"
        "RRULE:FREQ=WEEKLY;UNTIL=20260330T090000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    assert busy.check(text, TZ, until=UNTIL) is None
    lo = datetime(2026, 3, 23, tzinfo=UTC)
    assert busy.busy_intervals(text, lo, lo + timedelta(days=14), TZ) == [
        (datetime(2026, 3, 23, 10, tzinfo=UTC), datetime(2026, 3, 23, 11, tzinfo=UTC)),
        (datetime(2026, 3, 30, 9, tzinfo=UTC), datetime(2026, 3, 30, 10, tzinfo=UTC)),
    ]
