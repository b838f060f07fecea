"""The VTIMEZONE written is read back by an independent parser (dateutil's tzical) as zoneinfo says.

Every UTC hour, and every minute either side of each clock change, over the years a file covers: the
offset dateutil computes from our VTIMEZONE must be zoneinfo's. The old form (icalendar's own) had the
spring onset an hour late, which this catches.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz

from scheduler.calendars.vtimezone import changes, vtimezone

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Europe/Moscow"]


def read_back(key: str, first: date, last: date) -> dateutil_tz.tzical:
    text = vtimezone(ZoneInfo(key), first, last).to_ical().decode()
    return dateutil_tz.tzical(io.StringIO(text)).get(key)


@pytest.mark.parametrize("key", ZONES)
def test_an_independent_reader_agrees_with_zoneinfo_at_every_change(key: str) -> None:
    first, last = date(2025, 1, 1), date(2027, 12, 31)
    theirs, ours = ZoneInfo(key), read_back(key, first, last)
    moments = [datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(0, 3 * 365 * 24, 1)]
    for change in changes(theirs, 2025, 2027):
        moments += [change.at + timedelta(minutes=m) for m in (-61, -1, 0, 1, 61)]
    for moment in moments:
        assert moment.astimezone(ours).utcoffset() == moment.astimezone(theirs).utcoffset(), (key, moment)


def test_london_changes_at_one_in_the_morning_utc_both_ways() -> None:
    text = vtimezone(ZoneInfo("Europe/London"), date(2026, 3, 1), date(2026, 11, 1)).to_ical().decode()
    daylight = text.split("BEGIN:DAYLIGHT")[1].split("END:DAYLIGHT")[0]
    standard = text.split("BEGIN:STANDARD")[1].split("END:STANDARD")[0]
    # DTSTART is the wall time before the change: 01:00 GMT in spring, 02:00 BST in autumn (both 01:00 UTC).
    assert "T010000" in daylight.split("DTSTART:")[1][:16] and "TZOFFSETFROM:+0000" in daylight
    assert "T020000" in standard.split("DTSTART:")[1][:16] and "TZOFFSETFROM:+0100" in standard
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in daylight and "RDATE" not in text


def test_files_of_the_same_years_carry_the_same_vtimezone() -> None:
    london = ZoneInfo("Europe/London")
    assert (
        vtimezone(london, date(2026, 3, 2), date(2026, 3, 20)).to_ical()
        == vtimezone(london, date(2026, 10, 1), date(2027, 2, 1)).to_ical()
    )
