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
from rotas.problems import InputError
from rotas.sane import date_problem, printable, shown

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


class BusyCalendarError(InputError):
    """The file is not a calendar we can read; the message says why, for a coordinator."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


MAX_EVENTS = 5_000  # years of one person's appointments; each costs about a millisecond to check and store
MAX_INSTANCES = 100_000  # occurrences of one repeating event up to the end of a period: about a second to expand
_PERIOD_S = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
_ONCE = ("UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "STATUS", "TRANSP")
_MOMENTS = ("DTSTART", "DTEND", "RECURRENCE-ID")


def sanitise(text: str | bytes) -> str:
    """The calendar with only the properties busy time needs (``_KEEP``), ready to store."""
    cal = _parse(text)
    _prune(cal)
    ical: bytes = cal.to_ical()  # icalendar leaves to_ical unannotated
    return ical.decode("utf-8")


def _prune(component: icalendar.cal.Component) -> None:
    keep = _KEEP.get(component.name or "", set())
    for prop in [k for k in component if k.upper() not in keep]:
        del component[prop]
    component.subcomponents = [c for c in component.subcomponents if c.name in _NESTED.get(component.name or "", set())]
    for child in component.subcomponents:
        _prune(child)


def _parse(text: str | bytes) -> icalendar.Calendar:
    import icalendar

    raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
    count = sum(1 for line in raw.splitlines() if line.strip().upper() == "BEGIN:VEVENT")
    if count > MAX_EVENTS:  # counted before parsing, which would take about a second per thousand
        raise BusyCalendarError(
            f"it has {count:,} events; Quorum reads at most {MAX_EVENTS:,} per person: export only the months "
            "you plan meetings in"
        )

    try:
        cal = icalendar.Calendar.from_ical(text)
    except RecursionError as exc:
        raise BusyCalendarError("its components are nested too deeply to read") from exc
    except Exception as exc:  # the parser raises ValueError, IndexError, KeyError, TypeError and its own
        raise BusyCalendarError(f"not a readable iCalendar file ({_short(exc)})") from exc
    if isinstance(cal, list) or cal.name != "VCALENDAR":
        raise BusyCalendarError("expected exactly one VCALENDAR")
    return cal


@lru_cache(maxsize=512)
def _calendar(text: str) -> icalendar.Calendar:
    return _parse(text)


def _short(exc: BaseException) -> str:
    """The library's reason, without its preamble ("Cannot access 'dt' on broken property 'X' (...): ")."""
    text = str(exc)
    if "broken property" in text and "): " in text:
        text = text.split("): ", 1)[1]
    return printable(text)[:200]


def _event_lines(text: str) -> list[int]:
    """The line of each BEGIN:VEVENT, in the order icalendar's walk meets the events."""
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip().upper() == "BEGIN:VEVENT"]


def _events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    import icalendar

    try:
        return [e for e in cal.walk("VEVENT") if isinstance(e, icalendar.Event)]  # the parser makes each an Event
    except RecursionError as exc:
        raise BusyCalendarError("its components are nested too deeply to read") from exc


def _moment(event: icalendar.Event, name: str) -> date | None:
    """The property's date or date-time, checked: a broken value is an error naming the property."""
    prop = event.get(name)
    if prop is None:
        return None
    try:
        value = prop.dt
    except Exception as exc:
        raise BusyCalendarError(f"{name} is not a date or date-time ({_short(exc)})") from exc
    if not isinstance(value, date):
        raise BusyCalendarError(f"{name} is not a date or date-time")
    problem = date_problem(value if not isinstance(value, datetime) else value.date())
    if problem:
        raise BusyCalendarError(f"{name}: {problem}")
    return value


def _dates_in(event: icalendar.Event, name: str) -> None:
    """EXDATE and RDATE: every date in every line of them readable and within the years Quorum plans in."""
    props = event.get(name)
    for prop in props if isinstance(props, list) else [props] if props is not None else []:
        try:
            values = [d.dt for d in prop.dts]
        except Exception as exc:
            raise BusyCalendarError(f"{name} is not a list of dates or date-times ({_short(exc)})") from exc
        for value in values:
            first = value[0] if isinstance(value, tuple) else value  # an RDATE may be a period
            if not isinstance(first, date):
                raise BusyCalendarError(f"{name} is not a list of dates or date-times")
            problem = date_problem(first if not isinstance(first, datetime) else first.date())
            if problem:
                raise BusyCalendarError(f"{name}: {problem}")


