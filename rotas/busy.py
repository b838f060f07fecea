"""Busy time from iCalendar files: leave booked in Outlook, court dates in Google, etc.

Recurring events are expanded by ``recurring-ical-events`` (RRULE, RDATE,
EXDATE, moved occurrences), which also applies Google's ``X-WR-TIMEZONE``.
Floating times and all-day events are read in the partnership's zone. Only the
busy *blocks* matter, so titles, descriptions and attendees are dropped before
anything is stored: a personal calendar can name families.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rotas.clock import to_utc
from rotas.intervals import Interval, merge

if TYPE_CHECKING:
    import icalendar

# icalendar and recurring-ical-events are imported when a calendar is first read: most partnerships
# have few busy calendars, and every start of the CLI and the UI would otherwise pay for them.

# An allow-list: only what working out busy time needs is kept. Everything else (titles, notes, Outlook's
# X-ALT-DESC, the place names inside X-APPLE-STRUCTURED-LOCATION, attendees, alarms...) is dropped, including
# properties nobody has thought of yet.
_KEEP = {
    "VCALENDAR": {"VERSION", "PRODID", "CALSCALE", "X-WR-TIMEZONE"},
    "VEVENT": {
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "EXRULE",
        "RECURRENCE-ID",
        "SEQUENCE",
        "STATUS",
        "TRANSP",
        "X-MICROSOFT-CDO-BUSYSTATUS",
    },
    "VTIMEZONE": {"TZID"},
    "STANDARD": {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE", "TZNAME"},
    "DAYLIGHT": {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE", "TZNAME"},
}
_NESTED = {"VCALENDAR": {"VEVENT", "VTIMEZONE"}, "VTIMEZONE": {"STANDARD", "DAYLIGHT"}}


class BusyCalendarError(ValueError):
    """The file is not a calendar we can read; the message says why, for a coordinator."""


def sanitise(text: str | bytes) -> str:
    """The calendar with only the properties busy time needs (``_KEEP``), ready to store."""
    cal = _parse(text)
    _prune(cal)
    return cal.to_ical().decode("utf-8")


def _prune(component: icalendar.cal.Component) -> None:
    keep = _KEEP.get(component.name, set())
    for prop in [k for k in component if k.upper() not in keep]:
        del component[prop]
    component.subcomponents = [c for c in component.subcomponents if c.name in _NESTED.get(component.name, set())]
    for child in component.subcomponents:
        _prune(child)


def _parse(text: str | bytes) -> icalendar.Calendar:
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise BusyCalendarError(f"not a readable iCalendar file ({exc})") from exc
    if isinstance(cal, list) or cal.name != "VCALENDAR":
        raise BusyCalendarError("expected exactly one VCALENDAR")
    return cal


@lru_cache(maxsize=512)
def _calendar(text: str) -> icalendar.Calendar:
    return _parse(text)


def _is_busy(event: icalendar.Event) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "BUSY")).upper() not in {"FREE", "WORKINGELSEWHERE"}


def _instant(value: date | datetime, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: the partnership's local time
            return to_utc(value.date(), value.time(), tz)
        return value.astimezone(UTC)
    return to_utc(value, time(0), tz)  # all-day: from local midnight


def busy_intervals(text: str, lo: datetime, hi: datetime, tz: ZoneInfo) -> list[Interval]:
    """Merged UTC busy intervals of a calendar that touch ``[lo, hi)``."""
    cal = _calendar(text)
    # Widen by a day each side so all-day and floating events near the edges are seen.
    import recurring_ical_events

    query = recurring_ical_events.of(cal)
    try:
        events = query.between(lo - timedelta(days=1), hi + timedelta(days=1))
    except Exception as exc:  # the library raises its own types for bad rules
        raise BusyCalendarError(f"cannot expand its events ({exc})") from exc
    out: list[Interval] = []
    for event in events:
        if not _is_busy(event):
            continue
        start = event.get("DTSTART")
        if start is None:
            continue
        start_value = start.dt
        end_prop = event.get("DTEND")
        if end_prop is not None:
            end_value = end_prop.dt
        elif event.get("DURATION") is not None:
            end_value = start_value + event["DURATION"].dt
        elif isinstance(start_value, datetime):
            end_value = start_value  # an instant: takes no time
        else:
            end_value = start_value + timedelta(days=1)
        s, e = _instant(start_value, tz), _instant(end_value, tz)
        if e > s and e > lo and s < hi:
            out.append((max(s, lo), min(e, hi)))
    return merge(out)


def check(text: str, tz: ZoneInfo) -> str | None:
    """Why the calendar cannot be used, or None; tries a year of expansion to find bad rules."""
    try:
        _calendar(text)
        now = datetime(2000, 1, 1, tzinfo=UTC)
        busy_intervals(text, now, now + timedelta(days=1), tz)
    except BusyCalendarError as exc:
        return str(exc)
    return None