def _as_utc(value: date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _repeats(event: icalendar.Event, start: date, until: datetime) -> int:
    """About how many times the event's rule makes dateutil step from its start to ``until`` (0: no rule).

    Expansion costs this however small the period asked for, since a rule is walked from its start.
    """
    prop = event.get("RRULE")
    if prop is None:
        return 0
    from dateutil.rrule import rrulestr

    try:
        text = prop.to_ical().decode()
        freq = str(prop.get("FREQ", [""])[0]).upper()
        # dateutil wants UNTIL and DTSTART alike, both UTC-aware or both floating; calendars (rightly, RFC 5545)
        # pair a zoned or all-day DTSTART with a UTC UNTIL, which recurring-ical-events reads as meant.
        begin = start if isinstance(start, datetime) else datetime(start.year, start.month, start.day)
        until_text = text.upper().partition("UNTIL=")[2].split(";")[0]
        begin = _as_utc(begin) if until_text.endswith("Z") else begin.replace(tzinfo=None)
        rrulestr(text, dtstart=begin, forceset=True)
    except Exception as exc:
        raise BusyCalendarError(f"RRULE is not a rule Quorum can read ({_short(exc)})") from exc
    if freq not in _PERIOD_S:
        raise BusyCalendarError(f"RRULE FREQ={freq} is not one of {', '.join(_PERIOD_S)}")
    interval = int(prop.get("INTERVAL", [1])[0])
    if interval < 1:  # dateutil would step by nothing, for ever
        raise BusyCalendarError(f"RRULE INTERVAL={interval}: it must be 1 or more")
    end = until
    if prop.get("UNTIL"):
        end = min(end, _as_utc(prop["UNTIL"][0]))
    per_step = 1
    for part in ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY"):
        per_step *= max(1, len(prop.get(part, [])))
    steps = max(0.0, (end - _as_utc(start)).total_seconds()) / (_PERIOD_S[freq] * interval)
    count = int(steps * per_step)
    if prop.get("COUNT"):
        count = min(count, int(prop["COUNT"][0]) * per_step)
    return count


def _event_problem(event: icalendar.Event, until: datetime) -> None:
    """Raise ``BusyCalendarError`` for the first thing wrong with one event, property by property."""
    if any(c.name == "VEVENT" for c in event.subcomponents):
        raise BusyCalendarError("an event inside another event (is an END:VEVENT missing?)")
    for name in _ONCE:
        if isinstance(event.get(name), list):
            raise BusyCalendarError(f"{name} appears more than once")
    start = _moment(event, "DTSTART")
    if start is None:
        raise BusyCalendarError("it has no DTSTART (when it starts)")
    _moment(event, "DTEND")
    _moment(event, "RECURRENCE-ID")
    if event.get("DURATION") is not None:
        if event.get("DTEND") is not None:
            raise BusyCalendarError("it has both DTEND and DURATION (give one)")
        try:
            length = event.get("DURATION").dt  # get, like _moment: any value class, its dt checked below
        except Exception as exc:
            raise BusyCalendarError(f"DURATION is not a length such as PT1H30M ({_short(exc)})") from exc
        if not isinstance(length, timedelta) or not timedelta(0) <= length <= timedelta(days=366):
            raise BusyCalendarError("DURATION must be a length of up to a year, such as PT1H30M")
    _dates_in(event, "EXDATE")
    _dates_in(event, "RDATE")
    if event.get("EXRULE") is not None:
        raise BusyCalendarError("EXRULE is not supported (it was dropped from iCalendar): use EXDATE")
    count = _repeats(event, start, until)
    if count > MAX_INSTANCES:
        raise BusyCalendarError(
            f"it repeats about {count:,} times from {start:%Y-%m-%d} to {until:%Y-%m-%d}, more than the "
            f"{MAX_INSTANCES:,} Quorum reads: give its RRULE an end (UNTIL or COUNT) or repeat it less often"
        )


def _check_events(text: str, cal: icalendar.Calendar, until: datetime) -> None:
    zone_name = cal.get("X-WR-TIMEZONE")
    if zone_name is not None:
        if isinstance(zone_name, list):
            raise BusyCalendarError("X-WR-TIMEZONE appears more than once")
        try:
            ZoneInfo(str(zone_name))
        except Exception as exc:
            raise BusyCalendarError(
                f"X-WR-TIMEZONE {shown(zone_name)} is not a time zone (such as Europe/London)"
            ) from exc
    events = _events(cal)
    lines = _event_lines(text)
    for i, event in enumerate(events):
        line = lines[i] if i < len(lines) else None
        try:
            _event_problem(event, until)
        except BusyCalendarError as exc:
            where = f"the event at line {line}" if line else "an event"
            uid = event.get("UID")
            named = f" ({shown(uid)})" if isinstance(uid, str) else ""
            raise BusyCalendarError(f"{where}{named}: {exc}", line) from exc


@lru_cache(maxsize=512)
def _checked(text: str, until: datetime) -> None:
    _check_events(text, _calendar(text), until)


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
    """Merged UTC busy intervals of a calendar that touch ``[lo, hi)``.

    Every event is checked first (as ``check`` does, up to ``hi``), so a rule that would take minutes
    to walk to this period is refused with its line instead of expanded; whatever else goes wrong in
    the expansion is a ``BusyCalendarError`` too, never a fault.
    """
    # Widen by a day each side so all-day and floating events near the edges are seen.
    until = (hi + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    _checked(text, until)
    cal = _calendar(text)
    import recurring_ical_events

    try:
        events = recurring_ical_events.of(cal).between(lo - timedelta(days=1), until)
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
    except BusyCalendarError:
        raise
    except Exception as exc:  # the library raises its own types (and others) for what it cannot expand
        raise BusyCalendarError(f"cannot expand its events ({_short(exc)})") from exc
    return merge(out)


def check(text: str, tz: ZoneInfo, until: datetime | None = None) -> BusyCalendarError | None:
    """Why the calendar cannot be used (with the line of the event at fault), or None.

    Each event is read property by property, then a day of it expanded for what only expansion shows.
    Repeating events are judged up to ``until`` (a year from now unless given): the planning horizon.
    """
    until = until or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=366)
    try:
        busy_intervals(text, until - timedelta(days=1), until, tz)
    except BusyCalendarError as exc:
        return exc
    return None
